/**
 * iommu_set_root_entry(iommu) — drivers/iommu/intel/iommu.c (§2.2): programs the root table, with the
 * SMT bit when scalable mode is on and the unit supports it; scalable mode cannot be switched off
 * afterwards without breaking DMA translation. Pure.
 */
import { scalableModeKind } from '../vtd/scalableMode.machine.js';
import { vtdUnitKind } from '../vtd/vtdUnit.machine.js';
import { defineCall, setRet } from '../kit/call.js';
import { SCALABLE_MODE } from './reads.js';

export default defineCall({
  fn: 'iommu_set_root_entry',
  exists: [{}],
  footprint: (rec) => ({ reads: [], writes: ['intel_iommu_sm', `vtd:${rec.args.iommu}`] }),
  decide: ({ w, p, d, rec }) => {
    const a = rec.args;
    const smOn = w.peek(scalableModeKind, SCALABLE_MODE, {}).value === 'enabled';
    w.step(scalableModeKind, SCALABLE_MODE, {}, { type: 'ROOT_PROGRAMMED', p, iommu: a.iommu, ecapSmts: a.ecap_smts, recordedSmt: a.smt ?? null }, d);
    w.step(vtdUnitKind, a.iommu, { iommu: a.iommu }, { type: 'ROOT_SET', p, smt: smOn && a.ecap_smts }, d);
    setRet(d, null, 'iommu_set_root_entry returns void');
  },
});
