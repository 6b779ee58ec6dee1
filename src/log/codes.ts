/**
 * The stable error codes of the trace/log reader, writer and repair, each with its cause and fix.
 * This table is the one source of the codes and of the error table in docs/trace-format.md. Pure data.
 */

interface CodeSpec {
  /** 'error' makes a file invalid; 'warning' is reported but the file stays valid. */
  readonly severity: 'error' | 'warning';
  readonly cause: string;
  readonly fix: string;
}

export const CODE_SPECS = {
  EMPTY_FILE: { severity: 'error', cause: 'the file has no bytes at all', fix: 'a trace starts with a header line; re-capture or write one' },
  BOM: { severity: 'error', cause: 'line 1 starts with a UTF-8 byte order mark (EF BB BF)', fix: "strip it, e.g. `sed -i '1s/^\\xEF\\xBB\\xBF//' FILE`" },
  HEADER_MISSING: { severity: 'error', cause: 'line 1 is JSON but not a header object (`"type":"header"`)', fix: 'add a header line before the first record' },
  HEADER_INVALID: { severity: 'error', cause: 'the header breaks its schema, or names the other format (a log read as a trace or the reverse)', fix: 'fix the named header field, or pass the right `--kind`' },
  HEADER_VERSION_UNSUPPORTED: { severity: 'error', cause: 'the header `version` is newer than this pasid-ledger reads (1)', fix: 'upgrade pasid-ledger, or re-capture with the older format' },
  INVALID_UTF8: { severity: 'error', cause: 'the line is not well-formed UTF-8', fix: 're-encode the file as UTF-8 or re-capture' },
  LINE_TOO_LONG: { severity: 'error', cause: 'the line is longer than the limit (64 KiB by default, excluding the line end)', fix: 'shorten the record (long `comm`/`description` text), or raise the limit' },
  BLANK_LINE: { severity: 'error', cause: 'an empty (or whitespace-only) line before the last one; only one final newline is allowed', fix: 'delete the blank line' },
  NOT_JSON: { severity: 'error', cause: 'the line does not parse as JSON (a line with `\\r` inside it gets a hint about `\\r`-only line ends)', fix: 'fix the record or re-capture' },
  NESTING_TOO_DEEP: { severity: 'error', cause: 'objects and arrays nest deeper than 64 levels (checked before parsing)', fix: 'flatten the value; records nest two levels' },
  DUPLICATE_KEY: { severity: 'error', cause: 'an object names the same key twice (JSON.parse would keep the last, another reader the first)', fix: 'remove one of the two' },
  FORBIDDEN_KEY: { severity: 'error', cause: 'an object key `__proto__`, `constructor` or `prototype` (refused so no object can be polluted)', fix: 'rename or remove the key' },
  UNSAFE_NUMBER: { severity: 'error', cause: 'an integer beyond ±(2^53-1): JSON.parse would silently round it', fix: 'write kernel pointers and 64-bit values as hex strings ("0xffff888100000000")' },
  UNKNOWN_RECORD_TYPE: { severity: 'error', cause: 'a record `fn` (or a fact `type`) that is not in the catalogue', fix: 'use the suggested name, or a name listed in docs/trace-format.md' },
  FIELD_INVALID: { severity: 'error', cause: 'a record (or fact) breaks its schema: a missing, unknown or out-of-range field', fix: 'fix the named field or re-capture' },
  SEQ_NOT_INCREASING: { severity: 'error', cause: 'a record `seq` not greater than the previous one (facts: lower than the previous one)', fix: 'renumber, or restore the original line order' },
  PARENT_UNKNOWN: { severity: 'error', cause: '`parent` does not name the seq of an earlier record of the same trace', fix: 'point `parent` at the enclosing call, or drop it' },
  TRAILER_MISMATCH: { severity: 'error', cause: 'the trailer\'s count or SHA-256 differs from the lines before it: the file was changed or cut after it was written', fix: 'restore the file, or re-create it; delete the trailer line only if the edit was intended' },
  TRAILER_NOT_LAST: { severity: 'error', cause: 'a line after the trailer (a complete file was appended to, or two files joined)', fix: 'remove the lines after the trailer, or split the file' },
  TORN_TAIL: { severity: 'warning', cause: 'the last line has no final newline and does not parse or validate: a write cut short by a crash', fix: 'run `pasid-ledger repair FILE` to truncate it; every earlier record is kept' },
  ERROR_LIMIT: { severity: 'warning', cause: '`--all-errors` stopped after the maximum number of errors (100 by default)', fix: 'fix the reported lines and validate again' },
  READ_FAILED: { severity: 'error', cause: 'the file could not be opened or read (missing, a directory, no permission, I/O error)', fix: 'the message names the cause: a missing file, a directory, no permission' },
  WRITE_FAILED: { severity: 'error', cause: 'the writer could not open, write, fsync or truncate the file', fix: 'check the path, permissions and free space' },
  HEADER_EXPECTED: { severity: 'error', cause: 'the writer was given a record before the header, or a second header', fix: 'append exactly one header first' },
  FILE_COMPLETE: { severity: 'error', cause: 'the writer was opened on a file that ends with its trailer (complete): appending would make it incomplete', fix: 'write to a new file' },
  WRITER_CLOSED: { severity: 'error', cause: 'the writer is not open (open() not called or failed, or closed)', fix: 'call open() and check its result' },
} as const satisfies Record<string, CodeSpec>;

export type ErrorCode = keyof typeof CODE_SPECS;

/** The codes by name, so call sites read `CODES.NOT_JSON` and a typo does not compile. */
export const CODES = Object.fromEntries(Object.keys(CODE_SPECS).map((c) => [c, c])) as { readonly [C in ErrorCode]: C };
