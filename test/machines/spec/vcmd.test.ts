/**
 * #21 C4: the VT-d virtual-command exchange as records the model checks: vcmd_alloc_pasid /
 * vcmd_free_pasid (drivers/iommu/intel/pasid.c, read in the 5.10 form), called by the custom IOASID
 * allocator VT-d registers in a guest (intel_vcmd_ioasid_alloc / intel_vcmd_ioasid_free). They exist
 * with the vcmd allocator, v5.8 (3375303e8287) until "iommu/vt-d: Remove virtual command interface"
 * (v6.4, with 99b5726b4423 "iommu: Remove ioasid infrastructure"): both sides of both boundaries are here.
 */
import { describe, it, expect } from 'vitest';
import { call, type CallSpec } from '../../support/calls.js';
import { given } from '../../support/gwtAlloc.js';
import { alloc, free, registerPasidAllocator, release, VCMD_KERNELS } from '../../support/allocCalls.js';

const hostAlloc = (status?: string, pasid?: number, ret?: 0 | '-ENOSPC' | '-ENODEV') =>
  call('vcmd_alloc_pasid', { iommu: 'dmar0', ...(status === undefined ? {} : { status }), ...(pasid === undefined ? {} : { pasid }) }, ret);
const hostFree = (pasid: number, status?: string) => call('vcmd_free_pasid', { iommu: 'dmar0', pasid, ...(status === undefined ? {} : { status }) });
/** A record nested in the call at `seq`. */
const under = (seq: number, c: CallSpec): CallSpec => ({ ...c, parent: seq });

describe.each(VCMD_KERNELS)('vcmd_alloc_pasid on %s', (kernel) => {
  const guest = [registerPasidAllocator('dmar0')];
  const at = guest.length + 1;
  it('the host answers SUCCESS with a PASID: 0, and ioasid_alloc returns that PASID, tracked in the vcmd space', () => {
    const t = given(kernel, ...guest).when(alloc(1, 1000), under(at, hostAlloc('SUCCESS', 100, 0)));
    expect(t.rets).toEqual([100]);
    expect(t.codes).toEqual([]);
    expect(t.facts[0]).toMatchObject({ type: 'IoasidAllocated', ioasid: 100 });
  });
  it('NO_PASID_AVAIL: -ENOSPC (pr_info "No PASID available"), and ioasid_alloc INVALID_IOASID (IOASID_ALLOC_FAILED)', () => {
    const t = given(kernel, ...guest).when(alloc(1, 1000), under(at, hostAlloc('NO_PASID_AVAIL', undefined, '-ENOSPC')));
    expect(t.rets).toEqual(['INVALID_IOASID']);
    expect(t.codes).toEqual(['IOASID_ALLOC_FAILED']);
  });
  it('any other status: -ENODEV with VTD_VCMD_UNEXPECTED_STATUS (pr_warn), and ioasid_alloc INVALID_IOASID', () => {
    const t = given(kernel, ...guest).when(alloc(1, 1000), under(at, hostAlloc('3', undefined, '-ENODEV')));
    expect(t.rets).toEqual(['INVALID_IOASID']);
    expect(t.codes).toEqual(['IOASID_ALLOC_FAILED', 'VTD_VCMD_UNEXPECTED_STATUS']);
  });
  it('a recorded return that disagrees with the host\'s status is RET_MISMATCH (SUCCESS → 0, NO_PASID_AVAIL → -ENOSPC, other → -ENODEV)', () => {
    for (const [status, ret] of [['SUCCESS', '-ENOSPC'], ['NO_PASID_AVAIL', '-ENODEV'], ['9', 0]] as const) {
      const bad = given(kernel, ...guest).when(alloc(1, 1000), under(at, hostAlloc(status, 5, ret)));
      expect(bad.codes).toContain('RET_MISMATCH');
    }
    const t = given(kernel, ...guest).when(alloc(1, 1000), under(at, hostAlloc('NO_PASID_AVAIL', undefined, 0)));
    expect(t.codes).toContain('RET_MISMATCH');
  });
  it('without the status the host\'s return is taken as recorded (no finding)', () => {
    const t = given(kernel, ...guest).when(alloc(1, 1000), under(at, hostAlloc(undefined, 7, 0)));
    expect(t.codes).toEqual([]);
    expect(t.facts[0]).toMatchObject({ ioasid: 7 });
  });
  it('the host answers a PASID the guest tracks with private data: ioasid_alloc INVALID_IOASID and VTD_VCMD_HOST_DUPLICATE (intel_vcmd_ioasid_free refuses, no host free)', () => {
    const first = [...guest, { ...alloc(1, 1000, 100, null, 'p1') }, under(2, hostAlloc('SUCCESS', 100, 0))];
    const t = given(kernel, ...first).when(alloc(1, 1000), under(first.length + 1, hostAlloc('SUCCESS', 100, 0)));
    expect(t.rets[0]).toBe('INVALID_IOASID');
    expect(t.codes).toEqual(['IOASID_ALLOC_FAILED', 'VTD_VCMD_HOST_DUPLICATE']);
    expect(t.findings.find((f) => f.code === 'VTD_VCMD_HOST_DUPLICATE')?.message).toContain('Cannot free active IOASID');
    expect(t.children[0]).toEqual([]);
  });
  it('near miss: with no private data, intel_vcmd_ioasid_free gives the live PASID back to the host (a nested vcmd_free_pasid expected)', () => {
    const first = [...guest, alloc(1, 1000, 100), under(2, hostAlloc('SUCCESS', 100, 0))];
    const t = given(kernel, ...first).when(alloc(1, 1000), under(first.length + 1, hostAlloc('SUCCESS', 100, 0)));
    expect(t.codes).toEqual(['IOASID_ALLOC_FAILED', 'VTD_VCMD_HOST_DUPLICATE']);
    expect(t.children[0]).toEqual([{ fn: 'vcmd_free_pasid', args: { iommu: 'dmar0', pasid: 100 } }]);
  });
  it('near miss: a new PASID from the host is no duplicate', () => {
    const first = [...guest, alloc(1, 1000, 100), under(2, hostAlloc('SUCCESS', 100, 0))];
    const t = given(kernel, ...first).when(alloc(1, 1000), under(first.length + 1, hostAlloc('SUCCESS', 101, 0)));
    expect(t.codes).toEqual([]);
  });
});

describe.each(VCMD_KERNELS)('vcmd_free_pasid on %s', (kernel) => {
  it('SUCCESS is silent, returns void', () => {
    const t = given(kernel).when(hostFree(100, 'SUCCESS'));
    expect(t.ret).toBe(null);
    expect(t.codes).toEqual([]);
  });
  it('INVALID_PASID: the host does not know the PASID (pr_info "Invalid PASID"): VTD_VCMD_FREE_REFUSED', () => {
    const t = given(kernel).when(hostFree(100, 'INVALID_PASID'));
    expect(t.codes).toEqual(['VTD_VCMD_FREE_REFUSED']);
  });
  it('any other status: VTD_VCMD_FREE_REFUSED (pr_warn "Unexpected error code")', () => {
    expect(given(kernel).when(hostFree(100, '5')).codes).toEqual(['VTD_VCMD_FREE_REFUSED']);
  });
  it('nested in the guest\'s free of a vcmd ID it is the host\'s part of that free', () => {
    const setup = [registerPasidAllocator('dmar0'), alloc(1, 1000, 100), under(2, hostAlloc('SUCCESS', 100, 0))];
    const t = given(kernel, ...setup).when(release(kernel, 100), under(setup.length + 1, hostFree(100, 'SUCCESS')));
    expect(t.codes).toEqual([]);
  });
});

describe('the vcmd records exist with the vcmd allocator (v5.8 … v6.3)', () => {
  for (const kernel of ['5.7.0', '6.4.0']) {
    it(`${kernel}: CALL_NOT_IN_KERNEL`, () => {
      expect(given(kernel).when(hostAlloc('SUCCESS', 1, 0)).codes).toEqual(['CALL_NOT_IN_KERNEL']);
      expect(given(kernel).when(hostFree(1, 'SUCCESS')).codes).toEqual(['CALL_NOT_IN_KERNEL']);
    });
  }
  for (const kernel of ['5.8.0', '6.3.0']) {
    it(`${kernel}: decided`, () => {
      expect(given(kernel).when(hostAlloc('SUCCESS', 1, 0)).codes).toEqual([]);
    });
  }
  it('near miss of a free: a free of an ID the guest never tracked stays the IOASID model\'s (IOASID_FREE_UNKNOWN)', () => {
    expect(given('5.10.0', registerPasidAllocator('dmar0')).when(free(4242)).codes).toEqual(['IOASID_FREE_UNKNOWN']);
  });
});
