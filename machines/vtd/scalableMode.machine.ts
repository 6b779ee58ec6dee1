/**
 * VT-d scalable mode (the global `intel_iommu_sm`) and the root tables programmed with
 * DMA_RTADDR_SMT, driven by facts. Once any root table is in scalable-mode format, switching
 * scalable mode off is a silent inconsistency (seed thread; §2.2, A16): the calls that decide are
 * machines/calls/iommu_set_root_entry.ts and intel_iommu_sm_disable.ts. Pure.
 */
import { setup } from 'xstate';
import { assignsOf, defineObject, factTypes, type FactGuards, type FactUpdates } from '../kit/object.js';

export interface ScalableModeContext {
  /** IOMMUs whose root table was programmed with SMT. */
  readonly smtRoots: readonly string[];
}

/** The singleton id of `intel_iommu_sm`. */
export const SCALABLE_MODE = 'intel_iommu_sm';
const ONE = [{ id: SCALABLE_MODE, input: {} }] as const;

const guards = {} satisfies FactGuards<ScalableModeContext>;

const updates = {
  addSmtRoot: (c, f) => (f.type === 'RootTableProgrammed' && !c.smtRoots.includes(f.iommu) ? { smtRoots: [...c.smtRoots, f.iommu] } : c),
} satisfies FactUpdates<ScalableModeContext>;

const scalableModeSetup = setup({ types: factTypes<ScalableModeContext>(), guards });
export const scalableModeMachine = scalableModeSetup.extend({ actions: assignsOf(scalableModeSetup.assign, updates) }).createMachine({
  id: 'scalableMode',
  initial: 'enabled',
  context: () => ({ smtRoots: [] }),
  states: {
    enabled: {
      on: {
        RootTableProgrammed: { actions: 'addSmtRoot' },
        ScalableModeDisabled: { target: 'disabled' },
      },
    },
    disabled: { on: { RootTableProgrammed: { actions: 'addSmtRoot' } } },
  },
});

export const scalableModeKind = defineObject({
  machine: scalableModeMachine,
  guards,
  updates,
  address: {
    // Only an SMT root table is remembered (the SMT bit is set only while scalable mode is on).
    RootTableProgrammed: (f) => (f.smt ? ONE : []),
    ScalableModeDisabled: () => ONE,
  },
});
