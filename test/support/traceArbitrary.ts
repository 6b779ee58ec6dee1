/**
 * TEST-ONLY: fast-check arbitrary of valid traces: calls of any function with schema-valid arguments
 * and returns, on a few tasks, nested per task (parent = the innermost open call), seq dense from 1,
 * timestamps non-decreasing in µs (ftrace prints µs).
 */
import fc from 'fast-check';
import { CALL_NAMES, RECORD_SPECS, type CallName, type CallRecord } from '../../events/records.js';
import { DOMAIN_TYPES, ERRNO_ALIASES, ERRNOS, INVALID_IOASID, IOMMU_PASID_INVALID, PASID_MAX, U32_MAX, type FieldKind, type FieldList } from '../../events/fields.js';
import { isPointerArg } from './captureEmitter.js';

const POINTER_NAMES = ['dom1', 'dom2', 'sva1', 'mm@100', 'mm2', 'ops1', 'set1', 'priv'];
const STRING_NAMES = ['dmar0', 'dmar1', 'intel_vcmd_ioasid_alloc', 'intel_vcmd_ioasid_free', 'mmget_not_zero'];
const DEVICES = ['0000:00:02.0', '0000:6a:01.0', '0000:00:03.0'];
const COMMS = ['a.out', 'kworker/u16:3', 'idxd-test-run', 'sva test'];
// Aliases (-EWOULDBLOCK) are read as their primary name, so generated records use primary names only.
const errno = fc.constantFrom(...ERRNOS.map((e) => `-${e}`).filter((e) => ERRNO_ALIASES[e] === undefined));

function argArb(fn: CallName, arg: string, kind: FieldKind): fc.Arbitrary<unknown> {
  const name = isPointerArg(fn, arg) ? fc.constantFrom(...POINTER_NAMES) : fc.constantFrom(...STRING_NAMES);
  switch (kind) {
    case 'name':
      return name;
    case 'nameOrNull':
      return fc.option(name, { nil: null });
    case 'dev':
      return fc.constantFrom(...DEVICES);
    case 'bool':
      return fc.boolean();
    case 'pasid':
      return fc.integer({ min: 0, max: PASID_MAX });
    case 'pasidOrInvalid':
      return fc.oneof(fc.integer({ min: 0, max: PASID_MAX }), fc.constant(IOMMU_PASID_INVALID));
    case 'ioasid':
      return fc.oneof(fc.integer({ min: 0, max: U32_MAX - 1 }), fc.constant(INVALID_IOASID));
    case 'maxPasids':
      return fc.integer({ min: 0, max: PASID_MAX + 1 });
    case 'domainType':
      return fc.constantFrom(...DOMAIN_TYPES);
    default:
      throw new Error(`no arbitrary for argument kind ${kind}`);
  }
}

function retArb(fn: CallName): fc.Arbitrary<unknown> {
  const pointer = fc.constantFrom(...POINTER_NAMES);
  switch (RECORD_SPECS[fn].ret) {
    case 'retInt':
      return fc.oneof(fc.constant(0), errno);
    case 'retIntValue':
      return fc.oneof(fc.integer({ min: 0, max: PASID_MAX }), errno);
    case 'retVoid':
      return fc.constant(null);
    case 'retBool':
      return fc.boolean();
    case 'retIoasid':
      return fc.oneof(fc.integer({ min: 0, max: U32_MAX - 1 }), fc.constant(INVALID_IOASID));
    case 'retPasid':
      return fc.oneof(fc.integer({ min: 0, max: PASID_MAX }), fc.constant(IOMMU_PASID_INVALID));
    case 'retHandle':
      return fc.oneof(errno, pointer);
    case 'retPtr':
      return fc.oneof(errno, pointer, fc.constant(null));
    case 'retDomain':
      return fc.option(pointer, { nil: null });
  }
}

function argsArb(fn: CallName): fc.Arbitrary<Record<string, unknown>> {
  const spec: FieldList = RECORD_SPECS[fn].args;
  const entries = Object.entries(spec).map(([arg, k]) => {
    const optional = k.endsWith('?');
    const a = argArb(fn, arg, k.replace('?', '') as FieldKind);
    return [arg, optional ? fc.option(a, { nil: undefined }) : a] as const;
  });
  return fc.record(Object.fromEntries(entries)).map((o) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)));
}

const stepArb = fc.constantFrom(...CALL_NAMES).chain((fn) =>
  fc.record({
    fn: fc.constant(fn),
    args: argsArb(fn),
    ret: retArb(fn),
    tid: fc.constantFrom(100, 101, 102),
    close: fc.nat({ max: 3 }),
    cpu: fc.nat({ max: 7 }),
    dtUs: fc.nat({ max: 50 }),
    comm: fc.option(fc.constantFrom(...COMMS), { nil: undefined }),
  }),
);

/** A valid trace (records only; the header is the importer's concern). */
export const traceArb: fc.Arbitrary<CallRecord[]> = fc.array(stepArb, { maxLength: 40 }).map((steps) => {
  const open = new Map<number, number[]>();
  let ts = 1_000_000_000;
  return steps.map((s, i) => {
    const stack = open.get(s.tid) ?? [];
    stack.splice(Math.max(0, stack.length - s.close));
    const parent = stack[stack.length - 1];
    const seq = i + 1;
    stack.push(seq);
    open.set(s.tid, stack);
    ts += s.dtUs * 1000;
    return {
      seq,
      ts,
      cpu: s.cpu,
      tid: s.tid,
      ...(parent !== undefined ? { parent } : {}),
      ...(s.comm !== undefined ? { comm: s.comm } : {}),
      fn: s.fn,
      args: s.args,
      ret: s.ret,
    } as CallRecord;
  });
});
