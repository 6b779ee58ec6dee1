/** The shapes of a batch audit: one result per input file, the batch summary, the JSON result document. Types only. */
import type { Finding } from '../replay/finding.js';
import type { AuditSummary } from '../audit/summary.js';

/** A record of a finding's chain (time travel's `history --finding`): where it is in the trace. */
export interface ChainLink {
  readonly seq: number;
  readonly line: number | null;
  readonly fn: string;
}

/** A finding as a batch reports it; `chain` only when chains were asked for (SARIF, `--chains`). */
export type BatchFinding = Finding & { readonly chain?: readonly ChainLink[] };

export interface AuditedFile {
  readonly file: string;
  readonly ok: true;
  readonly summary: AuditSummary;
  readonly findings: readonly BatchFinding[];
}

/** A file that could not be audited (unreadable, not a trace, bad header, corrupt line, worker crash). */
export interface FailedFile {
  readonly file: string;
  readonly ok: false;
  readonly error: { readonly code: string; readonly message: string };
}

export type FileResult = AuditedFile | FailedFile;

export interface BatchSummary {
  readonly files: number;
  readonly audited: number;
  readonly failed: number;
  readonly records: number;
  readonly findings: number;
  readonly byCode: Readonly<Record<string, number>>;
  readonly bySeverity: Readonly<Record<string, number>>;
  /** Files that failed to read, in path order. */
  readonly failedFiles: readonly { readonly file: string; readonly code: string; readonly message: string }[];
}

export interface ShardSpec {
  /** 1-based. */
  readonly index: number;
  readonly count: number;
}

/** `audit --format json` of a batch, and what `merge` reads. */
export interface BatchDocument {
  readonly format: typeof RESULT_FORMAT;
  readonly version: 1;
  /** The shard this run covered; null for a whole run (and for the output of merge). */
  readonly shard: ShardSpec | null;
  /** Chains were computed (merge can then produce SARIF relatedLocations). */
  readonly chains: boolean;
  readonly files: readonly FileResult[];
  readonly summary: BatchSummary;
}

export const RESULT_FORMAT = 'pasid-ledger-audit';

/** What one file's audit needs (sent to a worker: plain data only). */
export interface AuditTask {
  readonly path: string;
  /** The name in messages and reports. */
  readonly file: string;
  readonly kernel?: string;
  readonly from?: string;
  readonly xstate?: boolean;
  readonly chains?: boolean;
}
