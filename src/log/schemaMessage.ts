/**
 * Turns the first ajv error of a header, record or fact into words: the field path ("args.pasid"),
 * what is wrong (with what the field accepts) and a fix. Pure.
 */
import type { FieldKind } from '../../events/fields.js';
import { RECORD_SPECS, COMMON_FIELDS, type CallName } from '../../events/records.js';
import { FACT_SPECS, type FactType } from '../../events/facts.js';
import type { SchemaError } from '../../events/validate.js';
import { KIND_TEXT } from './kindText.js';

export interface Problem {
  readonly field?: string;
  readonly what: string;
  readonly fix: string;
}

const PASID_KINDS: ReadonlySet<string> = new Set(['pasid', 'pasidOrInvalid', 'retPasid']);

/** "/args/pasid" → ["args", "pasid"] (JSON pointer, unescaped). */
function pointerParts(pointer: string): string[] {
  return pointer === '' ? [] : pointer.slice(1).split('/').map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function valueAt(value: unknown, parts: readonly string[]): unknown {
  let v = value;
  for (const p of parts) v = typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[p] : undefined;
  return v;
}

function shown(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function kindOf(spec: string | undefined): FieldKind | undefined {
  return spec === undefined ? undefined : ((spec.endsWith('?') ? spec.slice(0, -1) : spec) as FieldKind);
}

/** The kind of the field at parts, if the catalogue knows it. */
type KindLookup = (parts: readonly string[]) => FieldKind | undefined;

function describe(e: SchemaError, value: unknown, lookup: KindLookup, known: (parts: readonly string[]) => string[], what: string): Problem {
  const parts = pointerParts(e.path);
  const fix = 'fix the record or re-capture';
  if (e.keyword === 'required') {
    const field = [...parts, String(e.params.missingProperty)];
    const kind = lookup(field);
    return { field: field.join('.'), what: `is required${kind ? ` (${KIND_TEXT[kind]})` : ''}`, fix };
  }
  if (e.keyword === 'additionalProperties') {
    const field = [...parts, String(e.params.additionalProperty)];
    const allowed = known(parts);
    return { field: field.join('.'), what: `is not a field of ${what}`, fix: `remove it${allowed.length ? ` (known: ${allowed.join(', ')})` : ''}` };
  }
  const field = parts.length ? parts.join('.') : undefined;
  const got = `, got ${shown(valueAt(value, parts))}`;
  if (parts.length === 0) return { what: `${what} ${e.message}${got}`, fix };
  const kind = lookup(parts);
  if (kind && (e.keyword === 'maximum' || e.keyword === 'minimum') && PASID_KINDS.has(kind)) {
    return { field, what: `${e.message} (ioasid_t is a u32)${got}`, fix };
  }
  if (kind) return { field, what: `must be ${KIND_TEXT[kind]}${got}`, fix };
  return { field, what: `${e.message}${got}`, fix };
}

/** Words for the first schema error of a call record whose `fn` is in the catalogue. */
export function describeRecordError(e: SchemaError, record: { readonly fn: CallName }): Problem {
  const spec = RECORD_SPECS[record.fn];
  const args = spec.args as Readonly<Record<string, string>>;
  const common = COMMON_FIELDS as Readonly<Record<string, string>>;
  const lookup: KindLookup = (p) =>
    p.length === 1 ? (p[0] === 'ret' ? spec.ret : kindOf(common[p[0]])) : p.length === 2 && p[0] === 'args' ? kindOf(args[p[1]]) : undefined;
  const known = (p: readonly string[]): string[] =>
    p.length === 0 ? [...Object.keys(common), 'fn', 'args', 'ret'] : p[0] === 'args' ? Object.keys(args) : [];
  return describe(e, record, lookup, known, `${record.fn} records`);
}

/** Words for the first schema error of a fact whose `type` is in the catalogue. */
export function describeFactError(e: SchemaError, fact: { readonly type: FactType }): Problem {
  const fields = FACT_SPECS[fact.type] as Readonly<Record<string, string>>;
  const lookup: KindLookup = (p) => (p.length === 1 ? (p[0] === 'seq' ? 'count' : kindOf(fields[p[0]])) : undefined);
  const known = (p: readonly string[]): string[] => (p.length === 0 ? ['type', 'seq', ...Object.keys(fields)] : []);
  return describe(e, fact, lookup, known, `${fact.type} facts`);
}

/** Words for the first schema error of a header. */
export function describeHeaderError(e: SchemaError, header: unknown): Problem {
  const p = describe(e, header, () => undefined, () => [], 'the header');
  return { ...p, fix: 'fix the header line' };
}
