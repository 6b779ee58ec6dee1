/** Counts what an import kept and skipped, for the closing summary. */
import { PROBLEM_SEVERITY, type ImportProblem, type ProblemCode } from './problems.js';
import type { ImportSummary, ReasonCount, CaptureFormat } from './importTypes.js';

/** Problems that mean a call or line produced no record (as opposed to warnings about kept records). */
const SKIPPING: ReadonlySet<ProblemCode> = new Set<ProblemCode>([
  'ENTRY_WITHOUT_RETURN', 'RETURN_WITHOUT_ENTRY', 'TRUNCATED_LINE', 'FIELD_INVALID', 'RECORD_INVALID', 'UNKNOWN_FUNCTION', 'FOREIGN_LINE',
]);

export class SummaryBuilder {
  readonly #reasons = new Map<ProblemCode, { count: number; firstLine: number }>();
  readonly #unknown = new Map<string, number>();
  readonly #lostAfter: number[] = [];
  #lost = 0;
  #kept = 0;
  #lines = 0;
  #kernel: string | undefined;

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
    let skipped = 0;
    let clean = true;
    let fatal = false;
    for (const [code, r] of this.#reasons) {
      reasons[code] = { count: r.count, firstLine: r.firstLine };
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
      unknownFunctions: Object.fromEntries(this.#unknown),
      lostEvents: this.#lost,
      lostEventsAfterSeq: [...this.#lostAfter],
      clean,
      fatal,
    };
  }
}
