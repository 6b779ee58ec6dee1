/**
 * iommu_set_root_entry(iommu) — drivers/iommu/intel/iommu.c (§2.2): programs the root table, with the
 * SMT bit when scalable mode is on and the unit supports it (sm_supported() = intel_iommu_sm &&
 * ecap_smts); scalable mode cannot be switched off afterwards without breaking DMA translation.
 * A recorded SMT bit that disagrees means the model's view of intel_iommu_sm is off. Pure.
 */
import { scalableModeKind } from '../vtd/scalableMode.machine.js';
import { decideBy, firstCheck, type Check } from '../kit/checks.js';
import { defineCall, setRet } from '../kit/call.js';
import { SCALABLE_MODE } from './reads.js';

interface RootReads {
  readonly iommu: string;
  /** intel_iommu_sm before the call. */
  readonly smOn: boolean;
  readonly ecapSmts: boolean;
  /** The SMT bit the capture saw (null: not recorded). */
  readonly recordedSmt: boolean | null;
}

const mismatch = (r: RootReads) => `${r.iommu} recorded smt=${r.recordedSmt} (ecap_smts=${r.ecapSmts})`;

const CHECKS: readonly Check<RootReads>[] = [
  { when: (r) => r.smOn && r.recordedSmt !== null && r.recordedSmt !== r.ecapSmts, finding: 'VTD_ROOT_MODE_MISMATCH', detail: mismatch, rule: 'iommu_set_root_entry: SMT is set iff sm_supported() = intel_iommu_sm && ecap_smts (§2.2)' },
  { when: (r) => !r.smOn && r.recordedSmt === true, finding: 'VTD_ROOT_MODE_MISMATCH', detail: mismatch, rule: 'iommu_set_root_entry: scalable mode is off, so SMT must be clear (§2.2)' },
  { when: (r) => r.smOn, rule: 'iommu_set_root_entry: SMT set when sm_supported() (§2.2)' },
  { rule: 'iommu_set_root_entry: legacy root table (scalable mode off) (§2.2)' },
];

export default defineCall({
  fn: 'iommu_set_root_entry',
  exists: [{}],
  footprint: (rec) => ({ reads: [], writes: ['intel_iommu_sm', `vtd:${rec.args.iommu}`] }),
  decide: ({ w, d, rec }) => {
    const a = rec.args;
    const r: RootReads = { iommu: a.iommu, smOn: w.get(scalableModeKind, SCALABLE_MODE, {}).value === 'enabled', ecapSmts: a.ecap_smts, recordedSmt: a.smt ?? null };
    decideBy(d, firstCheck(CHECKS, r), r, { iommu: a.iommu }, { setsRet: false });
    w.emit(d, { type: 'RootTableProgrammed', iommu: a.iommu, smt: r.smOn && a.ecap_smts });
    setRet(d, null, 'iommu_set_root_entry returns void');
  },
});
