import { describe, it, expect } from 'vitest';
import { decodeArg, decodeReturn } from '../../src/import/decodeValue.js';
import { PointerNames } from '../../src/import/naming.js';

const word = (v: string) => ({ t: 'word', v }) as const;
const num = (v: bigint) => ({ t: 'num', v }) as const;
const ret = (kind: Parameters<typeof decodeReturn>[0], raw: Parameters<typeof decodeReturn>[1]) => decodeReturn(kind, raw, 'domain', new PointerNames());

describe('return decoding by C type', () => {
  it('sign-extends the low 32 bits of an int to an errno name', () => {
    expect(ret('retInt', word('fffffffffffffff0'))).toEqual({ ok: true, value: '-EBUSY' });
    expect(ret('retInt', word('0x00000000fffffff0'))).toEqual({ ok: true, value: '-EBUSY' });
    expect(ret('retInt', num(-22n))).toEqual({ ok: true, value: '-EINVAL' });
  });
  it('reads an int 0 as success', () => {
    expect(ret('retInt', word('0x0'))).toEqual({ ok: true, value: 0 });
  });
  it('refuses an int that is neither 0 nor a known errno', () => {
    expect(ret('retInt', num(3n)).ok).toBe(false);
    expect(ret('retInt', num(-600n)).ok).toBe(false);
  });
  it('spells an all-ones ioasid_t as INVALID_IOASID', () => {
    expect(ret('retIoasid', word('0xffffffff'))).toEqual({ ok: true, value: 'INVALID_IOASID' });
    expect(ret('retIoasid', num(4294967295n))).toEqual({ ok: true, value: 'INVALID_IOASID' });
  });
  it('spells an all-ones global PASID as IOMMU_PASID_INVALID', () => {
    expect(ret('retPasid', word('ffffffff'))).toEqual({ ok: true, value: 'IOMMU_PASID_INVALID' });
  });
  it('reads an ERR_PTR as its errno name', () => {
    expect(ret('retHandle', word('0xffffffffffffffa1'))).toEqual({ ok: true, value: '-EOPNOTSUPP' });
    expect(ret('retDomain', word('fffffffffffff001'))).toEqual({ ok: false, error: expect.stringContaining('ERR_PTR(-4095)') });
  });
  it('reads a NULL pointer as null', () => {
    expect(ret('retPtr', word('0x0'))).toEqual({ ok: true, value: null });
  });
  it('names a pointer return', () => {
    expect(ret('retDomain', word('0xffff888104e1c000'))).toEqual({ ok: true, value: 'dom1' });
  });
  it('reads a bool from its low byte', () => {
    expect(ret('retBool', word('0x100'))).toEqual({ ok: true, value: false });
    expect(ret('retBool', word('0x1'))).toEqual({ ok: true, value: true });
  });
  it('gives null for a void function whatever the register held', () => {
    expect(ret('retVoid', word('0xffff888104e1c000'))).toEqual({ ok: true, value: null });
  });
  it('reports a missing return value', () => {
    expect(ret('retInt', undefined).ok).toBe(false);
  });
});

describe('argument decoding by kind', () => {
  const arg = (kind: Parameters<typeof decodeArg>[0], raw: Parameters<typeof decodeArg>[1]) =>
    decodeArg(kind, raw, { from: 'pointer', category: 'domain' }, new PointerNames(), {});
  it('reads unquoted ids as decimal (kprobe :u32)', () => {
    expect(arg('pasid', word('10'))).toEqual({ ok: true, value: 10 });
  });
  it('spells an all-ones ioasid argument INVALID_IOASID and a free_global pasid IOMMU_PASID_INVALID', () => {
    expect(arg('ioasid', word('4294967295'))).toEqual({ ok: true, value: 'INVALID_IOASID' });
    expect(arg('pasidOrInvalid', num(0xffffffffn))).toEqual({ ok: true, value: 'IOMMU_PASID_INVALID' });
  });
  it('reads an IOMMU_DOMAIN_* value as the domain type', () => {
    expect(arg('domainType', num(16n))).toEqual({ ok: true, value: 'sva' });
  });
  it('reads a NULL nameOrNull pointer as null, and refuses a NULL name', () => {
    expect(arg('nameOrNull', word('0x0'))).toEqual({ ok: true, value: null });
    expect(arg('name', word('0x0')).ok).toBe(false);
  });
  it('refuses a faulted string fetch as a device name', () => {
    expect(arg('dev', word('(fault)')).ok).toBe(false);
  });
});
