/** Problems an import can meet: stable codes, their severity, and the constructor. Pure. */
import { ledgerError, type LedgerError } from '../core/result.js';

/**
 * Stable problem codes. `notice` ones (lines or functions that are simply not ours) are counted but do
 * not make an import unclean; `fatal` ones stop the import (exit 2).
 */
export const PROBLEM_SEVERITY = {
  /**
   * An entry whose return never came: the task oopsed inside the call, or was still in it when the
   * capture ended (or the return was lost). Kept as a call with an unknown return (#20).
   */
  ENTRY_WITHOUT_RETURN: 'problem',
  /** A return (kretprobe/fexit) with no matching entry on that task. */
  RETURN_WITHOUT_ENTRY: 'problem',
  /** The tracer dropped events here (bpftrace lost_events, ftrace `CPU:N [LOST M EVENTS]`). */
  LOST_EVENTS: 'problem',
  /** A timestamp smaller than the previous one on the same CPU. */
  CLOCK_BACKWARDS: 'problem',
  /** The last line has no newline and cannot be trusted: the capture was cut while being written. */
  TRUNCATED_LINE: 'problem',
  /** A capture field is missing or has a value the mapping cannot decode. */
  FIELD_INVALID: 'problem',
  /** The mapped record fails the trace schema (events/records.ts). */
  RECORD_INVALID: 'problem',
  /** The kernel version given with --kernel differs from the one the capture names. */
  KERNEL_MISMATCH: 'problem',
  /**
   * Entries of a function whose return never appears in the whole capture (its return probe was not
   * defined): kept as calls without a return value, and the nesting under them is unknown.
   */
  RETURN_PROBE_MISSING: 'problem',
  /** A call showed a device's max_pasids (BTF probe argument): an iommu_probe_device record was written before it. */
  PROBE_RECORD_ADDED: 'notice',
  /**
   * A device's max_pasids could not be read (a probe at boot, before dev->iommu exists; a NULL
   * dev->iommu): the probe is kept with max_pasids null, an unknown maximum.
   */
  MAX_PASIDS_UNKNOWN: 'notice',
  /** The kernel reported a WARN, BUG, oops or panic (a printk:console line of the capture), named with the call it happened in. */
  KERNEL_REPORT: 'notice',
  /** A probe on a kernel function pasid-ledger does not model: skipped. */
  UNKNOWN_FUNCTION: 'notice',
  /** A line of another tracer or tool interleaved with ours: skipped. */
  FOREIGN_LINE: 'notice',
  /** No kernel version: ftrace text carries none, and a bpftrace capture lacked its first line. */
  KERNEL_UNKNOWN: 'fatal',
  /** Not one line of the input is a capture line of the chosen format. */
  NOT_A_CAPTURE: 'fatal',
  /** Lines of the format were read, but none became a record of the PASID lifecycle: nothing to audit. */
  NO_LIFECYCLE_RECORD: 'fatal',
  /** A line longer than the limit (64 KiB, as the trace reader): skipped up to its end. */
  LINE_TOO_LONG: 'problem',
} as const;

export type ProblemCode = keyof typeof PROBLEM_SEVERITY;
export type Severity = (typeof PROBLEM_SEVERITY)[ProblemCode];

/** Notices worth a message every time (each is a different event), not only the first time. */
export const EVERY_TIME: ReadonlySet<ProblemCode> = new Set<ProblemCode>(['KERNEL_REPORT']);
export const PROBLEM_CODES = Object.keys(PROBLEM_SEVERITY) as ProblemCode[];

/** One problem, with the capture line it was found on (0 when it concerns the whole capture). */
export interface ImportProblem extends LedgerError {
  readonly code: ProblemCode;
  readonly line: number;
  readonly severity: Severity;
  /** The kernel function concerned, when there is one. */
  readonly fn?: string;
}

/** Builds a problem whose message reads `file:line: what; fix`. */
export function importProblem(
  code: ProblemCode,
  what: string,
  where: { file: string; line: number; fn?: string; fix?: string },
): ImportProblem {
  // Why: line 0 means "the whole capture"; `file:0:` would point nowhere.
  const base = ledgerError(code, what, { file: where.file, ...(where.line > 0 ? { line: where.line } : {}), fix: where.fix });
  return { ...base, code, line: where.line, severity: PROBLEM_SEVERITY[code], ...(where.fn ? { fn: where.fn } : {}) };
}
