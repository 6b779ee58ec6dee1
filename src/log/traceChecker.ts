/**
 * The per-line checks of a trace or derived-event log, fed one line at a time by the line splitter
 * (streaming or whole-buffer alike, so both give the same items and messages). Holds only O(1) state
 * plus the runs of seen seqs; emits items into `items`, which the caller drains. No IO.
 */
import { validateHeader, validateLogHeader, validateRecord, validateFact, validateTrailer, type SchemaError } from '../../events/validate.js';
import { TRAILER_TYPE, type Trailer } from '../../events/trailer.js';
import { CALL_NAMES, TRACE_FORMAT, TRACE_FORMAT_VERSION, type CallName, type CallRecord, type TraceHeader } from '../../events/records.js';
import { FACT_TYPES, LOG_FORMAT, LOG_FORMAT_VERSION, type Fact, type FactType, type LogHeader } from '../../events/facts.js';
import { ledgerError, type LedgerError } from '../core/result.js';
import { CODES, type ErrorCode } from './codes.js';
import { countKeys, findDuplicateKey, findForbiddenKey, findUnsafeNumber, findUnsafeLiteral, MAX_DEPTH, scanJson } from './hazards.js';
import { nearestName } from './nearestName.js';
import { describeRecordError, describeFactError, describeHeaderError, type Problem } from './schemaMessage.js';
import { SeqSet } from './seqSet.js';
import { DEFAULT_MAX_ERRORS, DEFAULT_MAX_LINE_BYTES, type ReaderOptions, type ReadItem, type ReadTrailer } from './readItem.js';

export interface Failure extends Problem {
  readonly code: ErrorCode;
}

const UNSAFE_FIX = 'kernel pointers and 64-bit values must be hex strings, e.g. "0xffff888100000000"';

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isBlank(text: string): boolean {
  return text.trim() === '';
}

/** Why a parsed value that failed its schema failed, in the order a user should fix it (the writer uses it too). */
export function diagnose(value: unknown, text: string, problem: SchemaError, kind: 'trace' | 'log'): Failure {
  const forbidden = findForbiddenKey(value);
  if (forbidden !== undefined) {
    return { code: CODES.FORBIDDEN_KEY, field: forbidden, what: 'key refused (it could pollute an object prototype)', fix: 'rename or remove the key' };
  }
  const unsafe = findUnsafeNumber(value);
  if (unsafe !== undefined) {
    const literal = findUnsafeLiteral(text);
    return { code: CODES.UNSAFE_NUMBER, field: unsafe, what: `number ${literal ?? ''} is beyond 2^53 and JSON.parse would round it`.replace('  ', ' '), fix: UNSAFE_FIX };
  }
  if (isObject(value) && value.type === 'header') {
    return { code: CODES.FIELD_INVALID, what: 'a second header line (files cannot be concatenated)', fix: 'remove it, or split the file' };
  }
  if (problem.keyword === 'discriminator' && problem.params.error === 'mapping') {
    const name = String(problem.params.tagValue);
    const known: readonly string[] = kind === 'trace' ? CALL_NAMES : FACT_TYPES;
    const suggestion = nearestName(name, known);
    const noun = kind === 'trace' ? 'record type' : 'fact type';
    return {
      code: CODES.UNKNOWN_RECORD_TYPE,
      field: kind === 'trace' ? 'fn' : 'type',
      what: `unknown ${noun} ${JSON.stringify(name)}${suggestion ? `; did you mean ${suggestion}?` : ''}`,
      fix: 'use a name listed in docs/trace-format.md',
    };
  }
  if (!isObject(value)) {
    return { code: CODES.FIELD_INVALID, what: `a ${kind === 'trace' ? 'record' : 'fact'} must be a JSON object, got ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}`, fix: 'fix the line or re-capture' };
  }
  const described =
    kind === 'trace'
      ? typeof value.fn === 'string' && (CALL_NAMES as readonly string[]).includes(value.fn)
        ? describeRecordError(problem, value as { fn: CallName })
        : { field: 'fn', what: `must name a kernel function, got ${JSON.stringify(value.fn) ?? 'nothing'}`, fix: 'add the fn field' }
      : typeof value.type === 'string' && (FACT_TYPES as readonly string[]).includes(value.type)
        ? describeFactError(problem, value as { type: FactType })
        : { field: 'type', what: `must name a fact type, got ${JSON.stringify(value.type) ?? 'nothing'}`, fix: 'add the type field' };
  return { code: CODES.FIELD_INVALID, ...described };
}

/** A NOT_JSON message, with a hint when the line ends look like "\r" only (old Mac, some Windows tools). */
function notJson(e: unknown, text: string, header: boolean): string {
  const cr = text.indexOf('\r');
  const hint = cr >= 0 && cr < text.length - 1 ? '; the line holds "\\r" characters: are the line ends "\\r" only? convert them, e.g. tr \'\\r\' \'\\n\'' : '';
  return `${header ? 'header is not JSON' : 'not JSON'} (${(e as Error).message})${hint}`;
}

/** Refusals found before or right after JSON.parse: too deep, or a duplicate key. */
function structureFailure(text: string, keysInText: number, value: unknown): Failure | undefined {
  if (keysInText < 0) return { code: CODES.NESTING_TOO_DEEP, what: `objects and arrays nest deeper than ${MAX_DEPTH} levels`, fix: 'flatten the value; a record nests two levels (record, args)' };
  if (keysInText !== countKeys(value)) {
    const field = findDuplicateKey(text);
    return { code: CODES.DUPLICATE_KEY, field, what: 'the key appears twice in one object (readers disagree on which one counts)', fix: 'remove one of the two' };
  }
  return undefined;
}

export class TraceChecker {
  /** Items produced so far; the caller drains (empties) it. */
  items: ReadItem[] = [];
  /** No more items will come: after the first error (or maxErrors with allErrors) or a header error. */
  done = false;
  /** Lines seen so far (the number of the current line once `line()` is entered). */
  lineNo = 0;
  errorCount = 0;
  /** Set by the line splitter: SHA-256 of the input before a line start (undefined when unknown). */
  digestBefore: (offset: number) => string | undefined = () => undefined;
  /** The trailer line, once read and verified. */
  trailer: ReadTrailer | undefined;
  /** Body lines (records or facts) that passed so far: what a trailer counts. */
  #bodyLines = 0;

  readonly #file: string;
  readonly #kind: 'trace' | 'log';
  readonly #allErrors: boolean;
  readonly #maxErrors: number;
  readonly maxLineBytes: number;
  /** Records are yielded only while no error has been seen. */
  #clean = true;
  #lastSeq = -1;
  #lastSeqLine = 0;
  readonly #seen = new SeqSet();
  /**
   * When set (the reader's worker thread), the text of every record line that became an item, in
   * item order: the worker hands the texts on instead of the parsed records (cheaper to parse again
   * than to structured-clone).
   */
  recordTexts: string[] | null = null;

  constructor(options: ReaderOptions) {
    this.#file = options.file;
    this.#kind = options.kind ?? 'trace';
    this.#allErrors = options.allErrors ?? false;
    this.#maxErrors = Math.max(1, options.maxErrors ?? DEFAULT_MAX_ERRORS);
    this.maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  }

  /** One decoded line without its "\n"; terminated is false only for a final line with no "\n". */
  line(text: string, byteLength: number, offset: number, terminated: boolean): void {
    if (this.done) return;
    const line = ++this.lineNo;
    if (byteLength > this.maxLineBytes + 1) return this.#tooLong(line, byteLength, offset, terminated);
    // Why: JSON Lines tolerates CRLF; the "\r" is JSON whitespace anyway but is stripped to keep lengths honest.
    if (text.charCodeAt(text.length - 1) === 13) {
      text = text.slice(0, -1);
      byteLength--;
    }
    if (byteLength > this.maxLineBytes) return this.#tooLong(line, byteLength, offset, terminated);
    if (line === 1) return this.#header(text, offset);
    if (text.length === 0) return this.#fail(line, offset, terminated, { code: CODES.BLANK_LINE, what: 'blank line', fix: 'delete it (only one final newline is allowed)' });
    if (this.trailer !== undefined) {
      return this.#error(line, offset, { code: CODES.TRAILER_NOT_LAST, what: `a line after the trailer of line ${this.trailer.line} (the file was complete there)`, fix: 'remove the lines after the trailer, or split the file' });
    }
    // Why: the nesting bound comes before JSON.parse, so no walk of the value can overflow the stack (F1).
    const keys = scanJson(text);
    let value: unknown;
    if (keys >= 0) {
      try {
        value = JSON.parse(text);
      } catch (e) {
        if (isBlank(text)) return this.#fail(line, offset, terminated, { code: CODES.BLANK_LINE, what: 'blank line (whitespace only)', fix: 'delete it' });
        return this.#fail(line, offset, terminated, { code: CODES.NOT_JSON, what: notJson(e, text, false), fix: 'fix the line or re-capture' });
      }
    }
    const structure = structureFailure(text, keys, value);
    if (structure) return this.#fail(line, offset, terminated, structure);
    if (typeof value === 'object' && value !== null && (value as { type?: unknown }).type === TRAILER_TYPE) return this.#trailer(value, line, offset, terminated);
    this.#bodyLines++;
    if (this.#kind === 'trace') this.#record(value, text, line, offset, terminated);
    else this.#fact(value, text, line, offset, terminated);
  }

  /** A line whose bytes are not UTF-8. */
  invalidUtf8(byteLength: number, offset: number, terminated: boolean): void {
    if (this.done) return;
    const line = ++this.lineNo;
    const failure: Failure = { code: CODES.INVALID_UTF8, what: 'not valid UTF-8', fix: 're-encode the file as UTF-8 or re-capture' };
    if (line === 1) return this.#fatal(line, offset, failure);
    this.#fail(line, offset, terminated, failure);
  }

  /** A line longer than maxLineBytes (the splitter does not keep its bytes). */
  tooLong(byteLength: number, offset: number, terminated: boolean): void {
    if (this.done) return;
    this.#tooLong(++this.lineNo, byteLength, offset, terminated);
  }

  /** The end of the input. */
  end(): void {
    if (this.done) return;
    if (this.lineNo === 0) {
      this.#fatal(1, 0, { code: CODES.EMPTY_FILE, what: 'empty file', fix: `a ${this.#kind} starts with a header line; re-capture or write one` });
    }
    this.done = true;
  }

  /** The input could not be read (open failed or the stream errored). */
  readFailed(reason: string, fix = 'check the path and permissions'): void {
    if (this.done) return;
    // Why: nothing read yet means the file itself failed (a directory, missing): no line to name.
    const line = this.lineNo === 0 ? undefined : this.lineNo + 1;
    const error = ledgerError(CODES.READ_FAILED, `cannot read${line === undefined ? '' : ` past line ${this.lineNo}`}: ${reason}`, { file: this.#file, line, fix });
    this.items.push({ kind: 'error', error: dropUndefined(error) });
    this.#clean = false;
    this.errorCount++;
    this.done = true;
  }

  /** The trailer: last line, its count and hash match what came before; otherwise the file is not what was written. */
  #trailer(value: unknown, line: number, offset: number, terminated: boolean): void {
    const problem = validateTrailer(value);
    if (problem) return this.#fail(line, offset, terminated, { code: CODES.FIELD_INVALID, field: problem.path.slice(1).replace(/\//g, '.') || undefined, what: `trailer ${problem.message}`, fix: 'a trailer is {"type":"trailer","count":N,"sha256":"<64 hex digits>"}; re-create the file' });
    const t = value as Trailer;
    const digest = this.digestBefore(offset);
    if (!this.#clean) return; // earlier errors: the count and hash cannot match, and say nothing new
    if (t.count !== this.#bodyLines || (digest !== undefined && digest !== t.sha256)) {
      const what =
        t.count !== this.#bodyLines
          ? `the trailer counts ${t.count} ${this.#noun()} but ${this.#bodyLines} come before it`
          : `the trailer's SHA-256 ${t.sha256.slice(0, 12)}… differs from the ${this.#noun()} before it (${(digest as string).slice(0, 12)}…)`;
      return this.#error(line, offset, { code: CODES.TRAILER_MISMATCH, what: `${what}: the file was changed or cut after it was written`, fix: 'restore or re-create the file; delete the trailer line only if the edit was intended' });
    }
    this.trailer = { count: t.count, sha256: t.sha256, line };
  }

  #noun(): string {
    return this.#kind === 'trace' ? 'records' : 'facts';
  }

  #tooLong(line: number, byteLength: number, offset: number, terminated: boolean): void {
    const failure: Failure = {
      code: CODES.LINE_TOO_LONG,
      what: `line is ${byteLength} bytes, over the limit of ${this.maxLineBytes}`,
      fix: 'shorten the record (long comm or description text)',
    };
    if (line === 1) return this.#fatal(line, offset, failure);
    this.#fail(line, offset, terminated, failure);
  }

  #header(text: string, offset: number): void {
    const fail = (f: Failure): void => this.#fatal(1, offset, f);
    const trace = this.#kind === 'trace';
    const format = trace ? TRACE_FORMAT : LOG_FORMAT;
    const supported = trace ? TRACE_FORMAT_VERSION : LOG_FORMAT_VERSION;
    if (text.charCodeAt(0) === 0xfeff) {
      return fail({ code: CODES.BOM, what: 'starts with a UTF-8 byte order mark', fix: "strip it, e.g. sed -i '1s/^\\xEF\\xBB\\xBF//' FILE" });
    }
    const expected = `{"type":"header","format":"${format}","version":${supported},...}`;
    const keys = scanJson(text);
    let value: unknown;
    if (keys >= 0) {
      try {
        value = JSON.parse(text);
      } catch (e) {
        if (isBlank(text)) return fail({ code: CODES.HEADER_MISSING, what: 'line 1 is blank, expected the header', fix: `start the file with ${expected}` });
        return fail({ code: CODES.NOT_JSON, what: notJson(e, text, true), fix: `start the file with ${expected}` });
      }
    }
    const structure = structureFailure(text, keys, value);
    if (structure) return fail(structure);
    if (!isObject(value) || value.type !== 'header') {
      const looksLike = isObject(value) && ('fn' in value || 'seq' in value) ? ' (it looks like a record)' : '';
      return fail({ code: CODES.HEADER_MISSING, what: `first line is not a header${looksLike}`, fix: `add a header line ${expected}` });
    }
    const forbidden = findForbiddenKey(value);
    if (forbidden !== undefined) return fail({ code: CODES.FORBIDDEN_KEY, field: forbidden, what: 'key refused (it could pollute an object prototype)', fix: 'rename or remove the key' });
    const unsafe = findUnsafeNumber(value);
    if (unsafe !== undefined) return fail({ code: CODES.UNSAFE_NUMBER, field: unsafe, what: `number ${findUnsafeLiteral(text) ?? ''} is beyond 2^53 and JSON.parse would round it`, fix: UNSAFE_FIX });
    const other = trace ? LOG_FORMAT : TRACE_FORMAT;
    if (value.format === other) {
      return fail({ code: CODES.HEADER_INVALID, field: 'format', what: `this is a ${trace ? 'derived-event log' : 'trace'} (${other}), not a ${trace ? 'trace' : 'derived-event log'}`, fix: `read it with --kind ${trace ? 'log' : 'trace'}` });
    }
    if (value.format === format && Number.isInteger(value.version) && (value.version as number) > supported) {
      return fail({
        code: CODES.HEADER_VERSION_UNSUPPORTED,
        field: 'version',
        what: `${format} version ${value.version} is newer than this pasid-ledger reads (version ${supported})`,
        fix: 'upgrade pasid-ledger',
      });
    }
    const problem = trace ? validateHeader(value) : validateLogHeader(value);
    if (problem) return fail({ code: CODES.HEADER_INVALID, ...describeHeaderError(problem, value) });
    // Why the casts: ajv checked the value against the schema the header types are generated from, but validate.ts returns the error, not a type guard.
    this.items.push(trace ? { kind: 'header', header: value as unknown as TraceHeader, line: 1 } : { kind: 'log-header', header: value as unknown as LogHeader, line: 1 });
  }

  #record(value: unknown, text: string, line: number, offset: number, terminated: boolean): void {
    const problem = validateRecord(value);
    if (problem) return this.#fail(line, offset, terminated, diagnose(value, text, problem, 'trace'));
    const record = value as CallRecord;
    if (record.seq <= this.#lastSeq) {
      return this.#error(line, offset, {
        code: CODES.SEQ_NOT_INCREASING,
        field: 'seq',
        what: `seq ${record.seq} is not greater than seq ${this.#lastSeq} of line ${this.#lastSeqLine}`,
        fix: 'renumber the records, or restore their original order',
      }, record.seq);
    }
    if (record.parent !== undefined && (record.parent >= record.seq || !this.#seen.has(record.parent))) {
      const why = record.parent >= record.seq ? `is not before this record's seq ${record.seq}` : 'names no earlier record of this trace';
      return this.#error(line, offset, { code: CODES.PARENT_UNKNOWN, field: 'parent', what: `parent ${record.parent} ${why}`, fix: 'point parent at the seq of the enclosing call, or drop it' }, record.seq);
    }
    this.#lastSeq = record.seq;
    this.#lastSeqLine = line;
    this.#seen.add(record.seq);
    if (this.#clean) {
      this.items.push({ kind: 'record', entry: { record, line, offset } });
      this.recordTexts?.push(text);
    }
  }

  #fact(value: unknown, text: string, line: number, offset: number, terminated: boolean): void {
    const problem = validateFact(value);
    if (problem) return this.#fail(line, offset, terminated, diagnose(value, text, problem, 'log'));
    const fact = value as Fact;
    // Why: the facts derived from one call share its seq, so a log's seqs only never decrease.
    if (fact.seq < this.#lastSeq) {
      return this.#error(line, offset, {
        code: CODES.SEQ_NOT_INCREASING,
        field: 'seq',
        what: `seq ${fact.seq} is lower than seq ${this.#lastSeq} of line ${this.#lastSeqLine}`,
        fix: 'restore the original order of the facts',
      }, fact.seq);
    }
    this.#lastSeq = fact.seq;
    this.#lastSeqLine = line;
    if (this.#clean) this.items.push({ kind: 'fact', fact, line, offset });
  }

  /** A line that does not parse or validate: an error, or a torn-tail warning when it is the unterminated last line. */
  #fail(line: number, offset: number, terminated: boolean, f: Failure): void {
    if (terminated) return this.#error(line, offset, f);
    const reason = `${f.field !== undefined ? `field "${f.field}": ` : ''}${f.what}`;
    this.items.push({
      kind: 'warning',
      warning: ledgerError(CODES.TORN_TAIL, `torn tail at byte offset ${offset} (last line has no newline and ${reason})`, {
        file: this.#file,
        line,
        offset,
        fix: `run \`pasid-ledger repair ${this.#file}\` to truncate it; every earlier record is kept`,
      }),
    });
  }

  #error(line: number, offset: number | undefined, f: Failure, seq?: number): void {
    const error: LedgerError = ledgerError(f.code, f.what, { file: this.#file, line, field: f.field, offset, seq, fix: f.fix });
    this.items.push({ kind: 'error', error: dropUndefined(error) });
    this.#clean = false;
    this.errorCount++;
    if (!this.#allErrors) this.done = true;
    else if (this.errorCount >= this.#maxErrors) {
      this.done = true;
      this.items.push({
        kind: 'warning',
        warning: ledgerError(CODES.ERROR_LIMIT, `stopped after ${this.errorCount} errors`, { file: this.#file, line, fix: 'fix the reported lines and validate again' }),
      });
    }
  }

  /** Header-level failures end the read: without a header nothing after it can be checked. */
  #fatal(line: number, offset: number | undefined, f: Failure): void {
    this.#error(line, offset, f);
    this.done = true;
  }
}

/** Keeps JSON output and deep-equality free of `field: undefined` noise. */
function dropUndefined(e: LedgerError): LedgerError {
  const out: LedgerError = { ...e };
  for (const [k, v] of Object.entries(out)) if (v === undefined) Reflect.deleteProperty(out, k);
  return out;
}
