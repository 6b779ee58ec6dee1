/**
 * Streaming reader of traces (call records) and derived-event logs (facts), JSON Lines.
 * Reads chunk by chunk, so memory stays bounded by one chunk plus one line whatever the file size.
 * Yields errors and warnings as items, never throws for bad input.
 */
import { createReadStream, statSync } from 'node:fs';
import type { TraceHeader } from '../../events/records.js';
import type { LogHeader } from '../../events/facts.js';
import type { LedgerError } from '../core/result.js';
import { TraceChecker } from './traceChecker.js';
import { LineSplitter } from './lineSplitter.js';
import type { FactEntry, ReaderOptions, ReadItem, ReadSummary, TraceEntry } from './readItem.js';
import { readFix } from '../io/output.js';
import { readerWorkerFile, readTraceFileInWorker } from './readerThread.js';

export type { FactEntry, ReaderOptions, ReadItem, ReadSummary, ReadTrailer, TraceEntry } from './readItem.js';
export { DEFAULT_MAX_ERRORS, DEFAULT_MAX_LINE_BYTES } from './readItem.js';

function toBytes(chunk: Uint8Array | string): Uint8Array {
  return typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
}

/**
 * The items of a read, one array per chunk of input (in file order, never empty): a consumer
 * handles a chunk's records in one synchronous loop instead of one promise per record.
 * Stops after the first error unless allErrors (then up to maxErrors errors, records after an
 * error are not yielded).
 */
export async function* readTraceChunks(source: AsyncIterable<Uint8Array | string>, options: ReaderOptions): AsyncGenerator<ReadItem[]> {
  const checker = new TraceChecker(options);
  const splitter = new LineSplitter(checker);
  try {
    for await (const chunk of source) {
      splitter.push(toBytes(chunk));
      const items = checker.items;
      if (items.length > 0) {
        checker.items = [];
        yield items;
      }
      // Why: leaving the loop closes the source (the file stream) early.
      if (checker.done) break;
    }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    checker.readFailed(code ?? (e as Error).message ?? String(e), readFix(code, options.file));
  }
  splitter.end();
  const summary = summaryOf(checker, splitter);
  const rest = checker.items;
  checker.items = [];
  if (rest.length > 0) yield rest;
  options.onEnd?.(summary);
}

/** Streams items in file order, one at a time (readTraceChunks flattened). */
export async function* readTrace(source: AsyncIterable<Uint8Array | string>, options: ReaderOptions): AsyncGenerator<ReadItem> {
  for await (const chunk of readTraceChunks(source, options)) for (const item of chunk) yield item;
}

function summaryOf(checker: TraceChecker, splitter: LineSplitter): ReadSummary {
  return { trailer: checker.trailer, sha256: splitter.sha256, bytes: splitter.bytes, complete: checker.errorCount === 0 };
}

/**
 * Bytes per read of a trace file: large enough that the per-chunk costs (a stream callback, a
 * promise, one decode) vanish against its ~1,700 records, small enough to stay a few MB of items.
 */
const FILE_CHUNK_BYTES = 1 << 18;

function fileSource(path: string): AsyncIterable<Uint8Array | string> {
  return path === '-' ? process.stdin : createReadStream(path, { highWaterMark: FILE_CHUNK_BYTES });
}

/**
 * From this size on a trace file is read in a worker thread (readerThread.ts): below it the thread's
 * start-up (≈ 0.1–0.3 s: modules, schemas, JIT) costs more than the reading it takes off this one.
 */
const WORKER_FROM_BYTES = 16 << 20;

/**
 * Whether a file is read in the worker: PASID_LEDGER_READER_THREAD=1 always, =auto from
 * WORKER_FROM_BYTES on, otherwise never. Off by default: measured on the shared 2-core machine
 * (docs/performance.md), the thread took no wall time off (no core was free) and added ≈ 60 MB of
 * RSS (a second isolate); `npm run bench` measures both in one run.
 */
function readerThreadFor(path: string): string | null {
  if (path === '-') return null;
  const choice = process.env.PASID_LEDGER_READER_THREAD;
  if (choice !== '1' && choice !== 'auto') return null;
  const worker = readerWorkerFile();
  if (worker === null) return null;
  if (choice === '1') return worker;
  try {
    return statSync(path).size >= WORKER_FROM_BYTES ? worker : null;
  } catch {
    // The reader reports the failure as it always does.
    return null;
  }
}

/**
 * readTraceChunks over a file; '-' reads stdin. The display name defaults to the path ('<stdin>' for
 * '-'). A large file is read and checked in a worker thread, so reading and replaying use two cores;
 * the items are the same either way.
 */
export function readTraceFileChunks(path: string, options: Partial<ReaderOptions> = {}): AsyncGenerator<ReadItem[]> {
  const file = options.file ?? (path === '-' ? '<stdin>' : path);
  const worker = readerThreadFor(path);
  if (worker !== null) return readTraceFileInWorker(path, { ...options, file }, worker);
  return readTraceChunks(fileSource(path), { ...options, file });
}

/** readTrace over a file; '-' reads stdin. The display name defaults to the path ('<stdin>' for '-'). */
export function readTraceFile(path: string, options: Partial<ReaderOptions> = {}): AsyncGenerator<ReadItem> {
  const file = options.file ?? (path === '-' ? '<stdin>' : path);
  return readTrace(fileSource(path), { ...options, file });
}

export interface SyncReadResult {
  header?: TraceHeader;
  entries: TraceEntry[];
  warnings: LedgerError[];
  errors: LedgerError[];
  /** Set when reading a derived-event log (kind 'log'). */
  logHeader?: LogHeader;
  /** The facts of a derived-event log (kind 'log'). */
  facts: FactEntry[];
  /** Trailer, hash and size of the input. */
  summary: ReadSummary;
}

/** Synchronous whole-buffer variant for tests and small inputs; same checks, same messages. */
export function readTraceSync(text: string | Uint8Array, options: ReaderOptions): SyncReadResult {
  const checker = new TraceChecker(options);
  const splitter = new LineSplitter(checker);
  splitter.push(toBytes(text));
  splitter.end();
  const result: SyncReadResult = { entries: [], warnings: [], errors: [], facts: [], summary: summaryOf(checker, splitter) };
  for (const item of checker.items) {
    switch (item.kind) {
      case 'header':
        result.header = item.header;
        break;
      case 'log-header':
        result.logHeader = item.header;
        break;
      case 'record':
        result.entries.push(item.entry);
        break;
      case 'fact':
        result.facts.push({ fact: item.fact, line: item.line, offset: item.offset });
        break;
      case 'warning':
        result.warnings.push(item.warning);
        break;
      case 'error':
        result.errors.push(item.error);
        break;
    }
  }
  return result;
}
