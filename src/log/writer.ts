/**
 * Append-only writer of traces (call records) and derived-event logs (facts). Every value is
 * validated before it is written, and each line goes out in ONE write of a complete line ending
 * in "\n", so a crash can leave at most a torn last line, never a split one in the middle.
 * Synchronous writes (fs.writeSync); errors are returned as values and emitted as `error`.
 */
import { accessSync, closeSync, constants, fstatSync, fsyncSync, ftruncateSync, linkSync, openSync, readSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { EventEmitter } from 'eventemitter3';
import { validateFact, validateHeader, validateLogHeader, validateRecord } from '../../events/validate.js';
import { TRACE_FORMAT_VERSION, type CallRecord, type TraceHeader } from '../../events/records.js';
import { LOG_FORMAT_VERSION, type Fact, type LogHeader } from '../../events/facts.js';
import { ledgerError, type LedgerError } from '../core/result.js';
import { CODES } from './codes.js';
import { diagnose, type Failure } from './traceChecker.js';
import { findForbiddenKey, findUnsafeNumber, findUnwritable } from './hazards.js';
import { ioFix } from '../io/output.js';
import { ContentDigest } from '../io/digest.js';
import { serializeTrailer } from '../../events/trailer.js';
import { describeHeaderError } from './schemaMessage.js';
import { serializeFact, serializeHeader, serializeRecord } from './serialize.js';
import { readTraceFile } from './reader.js';
import { SeqSet } from './seqSet.js';
import { DEFAULT_MAX_LINE_BYTES } from './readItem.js';

export interface WriterOptions {
  /** 'trace' (header then call records, default) or 'log' (header then facts). */
  readonly kind?: 'trace' | 'log';
  /** fsync after every append (durable, slower). */
  readonly fsync?: boolean;
  /** Display name for messages; defaults to the path. */
  readonly file?: string;
  /** On open, truncate a torn last line instead of refusing appends until repair(). */
  readonly truncateTornTail?: boolean;
  readonly maxLineBytes?: number;
}

export type Appendable = TraceHeader | LogHeader | CallRecord | Fact;

export interface WriterEvents {
  /** A value was written as line `line` starting at byte `offset`. */
  appended: [value: Appendable, line: number, offset: number];
  /** open() found a torn last line (a TORN_TAIL warning). */
  'torn-tail': [warning: LedgerError];
  /** An append, open, flush or close failed; the same error is returned. */
  error: [error: LedgerError];
}

function isHeader(v: Appendable): v is TraceHeader | LogHeader {
  return (v as { type?: unknown }).type === 'header';
}

export class TraceWriter extends EventEmitter<WriterEvents> {
  readonly path: string;
  readonly #file: string;
  readonly #kind: 'trace' | 'log';
  readonly #fsync: boolean;
  readonly #truncateTorn: boolean;
  readonly #maxLineBytes: number;
  #fd: number | undefined;
  /**
   * Opened on a path that did not exist: the file is created by the header's append, with the
   * header in it, so no reader ever sees it empty (a writer killed in between left an empty file,
   * which readers refuse as EMPTY_FILE).
   */
  #creating = false;
  #hasHeader = false;
  #lastSeq = -1;
  readonly #seen = new SeqSet();
  #lines = 0;
  #size = 0;
  /** The existing file ends without "\n" after a valid line: the next write starts with one. */
  #needsNewline = false;
  #torn: LedgerError | undefined;

  constructor(path: string, options: WriterOptions = {}) {
    super();
    this.path = path;
    this.#file = options.file ?? path;
    this.#kind = options.kind ?? 'trace';
    this.#fsync = options.fsync ?? false;
    this.#truncateTorn = options.truncateTornTail ?? false;
    this.#maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  }

  /** Lines in the file so far. */
  get lines(): number {
    return this.#lines;
  }

  /** The torn tail found by open() and not yet repaired, if any. */
  get tornTail(): LedgerError | undefined {
    return this.#torn;
  }

  /**
   * Opens (creating if needed) for appending. An existing file is read once in full, so appends
   * continue its seqs and nothing is appended after corruption; a torn last line is reported via
   * `torn-tail` and then refused until repair() (or truncated at once with truncateTornTail).
   */
  async open(): Promise<LedgerError | null> {
    if (this.#isOpen) return null;
    let existing = 0;
    try {
      existing = statSync(this.path).size;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') return this.#fail(CODES.WRITE_FAILED, `cannot open: ${code ?? (e as Error).message}`, ioFix(code, this.path));
      try {
        // Why now: a directory that cannot take the file is refused by open(), as before, not by the first append.
        accessSync(dirname(this.path), constants.W_OK | constants.X_OK);
      } catch (d) {
        const dcode = (d as NodeJS.ErrnoException).code;
        return this.#fail(CODES.WRITE_FAILED, `cannot open: ${dcode ?? (d as Error).message}`, ioFix(dcode, this.path));
      }
      this.#creating = true;
      return null;
    }
    if (existing > 0) {
      const problem = await this.#scan();
      if (problem) return this.#emitError(problem);
    }
    try {
      this.#fd = openSync(this.path, 'a');
      this.#size = fstatSync(this.#fd).size;
      if (this.#size > 0 && this.#torn === undefined) this.#needsNewline = this.#lastByte() !== 10;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      return this.#fail(CODES.WRITE_FAILED, `cannot open: ${code ?? (e as Error).message}`, ioFix(code, this.path));
    }
    if (this.#torn) {
      this.emit('torn-tail', this.#torn);
      if (this.#truncateTorn) return this.repair();
    }
    return null;
  }

  /** Truncates the torn tail found by open(); a no-op when there is none. */
  repair(): LedgerError | null {
    if (!this.#isOpen) return this.#fail(CODES.WRITER_CLOSED, 'writer is not open', 'call open() first');
    const torn = this.#torn;
    if (!torn || torn.offset === undefined) return null;
    try {
      ftruncateSync(this.#fd as number, torn.offset);
    } catch (e) {
      return this.#fail(CODES.WRITE_FAILED, `cannot truncate the torn tail: ${(e as Error).message}`, 'check permissions');
    }
    this.#size = torn.offset;
    this.#lines = (torn.line ?? 1) - 1;
    this.#torn = undefined;
    this.#needsNewline = false;
    return null;
  }

  /**
   * Validates value and appends it as one line: the header first, then records (trace) or facts
   * (log). Never throws: a value that cannot be written (too deep, cyclic, a BigInt, a getter that
   * throws) is a FIELD_INVALID error value (reliability F21).
   */
  append(value: Appendable): LedgerError | null {
    try {
      const unwritable = findUnwritable(value);
      if (unwritable !== undefined) {
        return this.#emitError(ledgerError(CODES.FIELD_INVALID, `cannot be written: ${unwritable.what}`, { file: this.#file, line: this.#lines + 1, field: unwritable.path, fix: 'pass plain JSON data: objects, arrays, strings, numbers, booleans, null' }));
      }
      return this.#append(value);
    } catch (e) {
      return this.#emitError(ledgerError(CODES.FIELD_INVALID, `cannot be written: ${(e as Error)?.message ?? String(e)}`, { file: this.#file, line: this.#lines + 1, fix: 'pass plain JSON data (no getters that throw)' }));
    }
  }

  #append(value: Appendable): LedgerError | null {
    if (!this.#isOpen) return this.#fail(CODES.WRITER_CLOSED, 'writer is not open', 'call open() and check its result');
    if (this.#torn) {
      return this.#fail(CODES.TORN_TAIL, `refused: the file ends in a torn line at byte offset ${this.#torn.offset}`, 'call repair() (or `pasid-ledger repair FILE`) first');
    }
    const problem = this.#hasHeader ? this.#checkBody(value) : this.#checkHeader(value);
    if (problem) return this.#emitError(ledgerError(problem.code, problem.what, { file: this.#file, line: this.#lines + 1, field: problem.field, fix: problem.fix }));
    const text = isHeader(value) ? serializeHeader(value) : this.#kind === 'trace' ? serializeRecord(value as CallRecord) : serializeFact(value as Fact);
    const bytes = Buffer.from(`${this.#needsNewline ? '\n' : ''}${text}\n`, 'utf8');
    const lineBytes = bytes.length - 1 - (this.#needsNewline ? 1 : 0);
    if (lineBytes > this.#maxLineBytes) {
      return this.#fail(CODES.LINE_TOO_LONG, `line would be ${lineBytes} bytes, over the limit of ${this.#maxLineBytes}`, 'shorten the comm or description text');
    }
    const offset = this.#size + (this.#needsNewline ? 1 : 0);
    if (this.#creating) return this.#create(value, bytes, offset);
    let written = 0;
    try {
      written = writeSync(this.#fd as number, bytes);
      if (this.#fsync) fsyncSync(this.#fd as number);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      return this.#fail(CODES.WRITE_FAILED, `cannot write: ${code ?? (e as Error).message}`, ioFix(code, this.path));
    }
    this.#size += written;
    if (written !== bytes.length) {
      // Why: a short write leaves a torn last line; refuse further appends until it is repaired.
      this.#torn = ledgerError(CODES.TORN_TAIL, `torn tail at byte offset ${offset} (short write)`, { file: this.#file, line: this.#lines + 1, offset });
      return this.#fail(CODES.WRITE_FAILED, `short write (${written} of ${bytes.length} bytes)`, `free space, then run \`pasid-ledger repair ${this.#file}\` (or call repair()) to cut the torn line`);
    }
    return this.#appended(value, offset);
  }

  #appended(value: Appendable, offset: number): null {
    this.#needsNewline = false;
    this.#lines++;
    if (isHeader(value)) this.#hasHeader = true;
    else {
      this.#lastSeq = value.seq;
      if (this.#kind === 'trace') this.#seen.add(value.seq);
    }
    this.emit('appended', value, this.#lines, offset);
    return null;
  }

  /**
   * Creates the file holding the header: written to a temporary file beside it, then hard-linked
   * under its name (which fails if a file appeared there meanwhile: nothing is replaced), then
   * opened for appending. Where the file system has no hard links, the file is created exclusively
   * and the header written into it.
   */
  #create(value: Appendable, bytes: Buffer, offset: number): LedgerError | null {
    const tmp = join(dirname(this.path), `.${basename(this.path)}.${process.pid}.${Date.now().toString(36)}.tmp`);
    let fd: number | undefined;
    try {
      fd = openSync(tmp, 'wx', 0o644);
      const n = writeSync(fd, bytes);
      if (n !== bytes.length) throw Object.assign(new Error(`short write (${n} of ${bytes.length} bytes)`), { code: 'ENOSPC' });
      if (this.#fsync) fsyncSync(fd);
      closeSync(fd);
      fd = undefined;
      try {
        linkSync(tmp, this.path);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw e;
        const direct = openSync(this.path, 'wx', 0o644);
        try {
          if (writeSync(direct, bytes) !== bytes.length) throw Object.assign(new Error('short write of the header'), { code: 'ENOSPC' });
        } finally {
          closeSync(direct);
        }
      }
      this.#fd = openSync(this.path, 'a');
      this.#creating = false;
      this.#size = bytes.length;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const what = code === 'EEXIST' ? 'cannot create: a file appeared under this name after open()' : `cannot create: ${code ?? (e as Error).message}`;
      return this.#fail(CODES.WRITE_FAILED, what, code === 'EEXIST' ? 'open() again to append to it, or write to another path' : ioFix(code, this.path));
    } finally {
      if (fd !== undefined) closeSync(fd);
      try {
        unlinkSync(tmp);
      } catch {
        /* never created, or already gone */
      }
    }
    return this.#appended(value, offset);
  }

  /**
   * Ends the file as complete: appends the trailer (the record or fact count and the SHA-256 of
   * every byte before it, read back from the file), fsyncs and closes. A file with a trailer is
   * refused by later open()s (FILE_COMPLETE): nothing may follow the trailer.
   */
  finish(): LedgerError | null {
    if (!this.#isOpen) return this.#fail(CODES.WRITER_CLOSED, 'writer is not open', 'call open() first');
    if (this.#torn) return this.#fail(CODES.TORN_TAIL, `refused: the file ends in a torn line at byte offset ${this.#torn.offset}`, 'call repair() (or `pasid-ledger repair FILE`) first');
    if (!this.#hasHeader) return this.#fail(CODES.HEADER_EXPECTED, 'a file without its header cannot be finished', 'append the header first');
    const digest = new ContentDigest();
    let rfd: number | undefined;
    try {
      // Why: hash what is on disk (earlier sessions' lines too), not what this process remembers writing.
      rfd = openSync(this.path, 'r');
      const buf = Buffer.alloc(1 << 20);
      for (let pos = 0; pos < this.#size; ) {
        const n = readSync(rfd, buf, 0, Math.min(buf.length, this.#size - pos), pos);
        if (n === 0) break;
        digest.update(buf.subarray(0, n));
        pos += n;
      }
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      return this.#fail(CODES.WRITE_FAILED, `cannot read the file back to hash it: ${code ?? (e as Error).message}`, ioFix(code, this.path));
    } finally {
      if (rfd !== undefined) closeSync(rfd);
    }
    // The missing "\n" of the last line belongs to the bytes the trailer covers.
    if (this.#needsNewline) digest.update('\n');
    const trailer = Buffer.from(`${this.#needsNewline ? '\n' : ''}${serializeTrailer(this.#lines - 1, digest.hex())}\n`, 'utf8');
    try {
      const n = writeSync(this.#fd as number, trailer);
      if (n !== trailer.length) return this.#fail(CODES.WRITE_FAILED, `short write of the trailer (${n} of ${trailer.length} bytes)`, `free space, then run \`pasid-ledger repair ${this.#file}\` and finish again`);
      this.#size += n;
      fsyncSync(this.#fd as number);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      return this.#fail(CODES.WRITE_FAILED, `cannot write the trailer: ${code ?? (e as Error).message}`, ioFix(code, this.path));
    }
    return this.close();
  }

  /** fsyncs what was appended so far. */
  flush(): LedgerError | null {
    if (!this.#isOpen) return this.#fail(CODES.WRITER_CLOSED, 'writer is not open', 'call open() first');
    // Nothing is on disk before the header's append creates the file.
    if (this.#fd === undefined) return null;
    try {
      fsyncSync(this.#fd);
      return null;
    } catch (e) {
      return this.#fail(CODES.WRITE_FAILED, `cannot fsync: ${(e as Error).message}`, 'check the device');
    }
  }

  /** Closes the file (fsyncing first when fsync was asked for); safe to call twice. */
  close(): LedgerError | null {
    // A writer closed before its header leaves no file (open() created none).
    this.#creating = false;
    if (this.#fd === undefined) return null;
    const fd = this.#fd;
    this.#fd = undefined;
    try {
      if (this.#fsync) fsyncSync(fd);
      closeSync(fd);
      return null;
    } catch (e) {
      return this.#fail(CODES.WRITE_FAILED, `cannot close: ${(e as Error).message}`, 'check the device');
    }
  }

  get #isOpen(): boolean {
    return this.#fd !== undefined || this.#creating;
  }

  #checkHeader(value: Appendable): Failure | undefined {
    if (!isHeader(value)) return { code: CODES.HEADER_EXPECTED, what: 'the first line must be the header', fix: 'append the header first' };
    const forbidden = findForbiddenKey(value);
    if (forbidden !== undefined) return { code: CODES.FORBIDDEN_KEY, field: forbidden, what: 'key refused', fix: 'rename or remove the key' };
    const unsafe = findUnsafeNumber(value);
    if (unsafe !== undefined) return { code: CODES.UNSAFE_NUMBER, field: unsafe, what: 'number beyond 2^53', fix: 'write 64-bit values as hex strings' };
    const supported = this.#kind === 'trace' ? TRACE_FORMAT_VERSION : LOG_FORMAT_VERSION;
    if (value.version > supported) {
      return { code: CODES.HEADER_VERSION_UNSUPPORTED, field: 'version', what: `version ${value.version} is newer than this pasid-ledger writes (version ${supported})`, fix: `write version ${supported}` };
    }
    const problem = this.#kind === 'trace' ? validateHeader(value) : validateLogHeader(value);
    return problem ? { code: CODES.HEADER_INVALID, ...describeHeaderError(problem, value) } : undefined;
  }

  #checkBody(value: Appendable): Failure | undefined {
    if (isHeader(value)) return { code: CODES.HEADER_EXPECTED, what: 'the file already has a header', fix: 'append records only' };
    const trace = this.#kind === 'trace';
    const problem = trace ? validateRecord(value) : validateFact(value);
    if (problem) return diagnose(value, JSON.stringify(value) ?? '', problem, this.#kind);
    const seq = value.seq;
    if (trace ? seq <= this.#lastSeq : seq < this.#lastSeq) {
      return { code: CODES.SEQ_NOT_INCREASING, field: 'seq', what: `seq ${seq} does not follow seq ${this.#lastSeq}`, fix: 'append in seq order' };
    }
    const parent = trace ? (value as CallRecord).parent : undefined;
    if (parent !== undefined && (parent >= seq || !this.#seen.has(parent))) {
      return { code: CODES.PARENT_UNKNOWN, field: 'parent', what: `parent ${parent} names no earlier record`, fix: 'point parent at the enclosing call' };
    }
    return undefined;
  }

  /** Reads the existing file: header, last seq, seen seqs, line count, torn tail; an error refuses the open. */
  async #scan(): Promise<LedgerError | undefined> {
    let trailerLine: number | undefined;
    const onEnd = (s: { trailer?: { line: number } }) => (trailerLine = s.trailer?.line);
    for await (const item of readTraceFile(this.path, { file: this.#file, kind: this.#kind, maxLineBytes: this.#maxLineBytes, onEnd })) {
      switch (item.kind) {
        case 'header':
        case 'log-header':
          this.#hasHeader = true;
          this.#lines = 1;
          break;
        case 'record':
          this.#lastSeq = item.entry.record.seq;
          this.#seen.add(item.entry.record.seq);
          this.#lines = item.entry.line;
          break;
        case 'fact':
          this.#lastSeq = item.fact.seq;
          this.#lines = item.line;
          break;
        case 'warning':
          if (item.warning.code === CODES.TORN_TAIL) this.#torn = item.warning;
          break;
        case 'error':
          return item.error;
      }
    }
    if (trailerLine !== undefined) {
      return ledgerError(CODES.FILE_COMPLETE, 'the file ends with its trailer: it is complete, and nothing may follow the trailer', { file: this.#file, line: trailerLine, fix: 'write to a new file' });
    }
    return undefined;
  }

  #lastByte(): number {
    const one = Buffer.alloc(1);
    // Why: the append fd is write-only ('a'), so the last byte is read through a second, read-only fd.
    const fd = openSync(this.path, 'r');
    try {
      readSync(fd, one, 0, 1, this.#size - 1);
    } finally {
      closeSync(fd);
    }
    return one[0];
  }

  #fail(code: string, what: string, fix: string): LedgerError {
    return this.#emitError(ledgerError(code, what, { file: this.#file, line: this.#lines + 1, fix }));
  }

  #emitError(error: LedgerError): LedgerError {
    this.emit('error', error);
    return error;
  }
}
