/**
 * free_dmar_iommu(iommu) — drivers/iommu/intel/iommu.c, v5.8–v6.3 (§2.2): a vIOMMU going away
 * unregisters its vcmd allocator on the capability alone (`if (vccap_pasid(iommu->vccap))`), whether
 * or not the registration happened or succeeded. Pure.
 */
import { vtdUnitKind } from '../vtd/vtdUnit.machine.js';
import { defineCall, setRet } from '../kit/call.js';
import { union } from '../kit/footprint.js';
import { allocatorBarrier } from './ioasid_register_allocator.js';
import { unregisterAllocator } from './ioasid_unregister_allocator.js';
import { listOf, VCMD_ALLOC, VCMD_FREE, vcmdOpsOf } from './reads.js';

export default defineCall({
  fn: 'free_dmar_iommu',
  exists: [{ since: '5.8', until: '6.4' }],
  existsFollows: ['vcmdAllocator'],
  nested: ['ioasid_unregister_allocator'],
  footprint: (rec) => union(allocatorBarrier, { reads: [], writes: [`vtd:${rec.args.iommu}`] }),
  decide: (c) => {
    const { w, p, d, rec } = c;
    const iommu = rec.args.iommu;
    const unit = w.peek(vtdUnitKind, iommu, { iommu });
    w.step(vtdUnitKind, iommu, { iommu }, { type: 'FREE', p }, d);
    // free_dmar_iommu: `if (vccap_pasid(iommu->vccap)) ioasid_unregister_allocator(&iommu->pasid_allocator);`
    // on the capability alone, whether or not the registration happened or succeeded (§2.2; VTD-V11, VTD-VCCAP).
    if (unit.value !== 'removed' && unit.context.vccapPasid === true) {
      const ops = vcmdOpsOf(iommu);
      if (unit.context.helpersSet) {
        unregisterAllocator(c, { ops, alloc: VCMD_ALLOC, free: VCMD_FREE });
        d.children.push({ fn: 'ioasid_unregister_allocator', args: { alloc: VCMD_ALLOC, free: VCMD_FREE } });
      } else {
        // Never filled in (bare metal, scalable mode off): NULL helpers match no entry; only an empty list logs (A11).
        if (listOf(w).entries.length === 0) unregisterAllocator(c, { ops, alloc: '', free: '' });
        d.children.push({ fn: 'ioasid_unregister_allocator', args: {} });
      }
    }
    setRet(d, null, 'free_dmar_iommu returns void');
  },
});
