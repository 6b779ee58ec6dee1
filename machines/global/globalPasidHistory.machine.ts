/**
 * What the global IDA (v6.4+) cannot remember about a PASID number, driven by facts: who holds it now
 * (the thread of a top-level iommu_alloc_global_pasid), who held it before, whether it was freed and
 * not handed out since, and the IOMMU groups that still had it attached when it was freed.
 * ida_free takes no owner and checks no attachment (iommu_free_global_pasid, §5), so these are what
 * the audit needs to name a double free apart from a free of a never-allocated ID (#21 B1), a stale
 * free by an earlier holder (B2), a free by another owner (B3) and a second owner of a PASID that is
 * still attached (B7). `none` (never allocated in the capture) is not stored. Pure.
 */
import { setup } from 'xstate';
import { assignsOf, defineObject, factTypes, type FactGuards, type FactUpdates } from '../kit/object.js';
import { BY_PASID } from './globalPasid.machine.js';

export interface GlobalPasidHistoryContext {
  readonly pasid: number;
  /** The current holder (null: allocated inside another call, or the capture does not say). */
  readonly holder: string | null;
  /** Holders of earlier allocations of the number. */
  readonly past: readonly string[];
  /** Who freed it last (null: unknown). */
  readonly freedBy: string | null;
  /** Groups the number is attached in for its current owner. */
  readonly groups: readonly string[];
  /** Groups still attached when the number was freed: a later owner shares the PASID with them. */
  readonly stale: readonly string[];
}

const without = (xs: readonly string[], x: string) => {
  const i = xs.indexOf(x);
  return i < 0 ? xs : [...xs.slice(0, i), ...xs.slice(i + 1)];
};

const guards = {} satisfies FactGuards<GlobalPasidHistoryContext>;

const updates = {
  own: (c, f) => (f.type === 'GlobalPasidAllocated' ? { ...c, holder: f.holder ?? null, past: c.holder === null || c.past.includes(c.holder) ? c.past : [...c.past, c.holder] } : c),
  release: (c, f) => (f.type === 'GlobalPasidFreed' ? { ...c, freedBy: f.by ?? null, stale: [...c.stale, ...c.groups], groups: [] } : c),
  attach: (c, f) => (f.type === 'PasidAttached' ? { ...c, groups: [...c.groups, f.group] } : c),
  detach: (c, f) => {
    if (f.type !== 'PasidDetached') return c;
    // Why: a detach in a group the earlier owner left attached ends that stale attachment first.
    if (c.stale.includes(f.group)) return { ...c, stale: without(c.stale, f.group) };
    return { ...c, groups: without(c.groups, f.group) };
  },
} satisfies FactUpdates<GlobalPasidHistoryContext>;

const globalPasidHistorySetup = setup({ types: factTypes<GlobalPasidHistoryContext, { pasid: number }>(), guards });
export const globalPasidHistoryMachine = globalPasidHistorySetup.extend({ actions: assignsOf(globalPasidHistorySetup.assign, updates) }).createMachine({
  id: 'globalPasidHistory',
  initial: 'none',
  context: ({ input: { pasid } }) => ({ pasid, holder: null, past: [], freedBy: null, groups: [], stale: [] }),
  states: {
    none: { on: { GlobalPasidAllocated: { target: 'held', actions: 'own' } } },
    held: {
      on: {
        // Why: a recorded allocation of a number the model holds (#21 B8) moves it to the new holder.
        GlobalPasidAllocated: { actions: 'own' },
        GlobalPasidFreed: { target: 'released', actions: 'release' },
        PasidAttached: { actions: 'attach' },
        PasidDetached: { actions: 'detach' },
      },
    },
    released: {
      on: {
        GlobalPasidAllocated: { target: 'held', actions: 'own' },
        PasidDetached: { actions: 'detach' },
      },
    },
  },
});

export const globalPasidHistoryKind = defineObject({
  machine: globalPasidHistoryMachine,
  guards,
  updates,
  // Why: A released number is kept only for what a later free or allocation of it must name (B1–B3, B7). Its id returns at the next allocation of the number.
  dead: { states: ['released'], self: 'pasid', idsReturn: true },
  absent: 'none',
  address: BY_PASID,
});
