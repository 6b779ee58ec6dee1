/** The batch summary, counted file by file as results stream past (no result is kept). Pure. */
import type { BatchSummary, FileResult } from './types.js';

export class BatchTally {
  #files = 0;
  #audited = 0;
  #records = 0;
  #findings = 0;
  #actionable = 0;
  readonly #byCode = new Map<string, number>();
  readonly #bySeverity: Record<string, number> = { bug: 0, misuse: 0, info: 0 };
  readonly #failed: { file: string; code: string; message: string }[] = [];

  add(r: FileResult): void {
    this.#files++;
    if (!r.ok) {
      this.#failed.push({ file: r.file, code: r.error.code, message: r.error.message });
      return;
    }
    this.#audited++;
    this.#records += r.summary.records;
    this.#findings += r.summary.findings;
    for (const [code, n] of Object.entries(r.summary.byCode)) this.#byCode.set(code, (this.#byCode.get(code) ?? 0) + n);
    for (const [sev, n] of Object.entries(r.summary.bySeverity)) this.#bySeverity[sev] = (this.#bySeverity[sev] ?? 0) + n;
    this.#actionable += (r.summary.bySeverity.bug ?? 0) + (r.summary.bySeverity.misuse ?? 0);
  }

  get actionable(): number {
    return this.#actionable;
  }

  get failed(): number {
    return this.#failed.length;
  }

  summary(): BatchSummary {
    return {
      files: this.#files,
      audited: this.#audited,
      failed: this.#failed.length,
      records: this.#records,
      findings: this.#findings,
      byCode: Object.fromEntries([...this.#byCode].sort(([a], [b]) => (a < b ? -1 : 1))),
      bySeverity: { ...this.#bySeverity },
      failedFiles: [...this.#failed].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0)),
    };
  }
}

export function summarizeBatch(results: readonly FileResult[]): BatchSummary {
  const t = new BatchTally();
  for (const r of results) t.add(r);
  return t.summary();
}

/** Exit status of a batch: 2 when some input was unusable (it was not audited), else 1 on bugs or misuses, else 0. */
export function batchExit(s: BatchSummary): 0 | 1 | 2 {
  if (s.failed > 0) return 2;
  return (s.bySeverity.bug ?? 0) + (s.bySeverity.misuse ?? 0) > 0 ? 1 : 0;
}
