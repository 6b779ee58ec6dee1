/**
 * register_pasid_allocator(iommu) — drivers/iommu/intel/iommu.c, v5.8–v6.3 (§2.1): on a vIOMMU with
 * caching mode, scalable mode and the vcmd PASID capability, registers the vcmd allocator; when
 * ioasid_register_allocator fails (-EAGAIN after an early default allocation), scalable mode is
 * switched off — even after a root table was programmed with SMT (§2.2). init_dmars registers before
 * programming each unit and hot-add (intel_iommu_add) never registers, so the call decides once per
 * unit. Its checks are CHECKS below, in the kernel's order. Pure.
 */
import type { Snap } from '../kit/lifecycle.js';
import { scalableModeKind } from '../vtd/scalableMode.machine.js';
import { vtdUnitKind, type VtdUnitContext } from '../vtd/vtdUnit.machine.js';
import { decideBy, firstCheck, type Check } from '../kit/checks.js';
import { childOf, defineCall, setRet } from '../kit/call.js';
import { union } from '../kit/footprint.js';
import { allocatorBarrier, registerAllocator } from './ioasid_register_allocator.js';
import { disableScalableMode } from './intel_iommu_sm_disable.js';
import { SCALABLE_MODE, VCMD_ALLOC, VCMD_FREE, vcmdOpsOf } from './reads.js';

interface RegisterReads {
  readonly unit: Snap<VtdUnitContext>;
  readonly cachingMode: boolean;
  /** sm_supported(iommu): intel_iommu_sm && ecap_smts. */
  readonly smSupported: boolean;
  readonly vccapPasid: boolean;
}

/** A unit that already decided (or was removed) registers nothing more. */
const DECIDED: Readonly<Record<string, string>> = {
  registering: 'already registering',
  allocatorRegistered: 'register_pasid_allocator runs once per unit at init; a second call re-registers the same ops',
  noAllocator: 'register_pasid_allocator already decided for this unit',
  removed: 'hot-add (intel_iommu_add) never registers a PASID allocator (§2.2)',
};

const CHECKS: readonly Check<RegisterReads, 'skip' | 'register'>[] = [
  { when: (r) => r.unit.value in DECIDED, ret: null, rule: 'register_pasid_allocator: the unit already decided (§2.1, §2.2)' },
  { when: (r) => !r.cachingMode, ret: null, rule: 'register_pasid_allocator: !cap_caching_mode → bare metal keeps the default allocator (§2.1)', then: 'skip' },
  { when: (r) => !r.smSupported, ret: null, rule: 'register_pasid_allocator: !sm_supported → pr_warn, no PASID allocation (§2.1)', then: 'skip' },
  { when: (r) => !r.vccapPasid, ret: null, rule: 'register_pasid_allocator: no vcmd PASID capability (§2.1)', then: 'skip' },
  { ret: null, rule: 'register_pasid_allocator: guest with vcmd → ioasid_register_allocator(&iommu->pasid_allocator) (§2.1)', then: 'register' },
];

const FAILED: Check<VtdUnitContext> = {
  finding: 'VTD_ALLOCATOR_REGISTRATION_FAILED',
  detail: (c) => `${c.iommu}: ioasid_register_allocator(${c.ops}) failed; intel_iommu_sm = 0 for every unit`,
  rule: 'register_pasid_allocator: nonzero return → pr_warn "Custom PASID allocator failed, scalable mode disabled", intel_iommu_sm = 0 (§2.1)',
};

export default defineCall({
  fn: 'register_pasid_allocator',
  exists: [{ since: '5.8', until: '6.4' }],
  existsFollows: ['vcmdAllocator'],
  nested: ['ioasid_register_allocator', 'intel_iommu_sm_disable'],
  // Reads intel_iommu_sm and may clear it (-EAGAIN → scalable mode off, §2.1).
  footprint: (rec) => union(allocatorBarrier, { reads: [], writes: [`vtd:${rec.args.iommu}`, 'intel_iommu_sm'] }),
  decide: (c) => {
    const { w, d, rec } = c;
    const a = rec.args;
    const smOn = w.get(scalableModeKind, SCALABLE_MODE, {}).value === 'enabled';
    const r: RegisterReads = { unit: w.get(vtdUnitKind, a.iommu, { iommu: a.iommu }), cachingMode: a.cap_caching_mode, smSupported: smOn && a.ecap_smts, vccapPasid: a.vccap_pasid };
    const row = decideBy(d, firstCheck(CHECKS, r), r, {}, { setsRet: false });
    setRet(d, null, 'register_pasid_allocator returns void');
    if (row.then === 'skip') w.emit(d, { type: 'PasidAllocatorSkipped', iommu: a.iommu, vccap_pasid: a.vccap_pasid });
    if (row.then !== 'register') return;
    const ops = vcmdOpsOf(a.iommu);
    w.emit(d, { type: 'PasidAllocatorRegistering', iommu: a.iommu, ops });
    // #21 B5: ioasid_register_allocator's GFP_ATOMIC kzalloc can fail (-ENOMEM, before any list check): the
    // environment, not a rule; the kernel then takes the same failure path as -EAGAIN (scalable mode off).
    const recorded = childOf(c.children, 'ioasid_register_allocator')?.ret;
    const ret = recorded === '-ENOMEM' ? recorded : registerAllocator(c, { ops, alloc: VCMD_ALLOC, free: VCMD_FREE, pdata: a.iommu });
    d.children.push({ fn: 'ioasid_register_allocator', args: { alloc: VCMD_ALLOC, free: VCMD_FREE, pdata: a.iommu }, ret });
    if (ret === 0) {
      w.emit(d, { type: 'PasidAllocatorRegistered', iommu: a.iommu });
    } else {
      const unit = w.get(vtdUnitKind, a.iommu, { iommu: a.iommu }).context;
      decideBy(d, FAILED, unit, {}, { setsRet: false });
      w.emit(d, { type: 'PasidAllocatorRegistrationFailed', iommu: a.iommu });
      disableScalableMode(c, a.iommu);
      d.children.push({ fn: 'intel_iommu_sm_disable', args: {} });
    }
    setRet(d, null, 'register_pasid_allocator returns void');
  },
});
