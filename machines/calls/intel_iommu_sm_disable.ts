/**
 * intel_iommu_sm = 0 — drivers/iommu/intel/iommu.c (§2.1, §2.2): the switch-off of scalable mode that
 * register_pasid_allocator makes when the vcmd allocator cannot be registered. Pure.
 */
import { scalableModeKind } from '../vtd/scalableMode.machine.js';
import { defineCall, setRet } from '../kit/call.js';
import { SCALABLE_MODE } from './reads.js';

export default defineCall({
  fn: 'intel_iommu_sm_disable',
  exists: [{}],
  raises: ['VTD_SM_DISABLED_AFTER_ROOT'],
  footprint: () => ({ reads: [], writes: ['intel_iommu_sm'] }),
  decide: ({ w, p, d, rec }) => {
    w.step(scalableModeKind, SCALABLE_MODE, {}, { type: 'DISABLE', p, iommu: rec.args.iommu ?? null }, d);
    setRet(d, null, 'intel_iommu_sm = 0 is an assignment');
  },
});
