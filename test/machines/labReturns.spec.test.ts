/**
 * Returns a real kernel gave the lab (#20) that the model now explains: a boot probe of a device no
 * IOMMU claims (-ENODEV), and an attach refused for range where the capture does not know max_pasids.
 * Given a trace prefix, when one call (with the return the kernel recorded), then the model's return,
 * findings and facts; each with its near miss.
 */
import { describe, it, expect } from 'vitest';
import { call } from '../support/calls.js';
import { given } from '../support/gwt.js';

const DEV = '0000:00:02.0';
const probe = (dev: string, max: number | null, ret?: 0 | '-ENODEV') => call('iommu_probe_device', { dev, max_pasids: max }, ret);
const attach = (pasid: number, ret?: 0 | '-EINVAL', dev = DEV) => call('iommu_attach_device_pasid', { domain: 'dom1', dev, pasid }, ret);
const domAlloc = call('iommu_domain_alloc', { type: 'paging', dev: DEV }, 'dom1');

describe('iommu_probe_device of a device no IOMMU driver claims (__iommu_probe_device → -ENODEV)', () => {
  for (const kernel of ['6.1.0-57-amd64', '6.12.95+deb12-amd64']) {
    it(`given ${kernel} at boot, when reg-dummy's probe returns -ENODEV, then the model agrees and the device joins no group`, () => {
      const t = given(kernel).when(probe('reg-dummy', null, '-ENODEV'));
      expect(t.ret).toBe('-ENODEV');
      expect(t.codes).toEqual([]);
      expect(t.facts).toEqual([]);
    });
  }
  it('near miss: a probe with no recorded return (a scenario) succeeds and records the device', () => {
    const t = given('6.12.95').when(probe('0000:00:01.0', 8));
    expect(t.ret).toBe(0);
    expect(t.facts.map((f) => f.type)).toEqual(['DeviceProbed']);
  });
  it('near miss: -ENODEV from a device already probed is a mismatch (it is in a group: 0 at once)', () => {
    const t = given('6.12.95', probe(DEV, 8, 0)).when(probe(DEV, 8, '-ENODEV'));
    expect(t.ret).toBe(0);
    expect(t.codes).toEqual(['RET_MISMATCH']);
  });
  it('near miss: another error from a device never probed is still a mismatch', () => {
    const t = given('6.12.95').when(call('iommu_probe_device', { dev: 'reg-dummy', max_pasids: null }, '-EINVAL'));
    expect(t.codes).toEqual(['RET_MISMATCH']);
  });
});

describe('iommu_attach_device_pasid refused for range while max_pasids is unknown to the capture', () => {
  it('given 6.12 and a device whose max_pasids the capture could not read, when pasid 4000 is refused with -EINVAL, then that is the range check', () => {
    const t = given('6.12.95', probe(DEV, null, 0), domAlloc).when(attach(4000, '-EINVAL'));
    expect(t.ret).toBe('-EINVAL');
    expect(t.codes).toEqual(['ATTACH_PASID_OUT_OF_RANGE']);
    expect(t.findings.find((f) => f.code === 'ATTACH_PASID_OUT_OF_RANGE')?.message).toContain('max_pasids <= 4000 inferred');
  });
  it('then the bound it shows is kept: a later attach of a larger PASID is refused by the model itself', () => {
    const t = given('6.12.95', probe(DEV, null, 0), domAlloc, attach(4000, '-EINVAL')).when(attach(5000));
    expect(t.ret).toBe('-EINVAL');
    expect(t.codes).toEqual(['ATTACH_PASID_OUT_OF_RANGE']);
  });
  it('then a device the trace never probed (probed before the capture) is treated the same', () => {
    const t = given('6.12.95', domAlloc).when(attach(4000, '-EINVAL'));
    expect(t.ret).toBe('-EINVAL');
    expect(t.codes).toEqual(['ATTACH_PASID_OUT_OF_RANGE']);
  });
  it('near miss: with max_pasids known and above the PASID, the -EINVAL is a mismatch', () => {
    const t = given('6.12.95', probe(DEV, 8192, 0), domAlloc).when(attach(4000, '-EINVAL'));
    expect(t.ret).toBe(0);
    expect(t.codes).toEqual(['RET_MISMATCH']);
  });
  it('near miss: before v6.9 the attach has no max_pasids check, so the -EINVAL stays a mismatch', () => {
    const t = given('6.8.0', probe(DEV, null, 0), domAlloc).when(attach(4000, '-EINVAL'));
    expect(t.codes).toEqual(['RET_MISMATCH']);
  });
  it('near miss: an unknown maximum with no recorded refusal attaches (nothing to infer from)', () => {
    const t = given('6.12.95', probe(DEV, null, 0), domAlloc).when(attach(4000));
    expect(t.ret).toBe(0);
    expect(t.codes).toEqual([]);
  });
});

describe('iommu_sva_bind_device of a device no IOMMU probed (dev->iommu_group NULL → -ENODEV)', () => {
  const bind = (dev: string, ret?: '-ENODEV') => call('iommu_sva_bind_device', { dev, mm: 'mm1' }, ret);
  it('given 6.12 and a device the capture never saw probed, when its bind returns -ENODEV, then the model agrees with no finding', () => {
    const t = given('6.12.95').when(bind('0000:00:03.0', '-ENODEV'));
    expect(t.ret).toBe('-ENODEV');
    expect(t.codes).toEqual([]);
    expect(t.facts).toEqual([]);
  });
  it('near miss: the same -ENODEV from a device the trace probed is a mismatch (it has a group)', () => {
    const t = given('6.12.95', probe(DEV, 8, 0)).when(bind(DEV, '-ENODEV'));
    expect(t.codes).toContain('RET_MISMATCH');
  });
});
