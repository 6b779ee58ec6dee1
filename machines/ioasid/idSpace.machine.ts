/**
 * One allocator entry of ioasid.c with its ID space (xarray), driven by facts: the default allocator,
 * or a custom entry shared by every ops with the same alloc/free helpers. Live or retired (which one
 * is active is the allocator list's business, allocatorList.machine.ts); counts its outstanding IDs;
 * remembers that its head ops left while sharers stayed (`pallocator->ops` is never re-pointed, A12).
 * The calls that decide are machines/calls/ioasid_{register,unregister}_allocator.ts and
 * ioasid_alloc.ts. Pure.
 */
import { setup } from 'xstate';
import { assignsOf, defineObject, factTypes, type FactGuards, type FactUpdates } from '../kit/object.js';

export interface IdSpaceContext {
  readonly space: string;
  readonly alloc: string;
  readonly free: string;
  /** ops names on the entry's slist, in registration order. */
  readonly members: readonly string[];
  /** `pallocator->ops`: the ops that created the entry; never re-pointed (A12). */
  readonly head: string | null;
  readonly outstanding: number;
  /** The head ops left the slist while sharers stayed: pallocator->ops still points at it (A12). */
  readonly headGone?: boolean;
}

export interface IdSpaceInput {
  readonly space: string;
}

const one = (f: { space: string }) => [{ id: f.space, input: { space: f.space } }];

const COUNT = {
  IoasidAllocated: { actions: 'take' },
  IoasidFreed: { actions: 'release' },
} as const;

const guards = {
  isSharer: ({ event }) => event.type === 'AllocatorRegistered' && event.role === 'shared',
  isRemoved: ({ event }) => event.type === 'AllocatorUnregistered' && event.removed,
  isHead: ({ context, event }) => event.type === 'AllocatorUnregistered' && context.head === event.ops,
} satisfies FactGuards<IdSpaceContext>;

const updates = {
  create: (c, f) => (f.type === 'AllocatorRegistered' ? { ...c, alloc: f.alloc, free: f.free, members: [f.ops], head: f.ops } : c),
  join: (c, f) => (f.type === 'AllocatorRegistered' ? { ...c, members: [...c.members, f.ops] } : c),
  // Why: when the entry is removed its members go with it; otherwise only the leaving ops is unlinked.
  leave: (c, f) => (f.type === 'AllocatorUnregistered' ? { ...c, members: f.removed ? [] : c.members.filter((m) => m !== f.ops) } : c),
  headLeaves: (c) => ({ ...c, headGone: true }),
  take: (c) => ({ ...c, outstanding: c.outstanding + 1 }),
  release: (c) => ({ ...c, outstanding: Math.max(0, c.outstanding - 1) }),
} satisfies FactUpdates<IdSpaceContext>;

const idSpaceSetup = setup({ types: factTypes<IdSpaceContext, IdSpaceInput>(), guards });
export const idSpaceMachine = idSpaceSetup.extend({ actions: assignsOf(idSpaceSetup.assign, updates) }).createMachine({
  id: 'idSpace',
  initial: 'live',
  context: ({ input: { space } }) => ({ space, alloc: '', free: '', members: [], head: null, outstanding: 0 }),
  states: {
    live: {
      on: {
        AllocatorRegistered: [{ guard: 'isSharer', actions: 'join' }, { actions: 'create' }],
        AllocatorUnregistered: [
          { guard: 'isRemoved', target: 'retired', actions: 'leave' },
          { guard: 'isHead', actions: ['leave', 'headLeaves'] },
          { actions: 'leave' },
        ],
        ...COUNT,
      },
    },
    // A retired entry is never reused: a registration creates a new space.
    retired: { on: COUNT },
  },
});

export const idSpaceKind = defineObject({
  machine: idSpaceMachine,
  guards,
  updates,
  address: {
    AllocatorRegistered: one,
    AllocatorUnregistered: one,
    IoasidAllocated: one,
    IoasidFreed: one,
  },
});
