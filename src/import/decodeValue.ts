/**
 * Decoding raw capture values by the C type of the argument or return (events/records.ts kinds):
 * ints sign-extend 32 bits to an errno name, ioasid_t/PASID all-ones to its INVALID name, pointers
 * to a stable name, NULL or an ERR_PTR errno. Pure except for the naming table it is handed.
 */
import { DOMAIN_TYPES, INVALID_IOASID, IOMMU_PASID_INVALID, type DomainType, type FieldKind } from '../../events/fields.js';
import type { Ret } from '../../events/records.js';
import { ok, err, type Result } from '../core/result.js';
import type { RawValue } from './captureEvent.js';
import { errnoName } from './errno.js';
import type { NameHint, NameCategory, PointerNames } from './naming.js';
import { baseSymbol, rawInteger, rawText, showRaw } from './rawValue.js';
import type { NameSource } from './catalog.js';

export type ArgValue = string | number | boolean | null;
type Decoded<T> = Result<T, string>;

const U32_ALL_ONES = 0xffffffffn;
/** ERR_PTR range: the top 4095 addresses (include/linux/err.h MAX_ERRNO). */
const MAX_ERRNO = 4095n;
const U64 = 1n << 64n;

// include/linux/iommu.h IOMMU_DOMAIN_* values (bits __IOMMU_DOMAIN_PAGING=1, DMA_API=2, PT=4, DMA_FQ=8, SVA=16, PLATFORM=32, NESTED=64).
const DOMAIN_TYPE_BY_VALUE: ReadonlyMap<bigint, DomainType> = new Map<bigint, DomainType>([
  [0n, 'blocked'], [4n, 'identity'], [1n, 'unmanaged'], [3n, 'dma'], [11n, 'dma_fq'], [16n, 'sva'], [64n, 'nested'],
]);

function u32(raw: RawValue): Decoded<bigint> {
  const n = rawInteger(raw, 10);
  return n === undefined ? err(`expected an unsigned int, got ${showRaw(raw)}`) : ok(BigInt.asUintN(32, n));
}

function pointer(raw: RawValue): Decoded<bigint> {
  if (raw.t === 'null') return ok(0n);
  const n = rawInteger(raw, 16);
  return n === undefined ? err(`expected a kernel pointer, got ${showRaw(raw)}`) : ok(BigInt.asUintN(64, n));
}

function errPtrErrno(p: bigint): Decoded<string> | undefined {
  if (p < U64 - MAX_ERRNO) return undefined;
  const name = errnoName(Number(U64 - p));
  return name === undefined ? err(`ERR_PTR(-${U64 - p}) is not an errno the trace format names`) : ok(name);
}

/** Decodes one argument of kind `kind` (names through `source`). */
export function decodeArg(
  kind: FieldKind,
  raw: RawValue,
  source: NameSource | undefined,
  names: PointerNames,
  hint: NameHint,
): Decoded<ArgValue> {
  switch (kind) {
    case 'dev':
    case 'text': {
      const text = rawText(raw);
      // Why: a kprobe string fetch that faulted prints (fault); that is no device name.
      return text === undefined || text === '(fault)' || text === '' ? err(`expected a string, got ${showRaw(raw)}`) : ok(text);
    }
    case 'name':
    case 'nameOrNull':
      return decodeName(raw, source, names, hint, kind === 'nameOrNull');
    case 'bool': {
      if (raw.t !== 'null' && (raw.v === 'true' || raw.v === 'false')) return ok(raw.v === 'true');
      const n = rawInteger(raw, 10);
      return n === undefined ? err(`expected a bool, got ${showRaw(raw)}`) : ok(n !== 0n);
    }
    case 'ioasid':
    case 'pasidOrInvalid':
    case 'pasid':
    case 'maxPasids':
    case 'count': {
      const v = u32(raw);
      if (!v.ok) return v;
      if (v.value === U32_ALL_ONES && kind === 'ioasid') return ok(INVALID_IOASID);
      if (v.value === U32_ALL_ONES && kind === 'pasidOrInvalid') return ok(IOMMU_PASID_INVALID);
      return ok(Number(v.value));
    }
    case 'signed': {
      const n = rawInteger(raw, 10);
      return n === undefined ? err(`expected an int, got ${showRaw(raw)}`) : ok(Number(BigInt.asIntN(32, n)));
    }
    case 'domainType': {
      const text = rawText(raw);
      if (text !== undefined && (DOMAIN_TYPES as readonly string[]).includes(text)) return ok(text);
      const n = rawInteger(raw, 10);
      const t = n === undefined ? undefined : DOMAIN_TYPE_BY_VALUE.get(n);
      return t === undefined ? err(`expected an IOMMU_DOMAIN_* type, got ${showRaw(raw)}`) : ok(t);
    }
    default:
      return err(`kind ${kind} is not an argument kind`);
  }
}

function decodeName(raw: RawValue, source: NameSource | undefined, names: PointerNames, hint: NameHint, nullable: boolean): Decoded<string | null> {
  const isNull = raw.t === 'null' || rawInteger(raw, 16) === 0n;
  if (isNull) return nullable ? ok(null) : err('is NULL');
  if (source === undefined || source.from !== 'pointer') {
    const text = rawText(raw);
    if (text === undefined) return err(`expected a name, got ${showRaw(raw)}`);
    return ok(source?.from === 'symbol' ? baseSymbol(text) : text);
  }
  const p = pointer(raw);
  return p.ok ? ok(names.nameOf(p.value, source.category, hint)) : p;
}

/** Decodes a return value by the C return type of the function. */
export function decodeReturn(
  kind: 'retInt' | 'retIntValue' | 'retVoid' | 'retBool' | 'retIoasid' | 'retPasid' | 'retHandle' | 'retPtr' | 'retDomain',
  raw: RawValue | undefined,
  category: NameCategory | undefined,
  names: PointerNames,
): Decoded<Ret> {
  if (kind === 'retVoid') return ok(null);
  if (raw === undefined) return err('the return value is missing');
  switch (kind) {
    case 'retInt':
    case 'retIntValue': {
      const n = rawInteger(raw, 16);
      if (n === undefined) return err(`expected an int return, got ${showRaw(raw)}`);
      const v = BigInt.asIntN(32, n);
      if (v === 0n) return ok(0);
      if (kind === 'retIntValue' && v > 0n) return ok(Number(v));
      const name = v < 0n ? errnoName(Number(-v)) : undefined;
      return name === undefined ? err(`int ${v} is neither 0 nor an errno the trace format names`) : ok(name);
    }
    case 'retBool': {
      if (raw.t !== 'null' && (raw.v === 'true' || raw.v === 'false')) return ok(raw.v === 'true');
      const n = rawInteger(raw, 16);
      return n === undefined ? err(`expected a bool return, got ${showRaw(raw)}`) : ok(BigInt.asUintN(8, n) !== 0n);
    }
    case 'retIoasid':
    case 'retPasid': {
      const n = rawInteger(raw, 16);
      if (n === undefined) return err(`expected an unsigned int return, got ${showRaw(raw)}`);
      const v = BigInt.asUintN(32, n);
      if (v === U32_ALL_ONES) return ok(kind === 'retIoasid' ? INVALID_IOASID : IOMMU_PASID_INVALID);
      return ok(Number(v));
    }
    case 'retHandle':
    case 'retPtr':
    case 'retDomain': {
      const p = pointer(raw);
      if (!p.ok) return p;
      if (p.value === 0n) return ok(null);
      const e = errPtrErrno(p.value);
      if (e !== undefined) return e;
      // A handle or domain a call returns is a (possibly new) object; ioasid_find's private data is a use.
      return ok(kind === 'retPtr' ? names.nameOf(p.value, category ?? 'data') : names.created(p.value, category ?? 'data'));
    }
  }
}
