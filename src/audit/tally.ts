/**
 * The audit summary counted as findings stream past, so neither the findings nor the records have
 * to stay in memory (issue #15 item 6). Gives what `summarize` gives for the same run. Pure.
 */
import type { Finding } from '../replay/finding.js';
import type { Replay } from '../replay/replay.js';
import type { AuditSummary } from './summary.js';

export class FindingTally {
  readonly #byCode = new Map<string, number>();
  readonly #bySeverity: Record<string, number> = { bug: 0, misuse: 0, info: 0 };
  #findings = 0;
  #actionable = 0;

  add(f: Finding): void {
    this.#findings++;
    this.#byCode.set(f.code, (this.#byCode.get(f.code) ?? 0) + 1);
    this.#bySeverity[f.severity]++;
    if (f.severity !== 'info') this.#actionable++;
  }

  /** Bugs and misuses seen (what makes `audit` exit 1). */
  get actionable(): number {
    return this.#actionable;
  }

  summary(replay: Pick<Replay, 'profile' | 'records'> & { readonly log: Pick<Replay['log'], 'length'> }, warnings: readonly { message: string }[]): AuditSummary {
    return {
      kernel: replay.profile.kernel,
      era: replay.profile.era,
      records: replay.records,
      facts: replay.log.length,
      findings: this.#findings,
      byCode: Object.fromEntries([...this.#byCode].sort(([a], [b]) => (a < b ? -1 : 1))),
      bySeverity: { ...this.#bySeverity },
      warnings: warnings.map((w) => w.message),
    };
  }
}
