/** The items the trace/log reader yields and its options. Types only. */
import type { CallRecord, TraceHeader } from '../../events/records.js';
import type { Fact, LogHeader } from '../../events/facts.js';
import type { LedgerError } from '../core/result.js';

/** One call record of a trace with where it was read: 1-based line, byte offset of the line start. */
export interface TraceEntry {
  readonly record: CallRecord;
  readonly line: number;
  readonly offset: number;
}

/** One fact of a derived-event log with where it was read. */
export interface FactEntry {
  readonly fact: Fact;
  readonly line: number;
  readonly offset: number;
}

export interface ReaderOptions {
  /** Display name for messages. */
  readonly file: string;
  /** Keep checking after the first error (records after an error are not yielded). */
  readonly allErrors?: boolean;
  /** With allErrors, stop after this many errors; default 100. */
  readonly maxErrors?: number;
  /** Longest accepted line in bytes, without its line end; default 65536. */
  readonly maxLineBytes?: number;
  /** 'trace' (call records, default) or 'log' (derived facts). */
  readonly kind?: 'trace' | 'log';
  /** Called once at the end of the input with what the reader saw as a whole (trailer, hash, size). */
  readonly onEnd?: (summary: ReadSummary) => void;
}

/** A trailer the reader verified (its count and SHA-256 match the lines before it). */
export interface ReadTrailer {
  readonly count: number;
  readonly sha256: string;
  readonly line: number;
}

/** The input as a whole, known at its end. */
export interface ReadSummary {
  /** The verified trailer, or undefined when the file has none (or an error came first). */
  readonly trailer: ReadTrailer | undefined;
  /** SHA-256 (hex) and length of every byte read (the whole file when no error stopped the read). */
  readonly sha256: string;
  readonly bytes: number;
  /** False when an error stopped the read before the end. */
  readonly complete: boolean;
}

export type ReadItem =
  | { readonly kind: 'header'; readonly header: TraceHeader; readonly line: 1 }
  | { readonly kind: 'log-header'; readonly header: LogHeader; readonly line: 1 }
  | { readonly kind: 'record'; readonly entry: TraceEntry }
  | ({ readonly kind: 'fact' } & FactEntry)
  | { readonly kind: 'warning'; readonly warning: LedgerError }
  | { readonly kind: 'error'; readonly error: LedgerError };

export const DEFAULT_MAX_ERRORS = 100;
export const DEFAULT_MAX_LINE_BYTES = 65536;

/** The items of one chunk of input, in order (readTraceChunks): handled in one synchronous loop. */
export type ReadChunk = readonly ReadItem[];
