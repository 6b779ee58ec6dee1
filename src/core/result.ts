/** Errors as values: a stable code, a message naming file, line, field and fix. Pure. */

export interface LedgerError {
  /** Stable UPPER_SNAKE code, e.g. FIELD_INVALID, SEQ_NOT_INCREASING, TORN_TAIL. */
  readonly code: string;
  /** One line: `file:line: field "x": what is wrong; how to fix it`. */
  readonly message: string;
  readonly file?: string;
  readonly line?: number;
  readonly field?: string;
  readonly seq?: number;
  /** Byte offset of the offending line in the file, when known. */
  readonly offset?: number;
}

export type Result<T, E = LedgerError> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: E };

export const ok = <T>(value: T): Result<T, never> => ({ ok: true, value });
export const err = <E>(error: E): Result<never, E> => ({ ok: false, error });

/** Builds a LedgerError whose message starts with `file:line:` and names the field. */
export function ledgerError(
  code: string,
  what: string,
  where: { file?: string; line?: number; field?: string; seq?: number; offset?: number; fix?: string } = {},
): LedgerError {
  const loc = where.file !== undefined ? `${where.file}${where.line !== undefined ? `:${where.line}` : ''}: ` : '';
  const field = where.field !== undefined ? `field "${where.field}": ` : '';
  const fix = where.fix ? `; ${where.fix}` : '';
  return { code, message: `${loc}${field}${what}${fix}`, ...where };
}
