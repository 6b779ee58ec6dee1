/** Counts what an import kept and skipped, for the closing summary. */
import { PROBLEM_SEVERITY, type ImportProblem, type ProblemCode } from './problems.js';
import type { ImportSummary, KernelReport, ReasonCount, CaptureFormat } from './importTypes.js';
import type { ForeignKind } from './captureEvent.js';

/**
 * Problems that mean a call or line produced no record (as opposed to notes about kept records). An
 * entry without a return is kept as a call with an unknown return since #20, so it is a note.
 */
export const SKIPPING: ReadonlySet<ProblemCode> = new Set<ProblemCode>([
  'RETURN_WITHOUT_ENTRY', 'TRUNCATED_LINE', 'FIELD_INVALID', 'RECORD_INVALID', 'UNKNOWN_FUNCTION', 'FOREIGN_LINE', 'LINE_TOO_LONG',
]);

/** Kernel reports kept in the summary and the trace header (a WARN storm is counted, not listed). */
export const MAX_REPORTS = 32;

const FOREIGN_WORDS: Readonly<Record<ForeignKind, string>> = {
  function_graph: 'function_graph lines',
  function: 'function-tracer lines',
  tracepoint: 'tracepoint lines',
  kprobe: 'kprobe hits of other functions',
  text: 'other lines',
  json: 'other JSON lines',
};

export class SummaryBuilder {
  readonly #reasons = new Map<ProblemCode, { count: number; firstLine: number }>();
  readonly #unknown = new Map<string, number>();
  readonly #lostAfter: number[] = [];
  readonly #foreign = new Map<ForeignKind, number>();
  #lost = 0;
  #kept = 0;
  #lines = 0;
  #kernel: string | undefined;
  readonly #reports: KernelReport[] = [];

  constructor(
    private readonly file: string,
    private readonly from: CaptureFormat,
  ) {}

  /** Counts a problem; true when it is the first of its code (or of its unknown function). */
  count(problem: ImportProblem): boolean {
    const r = this.#reasons.get(problem.code);
    if (r === undefined) this.#reasons.set(problem.code, { count: 1, firstLine: problem.line });
    else r.count++;
    if (problem.code === 'UNKNOWN_FUNCTION' && problem.fn !== undefined) {
      const n = (this.#unknown.get(problem.fn) ?? 0) + 1;
      this.#unknown.set(problem.fn, n);
      return n === 1;
    }
    return r === undefined;
  }

  foreign(kind: ForeignKind): void {
    this.#foreign.set(kind, (this.#foreign.get(kind) ?? 0) + 1);
  }

  /** What the capture held, in words: "6 function_graph lines, 0 kprobe hits of the kit's events". */
  seenText(): string {
    const parts = [...this.#foreign].map(([k, n]) => `${n} ${FOREIGN_WORDS[k]}`);
    let unknown = 0;
    for (const n of this.#unknown.values()) unknown += n;
    if (unknown > 0) parts.push(`${unknown} probe hits of functions pasid-ledger does not model (${[...this.#unknown.keys()].slice(0, 5).join(', ')})`);
    const skipped = [...this.#reasons].filter(([c]) => SKIPPING.has(c) && c !== 'UNKNOWN_FUNCTION' && c !== 'FOREIGN_LINE').reduce((a, [, r]) => a + r.count, 0);
    if (skipped > 0) parts.push(`${skipped} calls of the kit's events that could not be read`);
    parts.push(`${this.#kept} records of the kit's events`);
    return parts.join(', ');
  }

  /** Keeps a kernel report for the summary (the first MAX_REPORTS; the count of KERNEL_REPORT says how many there were). */
  report(r: KernelReport): void {
    if (this.#reports.length < MAX_REPORTS) this.#reports.push(r);
  }

  /** Adds the `RIP:` location to the latest report of a task that has none yet. */
  rip(tid: number, rip: string): void {
    for (let i = this.#reports.length - 1; i >= 0; i--) {
      const r = this.#reports[i];
      if (r.tid !== tid) continue;
      if (r.rip === undefined) this.#reports[i] = { ...r, rip };
      return;
    }
  }

  /** The latest report of a task, if any. */
  lastReport(tid: number): KernelReport | undefined {
    for (let i = this.#reports.length - 1; i >= 0; i--) if (this.#reports[i].tid === tid) return this.#reports[i];
    return undefined;
  }

  kept(): void {
    this.#kept++;
  }

  line(n: number): void {
    this.#lines = n;
  }

  lost(count: number | undefined, afterSeq: number): void {
    this.#lost += count ?? 0;
    this.#lostAfter.push(afterSeq);
  }

  kernel(k: string): void {
    this.#kernel = k;
  }

  build(): ImportSummary {
    const reasons: Partial<Record<ProblemCode, ReasonCount>> = {};
    const notes: Partial<Record<ProblemCode, ReasonCount>> = {};
    let skipped = 0;
    let clean = true;
    let fatal = false;
    for (const [code, r] of this.#reasons) {
      // Why: a reader asks first why records are missing; notes about kept records are another question.
      if (SKIPPING.has(code) || PROBLEM_SEVERITY[code] === 'fatal') reasons[code] = { count: r.count, firstLine: r.firstLine };
      else notes[code] = { count: r.count, firstLine: r.firstLine };
      if (SKIPPING.has(code)) skipped += r.count;
      if (PROBLEM_SEVERITY[code] !== 'notice') clean = false;
      if (PROBLEM_SEVERITY[code] === 'fatal') fatal = true;
    }
    return {
      file: this.file,
      from: this.from,
      ...(this.#kernel !== undefined ? { kernel: this.#kernel } : {}),
      lines: this.#lines,
      kept: this.#kept,
      skipped,
      reasons,
      notes,
      kernelReports: [...this.#reports],
      unknownFunctions: Object.fromEntries(this.#unknown),
      lostEvents: this.#lost,
      lostEventsAfterSeq: [...this.#lostAfter],
      seen: Object.fromEntries(this.#foreign),
      clean,
      fatal,
    };
  }
}
