/**
 * v5.x aux domains (#21 C5): iommu_aux_attach_device, iommu_aux_detach_device and
 * iommu_aux_get_pasid exist from v5.2 (the IOMMU pull for v5.2) until 8652d875939b removed them in
 * v5.18. VT-d's aux_domain_add_dev allocates the domain's default PASID at its first aux attach
 * (ioasid_alloc, nested), and the last aux detach frees it (ioasid_free ≤ v5.10, ioasid_put
 * v5.11–v5.17) without resetting domain->default_pasid.
 */
import { describe, it, expect } from 'vitest';
import { call } from '../support/calls.js';
import { given } from '../support/gwt.js';

const DEV = '0000:00:02.0';
const DEV2 = '0000:00:03.0';
const probe = (dev = DEV) => call('iommu_probe_device', { dev, max_pasids: 32 });
const unmanaged = (name: string) => call('iommu_domain_alloc', { type: 'unmanaged' }, name);
const auxAttach = (domain: string, dev = DEV, ret?: 0 | '-EPERM' | '-ENODEV') => call('iommu_aux_attach_device', { domain, dev }, ret);
const auxDetach = (domain: string, dev = DEV) => call('iommu_aux_detach_device', { domain, dev });
const getPasid = (domain: string, ret?: number | '-EINVAL') => call('iommu_aux_get_pasid', { domain, dev: DEV }, ret);
const defaultPasid = (ret: number | 'INVALID_IOASID') => call('ioasid_alloc', { set: null, min: 1, max: 31, private: null }, ret);

describe('iommu_aux_attach_device (v5.2–v5.17)', () => {
  it('the first aux attach takes the default PASID the nested ioasid_alloc returned', () => {
    const t = given('5.10.0', probe(), unmanaged('dom1'), call('ioasid_alloc', { set: 's1', min: 1, max: 31, private: null }, 1)).when(auxAttach('dom1'), defaultPasid(2));
    expect(t.ret).toBe(0);
    expect(t.codes).toEqual([]);
    expect(t.facts).toContainEqual(expect.objectContaining({ type: 'AuxDomainAttached', domain: 'dom1', pasid: 2 }));
  });
  it('an allocation failure is "Can\'t allocate default pasid", -ENODEV: AUX_ATTACH_NO_PASID', () => {
    // Every PASID of the device's range is held (a device with max_pasids 2: only PASID 1).
    const t = given('5.10.0', probe(), unmanaged('dom1'), call('ioasid_alloc', { set: 's1', min: 1, max: 1, private: null }, 1)).when(
      auxAttach('dom1', DEV, '-ENODEV'),
      call('ioasid_alloc', { set: null, min: 1, max: 1, private: null }, 'INVALID_IOASID'),
    );
    expect(t.ret).toBe('-ENODEV');
    // The nested allocation is the IOASID model's: its own failure is reported at it.
    expect(t.codes).toEqual(['AUX_ATTACH_NO_PASID', 'IOASID_ALLOC_FAILED']);
  });
  it('a DMA (not unmanaged) domain is no aux domain: -EPERM, AUX_ATTACH_NOT_AUX', () => {
    const t = given('5.10.0', probe(), call('iommu_domain_alloc', { type: 'dma' }, 'dom1')).when(auxAttach('dom1'));
    expect(t.ret).toBe('-EPERM');
    expect(t.codes).toEqual(['AUX_ATTACH_NOT_AUX']);
  });
  it('a second device of the domain reuses its default PASID (no new allocation)', () => {
    const t = given('5.10.0', probe(), probe(DEV2), unmanaged('dom1'), auxAttach('dom1'), { ...defaultPasid(1), parent: 4 }).when(auxAttach('dom1', DEV2));
    expect(t.codes).toEqual([]);
    expect(t.facts).toEqual([expect.objectContaining({ type: 'AuxDomainAttached', domain: 'dom1', dev: DEV2 })]);
    expect(t.facts[0]).not.toHaveProperty('pasid');
  });
  it('after the last aux detach freed it, a re-attach programs the freed PASID again: AUX_REATTACH_FREED_PASID', () => {
    const t = given('5.10.0', probe(), unmanaged('dom1'), auxAttach('dom1'), { ...defaultPasid(1), parent: 3 }, auxDetach('dom1'), { ...call('ioasid_free', { ioasid: 1 }), parent: 5 }).when(auxAttach('dom1'));
    expect(t.ret).toBe(0);
    expect(t.codes).toEqual(['AUX_REATTACH_FREED_PASID']);
  });
  it('near miss: while another device keeps the domain aux-attached, a re-attach is clean', () => {
    const t = given('5.10.0', probe(), probe(DEV2), unmanaged('dom1'), auxAttach('dom1'), { ...defaultPasid(1), parent: 4 }, auxAttach('dom1', DEV2), auxDetach('dom1')).when(auxAttach('dom1'));
    expect(t.codes).toEqual([]);
  });
  for (const kernel of ['5.18.0', '6.1.0']) {
    it(`does not exist from v5.18 (8652d875939b) (${kernel})`, () => {
      expect(given(kernel, probe(), unmanaged('dom1')).when(auxAttach('dom1')).codes).toEqual(['CALL_NOT_IN_KERNEL']);
    });
  }
  it('exists on v5.17', () => {
    expect(given('5.17.0', probe(), unmanaged('dom1')).when(auxAttach('dom1'), defaultPasid(1)).codes).toEqual([]);
  });
});

describe('iommu_aux_detach_device and iommu_aux_get_pasid', () => {
  it('a detach of a pair that is not aux-attached is AUX_DETACH_NOT_ATTACHED', () => {
    const t = given('5.15.0', probe(), unmanaged('dom1')).when(auxDetach('dom1'));
    expect(t.codes).toEqual(['AUX_DETACH_NOT_ATTACHED']);
  });
  it('near miss: a detach of a domain the capture never saw is given the benefit of the doubt', () => {
    expect(given('5.15.0', probe()).when(auxDetach('domX')).codes).toEqual([]);
  });
  it('get_pasid returns the default PASID', () => {
    const t = given('5.15.0', probe(), unmanaged('dom1'), auxAttach('dom1'), { ...defaultPasid(1), parent: 3 }).when(getPasid('dom1', 1));
    expect(t.ret).toBe(1);
    expect(t.codes).toEqual([]);
  });
  it('get_pasid of a recorded other number is RET_MISMATCH', () => {
    const t = given('5.15.0', probe(), unmanaged('dom1'), auxAttach('dom1'), { ...defaultPasid(1), parent: 3 }).when(getPasid('dom1', 8));
    expect(t.codes).toEqual(['RET_MISMATCH']);
  });
  it('get_pasid of a domain never aux-attached is -EINVAL: AUX_GET_PASID_NONE', () => {
    const t = given('5.15.0', probe(), unmanaged('dom1')).when(getPasid('dom1', '-EINVAL'));
    expect(t.ret).toBe('-EINVAL');
    expect(t.codes).toEqual(['AUX_GET_PASID_NONE']);
  });
  it('get_pasid after the last detach still returns the freed number (default_pasid is not reset)', () => {
    const t = given('5.15.0', probe(), unmanaged('dom1'), auxAttach('dom1'), { ...defaultPasid(1), parent: 3 }, auxDetach('dom1'), { ...call('ioasid_put', { ioasid: 1 }, true), parent: 5 }).when(getPasid('dom1'));
    expect(t.ret).toBe(1);
  });
});
