/**
 * intel_iommu_sm = 0 — drivers/iommu/intel/iommu.c (§2.1, §2.2): the switch-off of scalable mode that
 * register_pasid_allocator makes when the vcmd allocator cannot be registered. After a root table was
 * programmed with DMA_RTADDR_SMT nothing converts the tables (seed thread, A16). Pure.
 */
import type { Snap } from '../kit/lifecycle.js';
import { scalableModeKind, type ScalableModeContext } from '../vtd/scalableMode.machine.js';
import { decideBy, firstCheck, type Check } from '../kit/checks.js';
import { defineCall, setRet } from '../kit/call.js';
import { SCALABLE_MODE, type Env } from './reads.js';

const CHECKS: readonly Check<Snap<ScalableModeContext>, 'disable'>[] = [
  { when: (s) => s.value === 'disabled', rule: 'scalable mode already off' },
  {
    when: (s) => s.context.smtRoots.length > 0,
    finding: 'VTD_SM_DISABLED_AFTER_ROOT',
    detail: (s) => `root table(s) of ${s.context.smtRoots.join(', ')} already programmed with DMA_RTADDR_SMT`,
    rule: 'intel_iommu_sm = 0 after a root table was programmed with SMT: nothing converts the tables (§2.2, A16)',
    then: 'disable',
  },
  { rule: 'intel_iommu_sm = 0 before any SMT root table: legacy mode from now on (§2.1)', then: 'disable' },
];

/** intel_iommu_sm = 0 (§2.1, §2.2); `iommu` is the unit whose failure switched it off, when known. */
export function disableScalableMode({ w, d }: Env, iommu: string | null): void {
  const sm = w.get(scalableModeKind, SCALABLE_MODE, {});
  const row = decideBy(d, firstCheck(CHECKS, sm), sm, iommu === null ? {} : { iommu }, { setsRet: false });
  if (row.then === 'disable') w.emit(d, { type: 'ScalableModeDisabled', iommu });
}

export default defineCall({
  fn: 'intel_iommu_sm_disable',
  exists: [{}],
  raises: ['VTD_SM_DISABLED_AFTER_ROOT'],
  footprint: () => ({ reads: [], writes: ['intel_iommu_sm'] }),
  decide: (c) => {
    disableScalableMode(c, c.rec.args.iommu ?? null);
    setRet(c.d, null, 'intel_iommu_sm = 0 is an assignment');
  },
});
