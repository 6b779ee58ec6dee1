/**
 * SARIF 2.1.0 of a batch (what GitHub code scanning and other viewers read): one run; the finding
 * catalogue as the driver's rules (id, descriptions, help with the fix and the kernel reference,
 * default level from the severity); one result per finding at its file and line, with the records
 * of its chain as relatedLocations; files that could not be audited as tool execution
 * notifications. A small typed builder over @types/sarif (node-sarif-builder needs Node 22). Pure.
 */
import type { Location, Log, Notification, ReportingDescriptor, Result as SarifResult } from 'sarif';
import { FINDINGS, FINDING_CODES, type FindingCode, type Severity } from '../../../machines/findings.js';
import type { BatchSummary, BatchFinding, FileResult } from '../types.js';

export const SARIF_SCHEMA = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { bug: 'error', misuse: 'warning', info: 'note' };
/** GitHub's non-security severity scale. */
const PROBLEM: Record<Severity, string> = { bug: 'error', misuse: 'warning', info: 'recommendation' };

const pascal = (code: string) => code.toLowerCase().replace(/(^|_)([a-z0-9])/g, (_m, _u, c: string) => c.toUpperCase());

/** A relative display name stays relative (to the repository root, as code scanning wants); an absolute one becomes a file URI. */
export function artifactUri(file: string): string {
  // Why: encodeURI keeps '#' and '?', which would start a fragment or a query in a file name.
  const path = encodeURI(file).replace(/#/g, '%23').replace(/\?/g, '%3F');
  return file.startsWith('/') ? `file://${path}` : path;
}

function rule(code: FindingCode): ReportingDescriptor {
  const spec = FINDINGS[code];
  const reaction = typeof spec.reaction === 'function' ? 'depends on the kernel version (see the README table)' : spec.reaction;
  // A severity that depends on the kernel (MM_EXIT_WITH_BONDS) is described by its worst case; each result carries its own.
  const severity: Severity = typeof spec.severity === 'function' ? 'bug' : spec.severity;
  return {
    id: code,
    name: pascal(code),
    shortDescription: { text: spec.title },
    fullDescription: { text: `${spec.title}. Kernel reaction: ${reaction}. Severity: ${typeof spec.severity === 'function' ? 'depends on the kernel version' : spec.severity}. Reference: ${spec.ref} (bug catalogue item and sections of the PASID lifecycle semantics).` },
    help: {
      text: `Fix: ${spec.fix}. Kernel reference: ${spec.ref}.`,
      markdown: `**Fix:** ${spec.fix}\n\n**Kernel reference:** ${spec.ref}`,
    },
    defaultConfiguration: { level: LEVEL[severity] },
    properties: { tags: ['pasid', 'iommu', severity], 'problem.severity': PROBLEM[severity] },
  };
}

function location(file: string, line: number | null, message?: string): Location {
  return {
    physicalLocation: { artifactLocation: { uri: artifactUri(file) }, ...(line === null ? {} : { region: { startLine: line } }) },
    ...(message === undefined ? {} : { message: { text: message } }),
  };
}

function result(file: string, f: BatchFinding, ruleIndex: number): SarifResult {
  const related = (f.chain ?? []).map((c, i) => ({ id: i + 1, ...location(file, c.line, `seq ${c.seq}: ${c.fn}`) }));
  return {
    ruleId: f.code,
    ruleIndex,
    level: LEVEL[f.severity],
    message: { text: `${f.code}${f.atEnd ? ' at end of trace' : ''}: ${f.message}. Fix: ${f.fix}` },
    locations: [{ ...location(file, f.line), ...(f.fn === null ? {} : { logicalLocations: [{ name: f.fn, kind: 'function' }] }) }],
    ...(related.length > 0 ? { relatedLocations: related } : {}),
    properties: { seq: f.seq, objects: f.objects, reaction: f.reaction, ref: f.ref, atEnd: f.atEnd, ...(f.maybeLostEvents ? { maybeLostEvents: true } : {}) },
  };
}

export function sarifLog(results: readonly FileResult[], summary: BatchSummary, version: string): Log {
  const ruleIndex = new Map(FINDING_CODES.map((c, i) => [c, i]));
  const out: SarifResult[] = [];
  const notes: Notification[] = [];
  for (const r of results) {
    if (!r.ok) {
      notes.push({ level: 'error', message: { text: r.error.message }, descriptor: { id: r.error.code }, locations: [location(r.file, null)] });
      continue;
    }
    for (const f of r.findings) out.push(result(r.file, f, ruleIndex.get(f.code) ?? -1));
  }
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'pasid-ledger', version, semanticVersion: version, rules: FINDING_CODES.map(rule) } },
        invocations: [{ executionSuccessful: summary.failed === 0, ...(notes.length > 0 ? { toolExecutionNotifications: notes } : {}) }],
        results: out,
      },
    ],
  };
}

export const sarifReport = (results: readonly FileResult[], summary: BatchSummary, version: string) => `${JSON.stringify(sarifLog(results, summary, version), null, 2)}\n`;
