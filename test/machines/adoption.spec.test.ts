/**
 * #21 B8 and B11 for the IOASID allocator and the SVA PASID (the global-PASID forms are in
 * global.spec.test.ts). B8: xa_alloc (ioasid.c, v5.5–v6.3) and ida_alloc_range (the SVA IDA from
 * v6.4, iommu_alloc_global_pasid from v6.6) never hand out an ID they hold, so a recorded allocation
 * of a number the model says is owned is adopted and the owner named. B11: when the device's
 * max_pasids is unknown to the capture, a recorded exhaustion where every PASID below the predicted
 * one is held shows the bound. The SVA PASID comes from intel_svm_bind_mm (Intel ≤ v5.13, -ENOSPC),
 * iommu_sva_alloc_pasid over ioasid_alloc (v5.11–v6.3, -ENOMEM; 404837741416 moved Intel to it in
 * v5.14), its IDA (v6.4, 99b5726b4423 "iommu: Remove ioasid infrastructure", -ENOSPC) and
 * iommu_alloc_global_pasid (v6.6, "iommu: Move global PASID allocation from SVA to core"): each side of
 * those boundaries is specified here.
 */
import { describe, it, expect } from 'vitest';
import { call, type CallSpec } from '../support/calls.js';
import { given } from '../support/gwt.js';

const DEV = '0000:00:02.0';
const DEV2 = '0000:00:03.0';
const probe = (dev = DEV, max = 32) => call('iommu_probe_device', { dev, max_pasids: max });
const bind = (mm: string, ret?: string, dev = DEV) => call('iommu_sva_bind_device', { dev, mm }, ret);
const unbind = (h: string) => call('iommu_sva_unbind_device', { handle: h });
const exit = (mm: string) => call('mm_pasid_drop', { mm });
const ioasidAlloc = (ret: number | 'INVALID_IOASID', priv: string | null = null, tid = 10): CallSpec => ({ ...call('ioasid_alloc', { set: null, min: 1, max: 100, private: priv }, ret), tid });
const nestedAlloc = (ret: number | 'INVALID_IOASID', max = 31) => call('ioasid_alloc', { set: 'iommu_sva_pasid', min: 1, max, private: 'mm' }, ret);
const gAlloc = (ret: number | 'IOMMU_PASID_INVALID', dev = DEV) => call('iommu_alloc_global_pasid', { dev }, ret);
const boundPasid = (facts: readonly { type: string }[]) => (facts.find((f) => f.type === 'SvaBound') as { pasid: number } | undefined)?.pasid;
/** n binds of mm1..mmn on DEV, each its own PASID. */
const binds = (n: number) => Array.from({ length: n }, (_, i) => bind(`mm${i + 1}`, `h${i + 1}`));

describe('B8: a recorded IOASID the model holds is adopted and checked against its owner', () => {
  for (const kernel of ['5.10.0', '5.17.0', '6.3.0']) {
    it(`${kernel}: a driver's ioasid_alloc handed the PASID an mm holds through its bind: IOASID_COLLISION naming the mm`, () => {
      const t = given(kernel, probe(), bind('mm1', 'h1')).when(ioasidAlloc(1, 'drv'));
      expect(t.codes).toEqual(['IOASID_COLLISION']);
      expect(t.findings[0].message).toContain('mm1');
    });
    it(`${kernel} near miss: the next free ID is no collision`, () => {
      const t = given(kernel, probe(), bind('mm1', 'h1')).when(ioasidAlloc(2, 'drv'));
      expect(t.codes).toEqual([]);
    });
  }
  for (const kernel of ['5.15.0', '6.3.0']) {
    it(`${kernel}: the bind's nested ioasid_alloc returning a driver's ID is adopted: the mm gets it, IOASID_COLLISION, no RET_MISMATCH`, () => {
      const t = given(kernel, probe(), ioasidAlloc(1, 'drv')).when(bind('mm1', 'h1'), nestedAlloc(1));
      expect(t.codes).toEqual(['IOASID_COLLISION']);
      expect(boundPasid(t.facts)).toBe(1);
    });
    it(`${kernel} near miss: the bind's nested allocation of the next free ID binds cleanly`, () => {
      const t = given(kernel, probe(), ioasidAlloc(1, 'drv')).when(bind('mm1', 'h1'), nestedAlloc(2));
      expect(t.codes).toEqual([]);
      expect(boundPasid(t.facts)).toBe(2);
    });
  }
  it('6.6 (iommu_alloc_global_pasid, the other side of the v6.4/v6.6 boundary): the bind\'s nested allocation of a driver\'s PASID is GLOBAL_PASID_COLLISION, the mm adopts it', () => {
    const t = given('6.6.0', probe(), probe(DEV2), gAlloc(1, DEV2)).when(bind('mm1', 'h1'), gAlloc(1));
    expect(t.codes).toEqual(['GLOBAL_PASID_COLLISION']);
    expect(boundPasid(t.facts)).toBe(1);
  });
  it('6.6 near miss: the nested allocation of the next free PASID binds cleanly', () => {
    const t = given('6.6.0', probe(), probe(DEV2), gAlloc(1, DEV2)).when(bind('mm1', 'h1'), gAlloc(2));
    expect(t.codes).toEqual([]);
  });
});

describe('B11: an exhaustion shows the SVA range when max_pasids is unknown', () => {
  // [kernel, the errno the bind returns when no PASID is left]
  const eras: readonly [string, string][] = [
    ['5.10.0', '-ENOSPC'], // intel_svm_bind_mm (Intel ≤ v5.13)
    ['5.13.0', '-ENOSPC'],
    ['5.14.0', '-ENOMEM'], // iommu_sva_alloc_pasid over ioasid_alloc (404837741416)
    ['6.3.0', '-ENOMEM'],
    ['6.4.0', '-ENOSPC'], // iommu_sva_alloc_pasid over the IDA
    ['6.6.0', '-ENOSPC'], // iommu_alloc_global_pasid
  ];
  for (const [kernel, errno] of eras) {
    it(`${kernel}: three binds then ${errno}: the failure is followed (max_pasids <= 4 inferred), no RET_MISMATCH`, () => {
      const t = given(kernel, ...binds(3)).when(bind('mm4', errno));
      expect(t.codes).not.toContain('RET_MISMATCH');
      expect(t.facts).toContainEqual(expect.objectContaining({ type: 'DeviceMaxPasidsInferred', dev: DEV, max_pasids: 4 }));
      expect(t.findings[0].message).toContain('max_pasids <= 4 inferred');
    });
    it(`${kernel}: the inferred bound refuses the next bind of a new mm too`, () => {
      const t = given(kernel, ...binds(3), bind('mm4', errno)).when(bind('mm5', errno));
      expect(t.ret).toBe(errno);
      expect(t.codes).not.toContain('RET_MISMATCH');
    });
    it(`${kernel} near miss: a device whose max_pasids the probe gave infers nothing`, () => {
      const t = given(kernel, probe(DEV, 64), ...binds(3)).when(bind('mm4', errno));
      expect(t.facts.map((f) => f.type)).not.toContain('DeviceMaxPasidsInferred');
    });
    it(`${kernel} near miss: a PASID freed in between is the lowest free one the kernel must hand out: no inference`, () => {
      // Up to v5.17 the last unbind drops the mm's PASID; from v5.18 it lives until the mm goes (mm_pasid_drop, 701fac40384f).
      const freeing = kernel < '5.18' ? [unbind('h2')] : [unbind('h2'), exit('mm2')];
      const t = given(kernel, ...binds(3), ...freeing).when(bind('mm4', errno));
      expect(t.facts.map((f) => f.type)).not.toContain('DeviceMaxPasidsInferred');
    });
  }
  it('5.15: the nested ioasid_alloc INVALID_IOASID shows the bound the same way', () => {
    const t = given('5.15.0', ...binds(2)).when(bind('mm3', '-ENOMEM'), nestedAlloc('INVALID_IOASID', 1048575));
    expect(t.facts).toContainEqual(expect.objectContaining({ type: 'DeviceMaxPasidsInferred', dev: DEV, max_pasids: 3 }));
  });
  it('6.12: the nested iommu_alloc_global_pasid IOMMU_PASID_INVALID shows the bound the same way', () => {
    const t = given('6.12.0', ...binds(2)).when(bind('mm3', '-ENOSPC'), gAlloc('IOMMU_PASID_INVALID'));
    expect(t.codes).toEqual(['GLOBAL_PASID_EXHAUSTED']);
    expect(t.facts).toContainEqual(expect.objectContaining({ type: 'DeviceMaxPasidsInferred', dev: DEV, max_pasids: 3 }));
  });
  it('near miss: the device was bound to a PASID above the predicted one (another mm\'s), so its range reaches it: no inference', () => {
    const t = given('6.12.0', bind('mm1', 'h1', DEV2), bind('mm2', 'h2', DEV2), bind('mm3', 'h3', DEV2), unbind('h1'), exit('mm1'), bind('mm3', 'h4')).when(bind('mm4', '-ENOSPC'));
    expect(t.facts.map((f) => f.type)).not.toContain('DeviceMaxPasidsInferred');
  });
});
