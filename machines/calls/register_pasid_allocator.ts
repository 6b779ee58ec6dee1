/**
 * register_pasid_allocator(iommu) — drivers/iommu/intel/iommu.c, v5.8–v6.3 (§2.1): on a vIOMMU with
 * caching mode, scalable mode and the vcmd PASID capability, registers the vcmd allocator; when
 * ioasid_register_allocator fails (-EAGAIN after an early default allocation), scalable mode is
 * switched off — even after a root table was programmed with SMT (§2.2). Pure.
 */
import { scalableModeKind } from '../vtd/scalableMode.machine.js';
import { vtdUnitKind } from '../vtd/vtdUnit.machine.js';
import { childOf, defineCall, setRet } from '../kit/call.js';
import { union } from '../kit/footprint.js';
import { allocatorBarrier, registerAllocator } from './ioasid_register_allocator.js';
import { SCALABLE_MODE, VCMD_ALLOC, VCMD_FREE, vcmdOpsOf } from './reads.js';

export default defineCall({
  fn: 'register_pasid_allocator',
  exists: [{ since: '5.8', until: '6.4' }],
  existsFollows: ['vcmdAllocator'],
  nested: ['ioasid_register_allocator', 'intel_iommu_sm_disable'],
  // Reads intel_iommu_sm and may clear it (-EAGAIN → scalable mode off, §2.1).
  footprint: (rec) => union(allocatorBarrier, { reads: [], writes: [`vtd:${rec.args.iommu}`, 'intel_iommu_sm'] }),
  decide: (c) => {
    const { w, p, d, rec } = c;
    const a = rec.args;
    const smOn = w.peek(scalableModeKind, SCALABLE_MODE, {}).value === 'enabled';
    const ops = vcmdOpsOf(a.iommu);
    const r = w.step(
      vtdUnitKind,
      a.iommu,
      { iommu: a.iommu },
      { type: 'REGISTER_PASID_ALLOCATOR', p, cachingMode: a.cap_caching_mode, smSupported: smOn && a.ecap_smts, vccapPasid: a.vccap_pasid, ops },
      d,
    );
    setRet(d, null, 'register_pasid_allocator returns void');
    if (r.snap.value !== 'registering') return;
    // #21 B5: ioasid_register_allocator's GFP_ATOMIC kzalloc can fail (-ENOMEM, before any list check): the
    // environment, not a rule; the kernel then takes the same failure path as -EAGAIN (scalable mode off).
    const recorded = childOf(c.children, 'ioasid_register_allocator')?.ret;
    const ret = recorded === '-ENOMEM' ? recorded : registerAllocator(c, { ops, alloc: VCMD_ALLOC, free: VCMD_FREE, pdata: a.iommu });
    d.children.push({ fn: 'ioasid_register_allocator', args: { alloc: VCMD_ALLOC, free: VCMD_FREE, pdata: a.iommu }, ret });
    if (ret === 0) {
      w.step(vtdUnitKind, a.iommu, { iommu: a.iommu }, { type: 'REGISTERED', p }, d);
    } else {
      w.step(vtdUnitKind, a.iommu, { iommu: a.iommu }, { type: 'REGISTRATION_FAILED', p }, d);
      w.step(scalableModeKind, SCALABLE_MODE, {}, { type: 'DISABLE', p, iommu: a.iommu }, d);
      d.children.push({ fn: 'intel_iommu_sm_disable', args: {} });
    }
    setRet(d, null, 'register_pasid_allocator returns void');
  },
});
