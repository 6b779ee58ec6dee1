/**
 * The allocator list of ioasid.c (allocators_list + active_allocator), driven by facts: the default
 * allocator is active until the first custom entry registers; unregistering falls back to the next
 * entry or to the default (§1.3, §1.4). Also remembers the orphaned ID numbers, which alias new IDs
 * (A10). The calls that decide are machines/calls/ioasid_{register,unregister}_allocator.ts. Pure.
 */
import { setup } from 'xstate';
import { assignsOf, defineObject, factTypes, type FactGuards, type FactUpdates } from '../kit/object.js';

export const DEFAULT_SPACE = 'default';
/** The singleton id of the allocator list (allocators_list + active_allocator). */
export const ALLOCATOR_LIST = 'ioasid';

export interface AllocatorListContext {
  /** The active entry's space: DEFAULT_SPACE or a custom space. */
  readonly active: string;
  /** Live custom entries in list order. */
  readonly entries: readonly string[];
  /** ID numbers still held as orphans of retired spaces (sorted). */
  readonly orphans: readonly number[];
  /** Counts custom entries ever created, to name new spaces. */
  readonly created: number;
}

const ONE = [{ id: ALLOCATOR_LIST, input: {} }] as const;

const guards = {
  isLastEntry: ({ context }) => context.entries.length <= 1,
} satisfies FactGuards<AllocatorListContext>;

const updates = {
  append: (c, f) => (f.type === 'AllocatorRegistered' ? { ...c, entries: [...c.entries, f.space], created: c.created + 1 } : c),
  remove: (c, f) => (f.type === 'AllocatorUnregistered' ? { ...c, entries: c.entries.filter((s) => s !== f.space) } : c),
  activate: (c, f) => (f.type === 'AllocatorSwitched' ? { ...c, active: f.to } : c),
  orphan: (c, f) => (f.type === 'IoasidOrphaned' && !c.orphans.includes(f.ioasid) ? { ...c, orphans: [...c.orphans, f.ioasid].sort((a, b) => a - b) } : c),
} satisfies FactUpdates<AllocatorListContext>;

const allocatorListSetup = setup({ types: factTypes<AllocatorListContext>(), guards });
export const allocatorListMachine = allocatorListSetup.extend({ actions: assignsOf(allocatorListSetup.assign, updates) }).createMachine({
  id: 'allocatorList',
  initial: 'defaultActive',
  context: () => ({ active: DEFAULT_SPACE, entries: [], orphans: [], created: 0 }),
  states: {
    defaultActive: {
      on: {
        AllocatorRegistered: { target: 'customActive', actions: 'append' },
        AllocatorSwitched: { actions: 'activate' },
        IoasidOrphaned: { actions: 'orphan' },
      },
    },
    customActive: {
      on: {
        AllocatorRegistered: { actions: 'append' },
        AllocatorUnregistered: [{ guard: 'isLastEntry', target: 'defaultActive', actions: 'remove' }, { actions: 'remove' }],
        AllocatorSwitched: { actions: 'activate' },
        IoasidOrphaned: { actions: 'orphan' },
      },
    },
  },
});

export const allocatorListKind = defineObject({
  machine: allocatorListMachine,
  guards,
  updates,
  address: {
    // A sharer joins an entry that is already listed.
    AllocatorRegistered: (f) => (f.role === 'shared' ? [] : ONE),
    AllocatorUnregistered: (f) => (f.removed ? ONE : []),
    AllocatorSwitched: () => ONE,
    IoasidOrphaned: () => ONE,
  },
});
