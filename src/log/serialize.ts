/**
 * Canonical JSON of headers, call records and facts: a fixed key order (the catalogue's), no spaces,
 * so writing what was read gives the same bytes. Pure. Values are assumed valid (validate first).
 */
import { RECORD_SPECS, type CallRecord, type TraceHeader } from '../../events/records.js';
import { FACT_SPECS, type Fact, type LogHeader } from '../../events/facts.js';

type Bag = Readonly<Record<string, unknown>>;

/** `"k":v` pairs of the keys of obj that are present (undefined is absent), in the given order. */
function members(obj: Bag, keys: readonly string[]): string {
  let out = '';
  for (const k of keys) {
    const v = obj[k];
    if (v === undefined) continue;
    out += `${out ? ',' : ''}${JSON.stringify(k)}:${JSON.stringify(v)}`;
  }
  return out;
}

const RECORD_HEAD = ['seq', 'ts', 'cpu', 'tid', 'parent', 'comm', 'caller', 'cutBy', 'fn'] as const;
const HEADER_KEYS = ['type', 'format', 'version', 'kernel', 'source', 'trace', 'host', 'description', 'import'] as const;

/** One call record as a line (without "\n"): seq, ts, cpu, tid, parent?, comm?, caller?, cutBy?, fn, args (catalogue order), ret?. */
export function serializeRecord(record: CallRecord): string {
  const args = members(record.args, Object.keys(RECORD_SPECS[record.fn].args));
  const ret = record.ret === undefined ? '' : `,"ret":${JSON.stringify(record.ret)}`;
  return `{${members(record, RECORD_HEAD)},"args":{${args}}${ret}}`;
}

/** One fact as a line (without "\n"): type, seq, then the fields in catalogue order. */
export function serializeFact(fact: Fact): string {
  return `{${members(fact, ['type', 'seq', ...Object.keys(FACT_SPECS[fact.type])])}}`;
}

/** A trace or log header as a line (without "\n"): type, format, version, kernel, source, trace, host, description. */
export function serializeHeader(header: TraceHeader | LogHeader): string {
  // Why the spread: the headers are interfaces (no index signature); their copy is a plain object type (once per file).
  return `{${members({ ...header }, HEADER_KEYS)}}`;
}
