/**
 * Call models of the VT-d init path (drivers/iommu/intel/iommu.c): register_pasid_allocator,
 * iommu_set_root_entry, the scalable-mode switch-off, free_dmar_iommu (§2). Pure.
 */
import { scalableModeKind } from '../vtd/scalableMode.machine.js';
import { vtdUnitKind } from '../vtd/vtdUnit.machine.js';
import { listOf, registerAllocator, unregisterAllocator } from './ioasid.calls.js';
import { setRet, type CallModel } from './callContext.js';

/** The singleton id of `intel_iommu_sm`. */
export const SCALABLE_MODE = 'intel_iommu_sm';
/** The helpers of the vcmd allocator: every vIOMMU registers the same two, so they share one ID space. */
const VCMD_ALLOC = 'intel_vcmd_ioasid_alloc';
const VCMD_FREE = 'intel_vcmd_ioasid_free';
/** `&iommu->pasid_allocator` is named after its unit. */
export const vcmdOpsOf = (iommu: string) => `${iommu}/pasid_allocator`;

export const register_pasid_allocator: CallModel<'register_pasid_allocator'> = (c) => {
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
  const ret = registerAllocator(c, { ops, alloc: VCMD_ALLOC, free: VCMD_FREE, pdata: a.iommu });
  d.children.push({ fn: 'ioasid_register_allocator', args: { alloc: VCMD_ALLOC, free: VCMD_FREE, pdata: a.iommu }, ret });
  if (ret === 0) {
    w.step(vtdUnitKind, a.iommu, { iommu: a.iommu }, { type: 'REGISTERED', p }, d);
  } else {
    w.step(vtdUnitKind, a.iommu, { iommu: a.iommu }, { type: 'REGISTRATION_FAILED', p }, d);
    w.step(scalableModeKind, SCALABLE_MODE, {}, { type: 'DISABLE', p, iommu: a.iommu }, d);
    d.children.push({ fn: 'intel_iommu_sm_disable', args: {} });
  }
  setRet(d, null, 'register_pasid_allocator returns void');
};

export const iommu_set_root_entry: CallModel<'iommu_set_root_entry'> = ({ w, p, d, rec }) => {
  const a = rec.args;
  const smOn = w.peek(scalableModeKind, SCALABLE_MODE, {}).value === 'enabled';
  w.step(scalableModeKind, SCALABLE_MODE, {}, { type: 'ROOT_PROGRAMMED', p, iommu: a.iommu, ecapSmts: a.ecap_smts, recordedSmt: a.smt ?? null }, d);
  w.step(vtdUnitKind, a.iommu, { iommu: a.iommu }, { type: 'ROOT_SET', p, smt: smOn && a.ecap_smts }, d);
  setRet(d, null, 'iommu_set_root_entry returns void');
};

export const intel_iommu_sm_disable: CallModel<'intel_iommu_sm_disable'> = ({ w, p, d, rec }) => {
  w.step(scalableModeKind, SCALABLE_MODE, {}, { type: 'DISABLE', p, iommu: rec.args.iommu ?? null }, d);
  setRet(d, null, 'intel_iommu_sm = 0 is an assignment');
};

export const free_dmar_iommu: CallModel<'free_dmar_iommu'> = (c) => {
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
};
