/**
 * One struct iommu_sva handle returned by iommu_sva_bind_device, driven by facts: live until the
 * unbind that frees it (the last one of a shared handle, every one of a per-bind handle, v6.2–v6.7),
 * then freed; an unbind of a freed handle is a use-after-free (A25, decided by
 * machines/calls/iommu_sva_unbind_device.ts). A handle never seen bound was bound before the capture
 * began (`unseen`). Pure.
 */
import { setup } from 'xstate';
import { assignsOf, defineObject, factTypes, type FactGuards, type FactUpdates } from '../kit/object.js';
import { sharesHandle } from './svaBond.machine.js';

export interface SvaHandleContext {
  readonly handle: string;
  readonly dev: string | null;
  readonly mm: string | null;
}

const one = (handle: string) => [{ id: handle, input: { handle } }];

const guards = {} satisfies FactGuards<SvaHandleContext>;

const updates = {
  own: (c, f) => (f.type === 'SvaBound' ? { ...c, dev: f.dev, mm: f.mm } : c),
} satisfies FactUpdates<SvaHandleContext>;

const svaHandleSetup = setup({ types: factTypes<SvaHandleContext, { handle: string }>(), guards });
export const svaHandleMachine = svaHandleSetup.extend({ actions: assignsOf(svaHandleSetup.assign, updates) }).createMachine({
  id: 'svaHandle',
  initial: 'unseen',
  context: ({ input: { handle } }) => ({ handle, dev: null, mm: null }),
  states: {
    unseen: { on: { SvaBound: { target: 'live', actions: 'own' } } },
    live: { on: { SvaBound: { actions: 'own' }, SvaUnbound: { target: 'freed' } } },
    // Why: the allocator may reuse the handle's memory (and the capture its name) after kfree.
    freed: { on: { SvaBound: { target: 'live', actions: 'own' } } },
  },
});

export const svaHandleKind = defineObject({
  machine: svaHandleMachine,
  guards,
  updates,
  // Why: kept only so an unbind of a freed handle is caught (A25): stored shared (machines/kit/world.ts).
  dead: { states: ['freed'], self: 'handle' },
  address: {
    SvaBound: (f) => one(f.handle),
    // iommu_sva_unbind_device kfree()s the handle when its refcount reaches 0 (§3.4, §3.5).
    SvaUnbound: (f, w) => (f.users <= 0 || !sharesHandle(w.profile) ? one(f.handle) : []),
  },
});
