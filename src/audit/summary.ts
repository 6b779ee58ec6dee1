/** The audit's summary and JSON shape. Pure. */
import type { Finding } from '../replay/finding.js';
import type { Replay } from '../replay/replay.js';
import type { Coverage } from './coverage.js';

export interface AuditSummary {
  readonly kernel: string;
  readonly era: string;
  readonly records: number;
  readonly facts: number;
  readonly findings: number;
  readonly byCode: Readonly<Record<string, number>>;
  readonly bySeverity: Readonly<Record<string, number>>;
  readonly warnings: readonly string[];
  /** What the audit could see (import skips, blind rules); see src/audit/coverage.ts. */
  readonly coverage?: Coverage;
}

export interface AuditReport {
  readonly findings: readonly Finding[];
  readonly summary: AuditSummary;
}

export function summarize(replay: Replay, warnings: readonly { message: string }[], mark: (f: Finding) => Finding = (f) => f, coverage?: Coverage): AuditReport {
  const findings = replay.findings.map(mark);
  const byCode: Record<string, number> = {};
  const bySeverity: Record<string, number> = { bug: 0, misuse: 0, info: 0 };
  for (const f of findings) {
    byCode[f.code] = (byCode[f.code] ?? 0) + 1;
    bySeverity[f.severity]++;
  }
  return {
    findings,
    summary: {
      kernel: replay.profile.kernel,
      era: replay.profile.era,
      records: replay.records,
      facts: replay.log.length,
      findings: replay.findings.length,
      byCode: Object.fromEntries(Object.entries(byCode).sort(([a], [b]) => (a < b ? -1 : 1))),
      bySeverity,
      warnings: warnings.map((w) => w.message),
      ...(coverage !== undefined ? { coverage } : {}),
    },
  };
}

/** Findings that make `audit` exit 1: bugs and misuses (info findings do not). */
export const isActionable = (f: Finding) => f.severity !== 'info';
