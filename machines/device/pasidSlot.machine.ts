/**
 * One PASID of one IOMMU group (an index of group->pasid_array), driven by facts: empty (blocked) or
 * attached to a domain, with the device that attached it and the attach handle. `empty` is not
 * stored. The calls that decide are machines/calls/iommu_{attach,detach,replace}_device_pasid.ts. Pure.
 */
import { setup } from 'xstate';
import { assignsOf, defineObject, factTypes, type FactGuards, type FactUpdates } from '../kit/object.js';

export interface PasidSlotContext {
  readonly group: string;
  readonly pasid: number;
  readonly dev: string | null;
  readonly domain: string | null;
  readonly handle: string | null;
}

export interface PasidSlotInput {
  readonly group: string;
  readonly pasid: number;
}

const one = (group: string, pasid: number) => [{ id: `${group}/${pasid}`, input: { group, pasid } }];

const guards = {} satisfies FactGuards<PasidSlotContext>;

const updates = {
  attach: (c, f) => (f.type === 'PasidAttached' ? { ...c, dev: f.dev, domain: f.domain, handle: f.handle ?? null } : c),
  replace: (c, f) => (f.type === 'PasidReplaced' ? { ...c, dev: f.dev, domain: f.to, handle: f.handle ?? null } : c),
  clear: (c) => ({ ...c, dev: null, domain: null, handle: null }),
} satisfies FactUpdates<PasidSlotContext>;

const pasidSlotSetup = setup({ types: factTypes<PasidSlotContext, PasidSlotInput>(), guards });
export const pasidSlotMachine = pasidSlotSetup.extend({ actions: assignsOf(pasidSlotSetup.assign, updates) }).createMachine({
  id: 'pasidSlot',
  initial: 'empty',
  context: ({ input: { group, pasid } }) => ({ group, pasid, dev: null, domain: null, handle: null }),
  states: {
    empty: { on: { PasidAttached: { target: 'attached', actions: 'attach' } } },
    attached: { on: { PasidReplaced: { actions: 'replace' }, PasidDetached: { target: 'empty', actions: 'clear' } } },
  },
});

export const pasidSlotKind = defineObject({
  machine: pasidSlotMachine,
  guards,
  updates,
  absent: 'empty',
  address: {
    PasidAttached: (f) => one(f.group, f.pasid),
    PasidDetached: (f) => one(f.group, f.pasid),
    PasidReplaced: (f) => one(f.group, f.pasid),
  },
});
