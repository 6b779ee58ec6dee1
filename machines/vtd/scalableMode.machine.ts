/**
 * VT-d scalable mode (the global `intel_iommu_sm`) and the root tables programmed with
 * DMA_RTADDR_SMT. Once any root table is in scalable-mode format, switching scalable mode off is a
 * silent inconsistency (seed thread; §2.2, A16). Pure.
 */
import { decide } from '../kit/outcome.js';
import { defineObjectKind, type ModelEvent } from '../kit/object.js';

export interface ScalableModeContext {
  /** IOMMUs whose root table was programmed with SMT. */
  readonly smtRoots: readonly string[];
}

export type ScalableModeEvent =
  | (ModelEvent & { type: 'ROOT_PROGRAMMED'; iommu: string; ecapSmts: boolean; recordedSmt: boolean | null })
  | (ModelEvent & { type: 'DISABLE'; iommu: string | null });

export const scalableModeKind = defineObjectKind<ScalableModeContext, ScalableModeEvent, Record<string, never>>({
  id: 'scalableMode',
  initial: 'enabled',
  context: () => ({ smtRoots: [] }),
  states: {
    enabled: {
      on: {
        ROOT_PROGRAMMED: [
          { guard: 'recordedSmtDiffers', actions: ['addSmtRoot', decide({ finding: 'VTD_ROOT_MODE_MISMATCH', rule: 'iommu_set_root_entry: SMT is set iff sm_supported() = intel_iommu_sm && ecap_smts (§2.2)' })] },
          { actions: ['addSmtRoot', decide({ rule: 'iommu_set_root_entry: SMT set when sm_supported() (§2.2)' })] },
        ],
        DISABLE: [
          { guard: 'hasSmtRoots', target: 'disabled', actions: decide({ fact: 'ScalableModeDisabled', finding: 'VTD_SM_DISABLED_AFTER_ROOT', rule: 'intel_iommu_sm = 0 after a root table was programmed with SMT: nothing converts the tables (§2.2, A16)' }) },
          { target: 'disabled', actions: decide({ fact: 'ScalableModeDisabled', rule: 'intel_iommu_sm = 0 before any SMT root table: legacy mode from now on (§2.1)' }) },
        ],
      },
    },
    disabled: {
      on: {
        ROOT_PROGRAMMED: [
          { guard: 'recordedSmtSet', actions: decide({ finding: 'VTD_ROOT_MODE_MISMATCH', rule: 'iommu_set_root_entry: scalable mode is off, so SMT must be clear (§2.2)' }) },
          { actions: decide({ rule: 'iommu_set_root_entry: legacy root table (scalable mode off) (§2.2)' }) },
        ],
        DISABLE: { actions: decide({ rule: 'scalable mode already off' }) },
      },
    },
  },
  guards: {
    // Why: the kernel sets SMT from sm_supported(); a recorded bit that disagrees means the model's view of intel_iommu_sm is off.
    recordedSmtDiffers: ({ event }) => event.type === 'ROOT_PROGRAMMED' && event.recordedSmt !== null && event.recordedSmt !== event.ecapSmts,
    recordedSmtSet: ({ event }) => event.type === 'ROOT_PROGRAMMED' && event.recordedSmt === true,
    hasSmtRoots: ({ context }) => context.smtRoots.length > 0,
  },
  updates: {
    addSmtRoot: (c, e) => (e.type === 'ROOT_PROGRAMMED' && e.ecapSmts && !c.smtRoots.includes(e.iommu) ? { smtRoots: [...c.smtRoots, e.iommu] } : c),
  },
  facts: {
    ScalableModeDisabled: (e) => ({ type: 'ScalableModeDisabled', iommu: e.type === 'DISABLE' ? e.iommu : null }),
  },
  details: {
    VTD_SM_DISABLED_AFTER_ROOT: (_e, c) => `root table(s) of ${c.smtRoots.join(', ')} already programmed with DMA_RTADDR_SMT`,
    VTD_ROOT_MODE_MISMATCH: (e) => (e.type === 'ROOT_PROGRAMMED' ? `${e.iommu} recorded smt=${e.recordedSmt} (ecap_smts=${e.ecapSmts})` : ''),
  },
});
