/**
 * An mm_struct as SVA sees it, driven by facts: live without a PASID, live with its PASID (assigned
 * once on first bind), exited. It counts its bonds (a new bond has users 1, the last unbind leaves
 * none) and its SVA domains (iommu_mm->sva_domains, v6.8+). The calls that decide are
 * machines/calls/iommu_sva_bind_device.ts (iommu_sva_alloc_pasid), iommu_sva_unbind_device.ts and
 * mm_pasid_drop.ts. Pure.
 */
import { setup } from 'xstate';
import { assignsOf, defineObject, factTypes, type FactGuards, type FactUpdates } from '../kit/object.js';

export interface MmContext {
  readonly mm: string;
  readonly pasid: number | null;
  readonly bonds: number;
  /** iommu_mm->sva_domains (v6.8+), in list order. */
  readonly domains: readonly string[];
  /**
   * mm_pasid_drop was recorded while bonds pinned the mm (v5.18-rc6+: impossible on the kernel, so
   * records were lost): the PASID is kept until the model's last bond of the mm goes.
   */
  readonly dropPending?: boolean;
  /** The PASID was allocated by intel_svm_bind_mm (Intel ≤ v5.13): one reference per mm, dropped with its last bond. */
  readonly intelSvm?: boolean;
}

const one = (mm: string) => [{ id: mm, input: { mm } }];

const COUNTERS = {
  SvaBound: { guard: 'isNewBond', actions: 'bond' },
  SvaUnbound: { guard: 'isBondGone', actions: 'unbond' },
  MmSvaDomainAdded: { actions: 'addDomain' },
  MmSvaDomainRemoved: { actions: 'removeDomain' },
} as const;

const EXIT = [
  { guard: 'keepsPasid', target: 'exited', actions: 'keepPasidPending' },
  { target: 'exited', actions: 'dropPasid' },
] as const;

const guards = {
  isNewBond: ({ event }) => event.type === 'SvaBound' && event.users === 1,
  isBondGone: ({ event }) => event.type === 'SvaUnbound' && event.users <= 0,
  keepsPasid: ({ event }) => event.type === 'MmExited' && event.keepsPasid === true,
} satisfies FactGuards<MmContext>;

const updates = {
  assign: (c, f) => (f.type === 'MmPasidAssigned' ? { ...c, pasid: f.pasid, ...(f.intel_svm === true ? { intelSvm: true } : {}) } : c),
  // Why: XState's assign merges, so a key is cleared by setting it undefined, never by leaving it out.
  dropPasid: (c) => ({ ...c, pasid: null, dropPending: undefined, intelSvm: undefined }),
  keepPasidPending: (c) => ({ ...c, dropPending: true }),
  bond: (c) => ({ ...c, bonds: c.bonds + 1 }),
  unbond: (c) => ({ ...c, bonds: Math.max(0, c.bonds - 1) }),
  addDomain: (c, f) => (f.type === 'MmSvaDomainAdded' ? { ...c, domains: [...c.domains, f.domain] } : c),
  removeDomain: (c, f) => (f.type === 'MmSvaDomainRemoved' ? { ...c, domains: c.domains.filter((d) => d !== f.domain) } : c),
} satisfies FactUpdates<MmContext>;

const mmSetup = setup({ types: factTypes<MmContext, { mm: string }>(), guards });
export const mmMachine = mmSetup.extend({ actions: assignsOf(mmSetup.assign, updates) }).createMachine({
  id: 'mm',
  initial: 'live',
  context: ({ input: { mm } }) => ({ mm, pasid: null, bonds: 0, domains: [] }),
  states: {
    live: { on: { MmPasidAssigned: { target: 'hasPasid', actions: 'assign' }, ...COUNTERS, MmExited: EXIT } },
    hasPasid: {
      on: {
        MmPasidAssigned: { actions: 'assign' },
        MmPasidReleased: { target: 'live', actions: 'dropPasid' },
        ...COUNTERS,
        MmExited: EXIT,
      },
    },
    exited: {
      on: {
        MmPasidAssigned: { actions: 'assign' },
        MmPasidReleased: { actions: 'dropPasid' },
        ...COUNTERS,
        MmExited: { actions: 'dropPasid' },
      },
    },
  },
});

export const mmKind = defineObject({
  machine: mmMachine,
  guards,
  updates,
  // Why: kept only so a use after exit is caught: stored shared (machines/kit/world.ts).
  dead: { states: ['exited'], self: 'mm' },
  address: {
    MmPasidAssigned: (f) => one(f.mm),
    MmPasidReleased: (f) => one(f.mm),
    MmExited: (f) => one(f.mm),
    MmSvaDomainAdded: (f) => one(f.mm),
    MmSvaDomainRemoved: (f) => one(f.mm),
    SvaBound: (f) => one(f.mm),
    SvaUnbound: (f) => one(f.mm),
  },
});
