/** fast-check arbitraries of valid call records and traces, built from the catalogue's field kinds. */
import fc from 'fast-check';
import { ERRNO_ALIASES, ERRNOS, DOMAIN_TYPES, PASID_MAX, U32_MAX, INVALID_IOASID, IOMMU_PASID_INVALID, type FieldKind } from '../../events/fields.js';
import { RECORD_SPECS, CALL_NAMES, type CallName, type CallRecord } from '../../events/records.js';
import { serializeHeader, serializeRecord } from '../../src/log/serialize.js';
import { HEADER_LINE } from './sample.js';

const name = fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.:@/+#-]{0,12}$/);
// Aliases (-EWOULDBLOCK) are read as their primary name, so generated records use primary names only.
const errno = fc.constantFrom(...ERRNOS.map((e) => `-${e}`).filter((e) => ERRNO_ALIASES[e] === undefined));
const pasid = fc.oneof(fc.integer({ min: 0, max: PASID_MAX }), fc.integer({ min: 0, max: U32_MAX }));
const ioasid = fc.oneof(fc.integer({ min: 0, max: U32_MAX - 1 }), fc.constant(INVALID_IOASID));
const safe = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER });

/** Values of each field kind (every valid shape, multi-byte text included). */
export const KIND_ARBITRARIES: { readonly [K in FieldKind]: fc.Arbitrary<unknown> } = {
  name,
  nameOrNull: fc.option(name, { nil: null }),
  dev: name,
  text: fc.string({ unit: 'grapheme', maxLength: 20 }),
  bool: fc.boolean(),
  pasid,
  pasidOrInvalid: fc.oneof(pasid, fc.constant(IOMMU_PASID_INVALID)),
  ioasid,
  maxPasids: fc.integer({ min: 0, max: PASID_MAX + 1 }),
  count: safe,
  signed: fc.integer({ min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }),
  domainType: fc.constantFrom(...DOMAIN_TYPES),
  retInt: fc.oneof(fc.constant(0), errno),
  retIntValue: fc.oneof(fc.integer({ min: 0, max: 2147483647 }), errno),
  retVoid: fc.constant(null),
  retBool: fc.boolean(),
  retIoasid: ioasid,
  retPasid: fc.oneof(pasid, fc.constant(IOMMU_PASID_INVALID)),
  retHandle: fc.oneof(errno, name),
  retPtr: fc.oneof(errno, name, fc.constant(null)),
  retDomain: fc.option(name, { nil: null }),
};

function kindOf(spec: string): FieldKind {
  return (spec.endsWith('?') ? spec.slice(0, -1) : spec) as FieldKind;
}

/** The args of fn: every required field, optional ones sometimes. */
function argsOf(fn: CallName): fc.Arbitrary<Record<string, unknown>> {
  const spec = RECORD_SPECS[fn].args as Readonly<Record<string, string>>;
  const shape = Object.fromEntries(Object.entries(spec).map(([k, s]) => [k, KIND_ARBITRARIES[kindOf(s)]]));
  const requiredKeys = Object.entries(spec).filter(([, s]) => !s.endsWith('?')).map(([k]) => k);
  return fc.record(shape, { requiredKeys });
}

/** A record body (everything but seq and parent) of any function in the catalogue. */
const recordBody = fc.constantFrom(...CALL_NAMES).chain((fn) =>
  fc.record(
    {
      ts: safe,
      cpu: fc.integer({ min: 0, max: 4095 }),
      tid: fc.integer({ min: 0, max: 4_194_304 }),
      comm: fc.string({ unit: 'grapheme', maxLength: 16 }),
      fn: fc.constant(fn),
      args: argsOf(fn),
      ret: KIND_ARBITRARIES[RECORD_SPECS[fn].ret],
    },
    { requiredKeys: ['ts', 'cpu', 'tid', 'fn', 'args'] },
  ),
);

/** 1..max valid records: strictly increasing seqs, parents naming earlier records. */
export function recordsArb(max = 12): fc.Arbitrary<CallRecord[]> {
  return fc
    .array(fc.tuple(recordBody, fc.integer({ min: 1, max: 1000 }), fc.option(fc.nat(), { nil: undefined })), { minLength: 1, maxLength: max })
    .map((rows) => {
      let seq = 0;
      const seqs: number[] = [];
      return rows.map(([body, gap, parentPick]) => {
        seq += gap;
        const parent = parentPick !== undefined && seqs.length > 0 ? seqs[parentPick % seqs.length] : undefined;
        seqs.push(seq);
        return { seq, ...body, ...(parent !== undefined ? { parent } : {}) } as unknown as CallRecord;
      });
    });
}

/** The lines (header first) of a valid trace of these records, in canonical form. */
export function traceLines(records: readonly CallRecord[]): string[] {
  return [serializeHeader(JSON.parse(HEADER_LINE)), ...records.map(serializeRecord)];
}
