/** Counts what an import kept and skipped, for the closing summary. */
import { PROBLEM_SEVERITY, type ImportProblem, type ProblemCode } from './problems.js';
import type { ImportSummary, ReasonCount, CaptureFormat } from './importTypes.js';
import type { ForeignKind } from './captureEvent.js';

/** Problems that mean a call or line produced no record (as opposed to warnings about kept records). */
export const SKIPPING: ReadonlySet<ProblemCode> = new Set<ProblemCode>([
  'ENTRY_WITHOUT_RETURN', 'RETURN_WITHOUT_ENTRY', 'TRUNCATED_LINE', 'FIELD_INVALID', 'RECORD_INVALID', 'UNKNOWN_FUNCTION', 'FOREIGN_LINE', 'LINE_TOO_LONG',
]);

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
      seen: Object.fromEntries(this.#foreign),
      clean,
      fatal,
    };
  }
}
