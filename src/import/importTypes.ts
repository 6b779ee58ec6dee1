/** The public shapes of an import: options, the item stream and its closing summary. Pure types. */
import type { CallRecord, TraceHeader } from '../../events/records.js';
import type { ImportProblem, ProblemCode } from './problems.js';

export type CaptureFormat = 'ftrace' | 'bpftrace';
export const CAPTURE_FORMATS: readonly CaptureFormat[] = ['ftrace', 'bpftrace'];

export interface ImportOptions {
  readonly from: CaptureFormat;
  /** Kernel version of the machine under test; required for ftrace text, which does not carry it. */
  readonly kernel?: string;
  /** The capture's name in messages ("-" for stdin). */
  readonly file: string;
  /**
   * How many completed records may wait behind one open call before that call is given up as
   * ENTRY_WITHOUT_RETURN (a task that died mid-call would otherwise hold back the whole capture).
   */
  readonly maxHeld?: number;
}

/** A WARN, BUG, oops or panic the kernel logged while the capture ran. */
export interface KernelReport {
  /** Capture line of the report's first line. */
  readonly line: number;
  readonly ts: number;
  readonly tid: number;
  /** The report's first line ("BUG: kernel NULL pointer dereference, address: 0000000000000000"). */
  readonly text: string;
  /** Where it happened, from the report's `RIP:` line (`cache_tag_unassign_domain+0x3c/0x1e0`). */
  readonly rip?: string;
  /** The probed calls the task was inside, outermost first: their seq and function. */
  readonly inside: readonly { readonly seq: number; readonly fn: string }[];
}

/** How often a problem happened and where first. */
export interface ReasonCount {
  readonly count: number;
  readonly firstLine: number;
}

export interface ImportSummary {
  readonly file: string;
  readonly from: CaptureFormat;
  readonly kernel?: string;
  /** Capture lines read. */
  readonly lines: number;
  /** Records written to the trace. */
  readonly kept: number;
  /** Calls or lines that became no record, summed over `reasons` (the fatal ones aside). */
  readonly skipped: number;
  /** Why calls or lines became no record (or, for a fatal code, why the capture was refused). */
  readonly reasons: Readonly<Partial<Record<ProblemCode, ReasonCount>>>;
  /** What is worth knowing about records that were kept (or written): problems and notices that dropped nothing. */
  readonly notes: Readonly<Partial<Record<ProblemCode, ReasonCount>>>;
  /** The kernel's WARN/BUG/oops reports in the capture (printk:console lines), with the call each happened in. */
  readonly kernelReports: readonly KernelReport[];
  /** Probed functions pasid-ledger does not model, by symbol, with their counts. */
  readonly unknownFunctions: Readonly<Record<string, number>>;
  /** Events the tracer says it dropped (sum of the markers' counts; a marker without a count adds 0). */
  readonly lostEvents: number;
  /** For each lost-events marker, the last seq handed out before it: records after it may miss neighbours. */
  readonly lostEventsAfterSeq: readonly number[];
  /** Lines that were none of ours, by what they were (function_graph, tracepoint, …). */
  readonly seen: Readonly<Partial<Record<import('./captureEvent.js').ForeignKind, number>>>;
  /** True when nothing of severity problem or fatal happened. */
  readonly clean: boolean;
  /** True when the capture was unusable (no trace was produced). */
  readonly fatal: boolean;
}

/** One item of an import: the header first, then records in seq order, problems as found, the summary last. */
export type ImportItem =
  | { readonly kind: 'header'; readonly header: TraceHeader }
  | {
      readonly kind: 'record';
      readonly record: CallRecord;
      /** Capture line of the return/exit, and its byte offset. */
      readonly line: number;
      readonly offset: number;
    }
  | { readonly kind: 'problem'; readonly problem: ImportProblem }
  | { readonly kind: 'summary'; readonly summary: ImportSummary };
