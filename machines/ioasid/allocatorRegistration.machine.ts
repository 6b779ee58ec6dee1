/**
 * One ioasid_allocator_ops (a custom IOASID allocator, e.g. one VT-d vIOMMU's vcmd ops), driven by
 * facts: unregistered, active, standby (registered behind another allocator), or shared (on the slist
 * of an entry with the same alloc/free helpers). The call that decides is
 * machines/calls/ioasid_register_allocator.ts (§1.3). Pure.
 */
import { setup } from 'xstate';
import { assignsOf, defineObject, factTypes, type FactGuards, type FactUpdates, type WorldReader } from '../kit/object.js';

export interface RegistrationContext {
  readonly ops: string;
  readonly alloc: string;
  readonly free: string;
  readonly pdata: string | null;
  /** The ID space (allocator entry) this ops allocates from while registered. */
  readonly space: string | null;
  readonly role: 'active' | 'standby' | 'shared' | null;
  /** ops->list points into the ioasid_allocator_data an -EEXIST registration freed (issue #20): a later unlink corrupts the list. */
  readonly dangling?: boolean;
}

export interface RegistrationInput {
  readonly ops: string;
}

const KIND = 'allocatorRegistration';
const one = (ops: string) => [{ id: ops, input: { ops } }];

/** The registered ops whose space is `space` (and, when given, in state `value`): the members of that entry. */
function opsOfSpace(w: WorldReader, space: string, value?: string) {
  const out: { id: string; input: RegistrationInput }[] = [];
  for (const [ops, s] of w.entriesOf<RegistrationContext>(KIND)) {
    if (s.value !== 'unregistered' && s.context.space === space && (value === undefined || s.value === value)) out.push({ id: ops, input: { ops } });
  }
  return out;
}

const DROP = { target: 'unregistered', actions: 'forget' } as const;

const guards = {
  isActive: ({ event }) => event.type === 'AllocatorRegistered' && event.role === 'active',
  isShared: ({ event }) => event.type === 'AllocatorRegistered' && event.role === 'shared',
} satisfies FactGuards<RegistrationContext>;

const updates = {
  join: (c, f) =>
    f.type === 'AllocatorRegistered' ? { ...c, alloc: f.alloc, free: f.free, pdata: f.pdata, space: f.space, role: f.role === 'active' || f.role === 'shared' ? f.role : 'standby' } : c,
  promote: (c) => ({ ...c, role: 'active' }),
  forget: (c) => ({ ...c, space: null, role: null, dangling: undefined }),
  leaveDangling: (c) => ({ ...c, dangling: true }),
} satisfies FactUpdates<RegistrationContext>;

const allocatorRegistrationSetup = setup({ types: factTypes<RegistrationContext, RegistrationInput>(), guards });
export const allocatorRegistrationMachine = allocatorRegistrationSetup.extend({ actions: assignsOf(allocatorRegistrationSetup.assign, updates) }).createMachine({
  id: KIND,
  initial: 'unregistered',
  context: ({ input: { ops } }) => ({ ops, alloc: '', free: '', pdata: null, space: null, role: null }),
  states: {
    unregistered: {
      on: {
        AllocatorRegistered: [
          { guard: 'isActive', target: 'active', actions: 'join' },
          { guard: 'isShared', target: 'shared', actions: 'join' },
          { target: 'standby', actions: 'join' },
        ],
      },
    },
    active: { on: { AllocatorListNodeDangling: { actions: 'leaveDangling' }, AllocatorUnregistered: DROP, AllocatorListCorrupted: DROP } },
    standby: {
      on: {
        AllocatorListNodeDangling: { actions: 'leaveDangling' },
        AllocatorSwitched: { target: 'active', actions: 'promote' },
        AllocatorUnregistered: DROP,
        AllocatorListCorrupted: DROP,
      },
    },
    shared: { on: { AllocatorUnregistered: DROP, AllocatorListCorrupted: DROP } },
  },
});

export const allocatorRegistrationKind = defineObject({
  machine: allocatorRegistrationMachine,
  guards,
  updates,
  address: {
    AllocatorRegistered: (f) => one(f.ops),
    // A removed entry takes every member with it; otherwise only the leaving ops goes.
    AllocatorUnregistered: (f, w) => (f.removed ? opsOfSpace(w, f.space) : one(f.ops)),
    AllocatorListCorrupted: (f) => one(f.ops),
    AllocatorListNodeDangling: (f) => one(f.ops),
    // ioasid_unregister_allocator: the first remaining entry becomes active (§1.4).
    AllocatorSwitched: (f, w) => opsOfSpace(w, f.to, 'standby'),
  },
});
