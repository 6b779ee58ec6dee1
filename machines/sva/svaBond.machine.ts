/**
 * The bond of one (device, mm), driven by facts: unbound (not stored) or bound, with its handles,
 * domain and count of binds. Whether another bind of the pair shares the handle (the vendor bond
 * ≤ v6.1, the per-handle refcount v6.8+) or takes a new one (v6.2–v6.7) is the era's, read when the
 * bond is made. The call that decides is machines/calls/iommu_sva_bind_device.ts (and unbind). Pure.
 */
import type { Profile } from '../profile.js';
import { setup } from 'xstate';
import { assignsOf, defineObject, factTypes, type FactGuards, type FactUpdates } from '../kit/object.js';

export interface SvaBondContext {
  readonly dev: string;
  readonly mm: string;
  readonly pasid: number | null;
  readonly domain: string | null;
  /** Live handles of this pair (one when handles are shared). */
  readonly handles: readonly string[];
  /** Binds not yet unbound. */
  readonly users: number;
  /** Binds of the pair share one handle (≤ v6.1, v6.8+); v6.2–v6.7 hand out one per bind. */
  readonly shares: boolean;
}

export interface SvaBondInput {
  readonly dev: string;
  readonly mm: string;
  readonly shares: boolean;
}

/** Whether the binds of one (dev, mm) share a handle in this era (§3.1, §3.4, §3.5). */
export const sharesHandle = (p: Profile) => !p.svaDomains || p.svaHandleRefcount;

export const bondKey = (dev: string, mm: string) => `${dev}/${mm}`;

const guards = {
  sharesHandle: ({ context }) => context.shares,
  isLastUser: ({ event }) => event.type === 'SvaUnbound' && event.users <= 0,
} satisfies FactGuards<SvaBondContext>;

const updates = {
  bindNew: (c, f) => (f.type === 'SvaBound' ? { ...c, pasid: f.pasid, domain: f.domain, handles: [f.handle], users: 1 } : c),
  bindAgain: (c) => ({ ...c, users: c.users + 1 }),
  bindNewHandle: (c, f) => (f.type === 'SvaBound' ? { ...c, handles: [...c.handles, f.handle], users: c.users + 1 } : c),
  // A shared handle stays with the pair until its last unbind; a per-bind handle goes with its bind.
  unbind: (c, f) => (f.type === 'SvaUnbound' ? { ...c, users: c.users - 1, handles: c.shares ? c.handles : c.handles.filter((h) => h !== f.handle) } : c),
} satisfies FactUpdates<SvaBondContext>;

const svaBondSetup = setup({ types: factTypes<SvaBondContext, SvaBondInput>(), guards });
export const svaBondMachine = svaBondSetup.extend({ actions: assignsOf(svaBondSetup.assign, updates) }).createMachine({
  id: 'svaBond',
  initial: 'unbound',
  context: ({ input: { dev, mm, shares } }) => ({ dev, mm, pasid: null, domain: null, handles: [], users: 0, shares }),
  states: {
    unbound: { on: { SvaBound: { target: 'bound', actions: 'bindNew' } } },
    bound: {
      on: {
        SvaBound: [{ guard: 'sharesHandle', actions: 'bindAgain' }, { actions: 'bindNewHandle' }],
        SvaUnbound: [{ guard: 'isLastUser', target: 'unbound' }, { actions: 'unbind' }],
      },
    },
  },
});

export const svaBondKind = defineObject({
  machine: svaBondMachine,
  guards,
  updates,
  absent: 'unbound',
  address: {
    SvaBound: (f, w) => [{ id: bondKey(f.dev, f.mm), input: { dev: f.dev, mm: f.mm, shares: sharesHandle(w.profile) } }],
    SvaUnbound: (f, w) => [{ id: bondKey(f.dev, f.mm), input: { dev: f.dev, mm: f.mm, shares: sharesHandle(w.profile) } }],
  },
});
