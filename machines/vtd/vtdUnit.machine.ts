/**
 * One VT-d IOMMU unit through intel_iommu_init, driven by facts: register_pasid_allocator skips the
 * vcmd custom allocator or registers it (§2.1), the root table is programmed (§2.2), free_dmar_iommu
 * removes the unit. The calls that decide are machines/calls/register_pasid_allocator.ts,
 * iommu_set_root_entry.ts and free_dmar_iommu.ts. Pure.
 */
import { setup } from 'xstate';
import { assignsOf, defineObject, factTypes, type FactGuards, type FactUpdates } from '../kit/object.js';

export interface VtdUnitContext {
  readonly iommu: string;
  /** The ops name of `&iommu->pasid_allocator` once registered. */
  readonly ops: string | null;
  readonly smt: boolean | null;
  /** vccap_pasid as register_pasid_allocator read it (null: never seen); free_dmar_iommu unregisters on it alone (§2.2). */
  readonly vccapPasid: boolean | null;
  /** `iommu->pasid_allocator.alloc/free` were filled in (registration attempted, even if it failed). */
  readonly helpersSet: boolean;
}

const one = (iommu: string) => [{ id: iommu, input: { iommu } }];
const ROOT = { target: 'rootProgrammed', actions: 'setSmt' } as const;

const guards = {} satisfies FactGuards<VtdUnitContext>;

const updates = {
  noteCaps: (c, f) => (f.type === 'PasidAllocatorSkipped' ? { ...c, vccapPasid: f.vccap_pasid } : c),
  // Why: register_pasid_allocator fills in iommu->pasid_allocator (alloc, free, pdata) just before ioasid_register_allocator; they stay set if it fails.
  nameOps: (c, f) => (f.type === 'PasidAllocatorRegistering' ? { ...c, ops: f.ops, vccapPasid: true, helpersSet: true } : c),
  dropOps: (c) => ({ ...c, ops: null }),
  setSmt: (c, f) => (f.type === 'RootTableProgrammed' ? { ...c, smt: f.smt } : c),
} satisfies FactUpdates<VtdUnitContext>;

const vtdUnitSetup = setup({ types: factTypes<VtdUnitContext, { iommu: string }>(), guards });
export const vtdUnitMachine = vtdUnitSetup.extend({ actions: assignsOf(vtdUnitSetup.assign, updates) }).createMachine({
  id: 'vtdUnit',
  initial: 'discovered',
  context: ({ input: { iommu } }) => ({ iommu, ops: null, smt: null, vccapPasid: null, helpersSet: false }),
  states: {
    discovered: {
      on: {
        PasidAllocatorSkipped: { target: 'noAllocator', actions: 'noteCaps' },
        PasidAllocatorRegistering: { target: 'registering', actions: 'nameOps' },
        RootTableProgrammed: ROOT,
        DmarUnitFreed: { target: 'removed' },
      },
    },
    registering: {
      on: {
        PasidAllocatorRegistered: { target: 'allocatorRegistered' },
        PasidAllocatorRegistrationFailed: { target: 'noAllocator', actions: 'dropOps' },
        RootTableProgrammed: ROOT,
        DmarUnitFreed: { target: 'removed' },
      },
    },
    allocatorRegistered: { on: { RootTableProgrammed: ROOT, DmarUnitFreed: { target: 'removed' } } },
    noAllocator: { on: { RootTableProgrammed: ROOT, DmarUnitFreed: { target: 'removed' } } },
    rootProgrammed: {
      on: {
        PasidAllocatorSkipped: { actions: 'noteCaps' },
        PasidAllocatorRegistering: { target: 'registering', actions: 'nameOps' },
        PasidAllocatorRegistrationFailed: { actions: 'dropOps' },
        RootTableProgrammed: { actions: 'setSmt' },
        DmarUnitFreed: { target: 'removed' },
      },
    },
    removed: { on: { RootTableProgrammed: ROOT } },
  },
});

export const vtdUnitKind = defineObject({
  machine: vtdUnitMachine,
  guards,
  updates,
  address: {
    PasidAllocatorSkipped: (f) => one(f.iommu),
    PasidAllocatorRegistering: (f) => one(f.iommu),
    PasidAllocatorRegistered: (f) => one(f.iommu),
    PasidAllocatorRegistrationFailed: (f) => one(f.iommu),
    RootTableProgrammed: (f) => one(f.iommu),
    DmarUnitFreed: (f) => one(f.iommu),
  },
});
