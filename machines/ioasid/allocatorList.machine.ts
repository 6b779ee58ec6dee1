/**
 * The allocator list of ioasid.c (allocators_list + active_allocator): the default allocator is
 * active until the first custom entry registers; unregistering falls back to the next entry or to
 * the default (§1.3, §1.4). Also remembers the orphaned ID numbers, which alias new IDs (A10). Pure.
 */
import { decide } from '../kit/outcome.js';
import { defineObjectKind, type ModelEvent } from '../kit/object.js';

export const DEFAULT_SPACE = 'default';

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

export type AllocatorListEvent =
  | (ModelEvent & { type: 'ENTRY_ADDED'; space: string })
  | (ModelEvent & { type: 'ENTRY_REMOVED'; space: string; orphans: readonly number[] })
  | (ModelEvent & { type: 'UNREGISTER'; matches: boolean });

const switched = (b: AllocatorListContext, a: AllocatorListContext) => ({ type: 'AllocatorSwitched' as const, from: b.active, to: a.active });

export const allocatorListKind = defineObjectKind<AllocatorListContext, AllocatorListEvent, Record<string, never>>({
  id: 'allocatorList',
  initial: 'defaultActive',
  context: () => ({ active: DEFAULT_SPACE, entries: [], orphans: [], created: 0 }),
  states: {
    defaultActive: {
      on: {
        ENTRY_ADDED: { target: 'customActive', actions: ['append', 'activateFirst', decide({ fact: 'AllocatorSwitched', rule: 'ioasid_register_allocator: the first custom allocator replaces the default (§1.3)' })] },
        ENTRY_REMOVED: { actions: decide({ rule: 'no custom entry to remove' }) },
        UNREGISTER: { actions: decide({ ret: null, finding: 'ALLOCATOR_UNREGISTER_NONE', rule: 'ioasid_unregister_allocator: list empty → pr_warn "No custom IOASID allocators active!" (§1.4)' }) },
      },
    },
    customActive: {
      on: {
        ENTRY_ADDED: { actions: ['append', decide({ rule: 'ioasid_register_allocator: later entries wait behind the active one (§1.3)' })] },
        ENTRY_REMOVED: [
          { guard: 'isLastEntry', target: 'defaultActive', actions: ['remove', 'activateFirst', decide({ fact: 'AllocatorSwitched', rule: 'ioasid_unregister_allocator: no custom allocator left → switch to default (§1.4)' })] },
          { guard: 'isActiveEntry', actions: ['remove', 'activateFirst', decide({ fact: 'AllocatorSwitched', rule: 'ioasid_unregister_allocator: the active entry left → the first remaining entry becomes active (§1.4)' })] },
          { actions: ['remove', decide({ rule: 'ioasid_unregister_allocator: a standby entry left' })] },
        ],
        UNREGISTER: [
          { guard: 'matchesEntry', actions: decide({ rule: 'ioasid_unregister_allocator: the first entry with the same helpers is affected (§1.4)' }) },
          { actions: decide({ ret: null, finding: 'ALLOCATOR_UNREGISTER_UNKNOWN', rule: 'ioasid_unregister_allocator: no entry with these helpers → silent no-op (§1.4)' }) },
        ],
      },
    },
  },
  guards: {
    isLastEntry: ({ context }) => context.entries.length <= 1,
    isActiveEntry: ({ context, event }) => event.type === 'ENTRY_REMOVED' && context.active === event.space,
    matchesEntry: ({ event }) => event.type === 'UNREGISTER' && event.matches,
  },
  updates: {
    append: (c, e) => (e.type === 'ENTRY_ADDED' ? { ...c, entries: [...c.entries, e.space], created: c.created + 1 } : c),
    remove: (c, e) =>
      e.type === 'ENTRY_REMOVED'
        ? { ...c, entries: c.entries.filter((s) => s !== e.space), orphans: [...new Set([...c.orphans, ...e.orphans])].sort((a, b) => a - b) }
        : c,
    activateFirst: (c) => ({ ...c, active: c.entries[0] ?? DEFAULT_SPACE }),
  },
  facts: {
    AllocatorSwitched: (_e, b, a) => switched(b, a),
  },
});
