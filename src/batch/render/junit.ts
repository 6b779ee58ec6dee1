/**
 * JUnit XML of a batch, valid against the schema Jenkins' xUnit plugin ships (junit-10.xsd) and read
 * by GitLab: one testsuite per trace, one testcase per finding code of the catalogue (so every trace
 * has the same tests and CI can track each across runs), a failure for each code with bugs or
 * misuses (every finding with file:line, message and fix in its text), info findings as the
 * testcase's system-out, and a file that could not be audited as an error. Pure.
 */
import { FINDINGS, FINDING_CODES } from '../../../machines/findings.js';
import type { BatchSummary, FileResult } from '../types.js';
import { xmlDocument, type XmlElement } from './xml.js';

/** Jenkins splits classname at its last dot into package and class: `pasid-ledger` › the trace. */
const classname = (file: string) => `pasid-ledger.${file.replace(/\./g, '_')}`;

const where = (file: string, line: number | null) => (line === null ? file : `${file}:${line}`);

function suite(r: FileResult): XmlElement {
  if (!r.ok) {
    return {
      name: 'testsuite',
      attrs: { name: r.file, tests: 1, failures: 0, errors: 1, skipped: 0 },
      children: [{ name: 'testcase', attrs: { classname: classname(r.file), name: 'read' }, children: [{ name: 'error', attrs: { message: r.error.message, type: r.error.code }, text: r.error.message }] }],
    };
  }
  const cases: XmlElement[] = [];
  let failures = 0;
  for (const code of FINDING_CODES) {
    const found = r.findings.filter((f) => f.code === code);
    const spec = FINDINGS[code];
    const children: XmlElement[] = [];
    const lines = found.map((f) => `${where(r.file, f.line)} [${f.seq === null ? 'end' : `seq ${f.seq}`}] ${code}${f.atEnd ? ' at end of trace' : ''} ${f.message}\n    ${f.ref} · fix: ${f.fix}`);
    if (found.length > 0 && spec.severity !== 'info') {
      failures++;
      const first = found[0];
      children.push({ name: 'failure', attrs: { message: `${found.length} finding(s); first at ${where(r.file, first.line)}: ${first.message}`, type: code }, text: lines.join('\n') });
    } else if (found.length > 0) children.push({ name: 'system-out', text: lines.join('\n') });
    cases.push({ name: 'testcase', attrs: { classname: classname(r.file), name: code }, children });
  }
  const s = r.summary;
  const properties: XmlElement = {
    name: 'properties',
    children: [
      ['kernel', s.kernel],
      ['era', s.era],
      ['records', String(s.records)],
      ['findings', String(s.findings)],
    ].map(([name, value]) => ({ name: 'property', attrs: { name, value } })),
  };
  const out: XmlElement[] = [properties, ...cases];
  if (s.warnings.length > 0) out.push({ name: 'system-err', text: s.warnings.map((w) => `warning: ${w}`).join('\n') });
  return { name: 'testsuite', attrs: { name: r.file, tests: FINDING_CODES.length, failures, errors: 0, skipped: 0 }, children: out };
}

export function junitReport(results: readonly FileResult[], summary: BatchSummary): string {
  const suites = results.map(suite);
  const failures = suites.reduce((n, s) => n + Number(s.attrs?.failures ?? 0), 0);
  const tests = suites.reduce((n, s) => n + Number(s.attrs?.tests ?? 0), 0);
  return xmlDocument({ name: 'testsuites', attrs: { name: 'pasid-ledger audit', tests, failures, errors: summary.failed }, children: suites });
}
