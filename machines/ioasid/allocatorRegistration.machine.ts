/**
 * One ioasid_allocator_ops (a custom IOASID allocator, e.g. one VT-d vIOMMU's vcmd ops):
 * unregistered, active, standby (registered behind another allocator), or shared (on the slist of an
 * entry with the same alloc/free helpers). Decides ioasid_register_allocator (§1.3). Pure.
 */
import { decide } from '../kit/outcome.js';
import { defineObjectKind, type ModelEvent } from '../kit/object.js';

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

export type RegistrationEvent =
  | (ModelEvent & {
      type: 'REGISTER';
      alloc: string;
      free: string;
      pdata: string | null;
      /** No custom allocator is registered (allocators_list empty). */
      listEmpty: boolean;
      /** IDs outstanding in the default allocator's xarray. */
      defaultOutstanding: number;
      /** The ops is the head (`pallocator->ops`) of a live entry: the -EEXIST test. */
      isEntryHead: boolean;
      /** A live entry with the same alloc and free helpers, if any. */
      sameHelpersSpace: string | null;
      /** The space a new entry would get. */
      newSpace: string;
    })
  | (ModelEvent & { type: 'PROMOTE' })
  | (ModelEvent & { type: 'DROP' });

export interface RegistrationInput {
  readonly ops: string;
}

const EEXIST = decide({ ret: '-EEXIST', finding: 'ALLOCATOR_ALREADY_REGISTERED', rule: 'ioasid_register_allocator: the same ops is already an entry head → -EEXIST (§1.3)' });
/**
 * ioasid_alloc_allocator ran first and did list_add_tail(&ops->list, &ia_data->slist), overwriting the
 * node the live entry links through; the -EEXIST path then kfree()s ia_data (ioasid.c v5.5–v6.3).
 */
const EEXIST_LIVE = { actions: ['leaveDangling', decide({ ret: '-EEXIST', finding: 'ALLOCATOR_ALREADY_REGISTERED', rule: 'ioasid_register_allocator: ops->list is re-linked into a new ioasid_allocator_data, then the same ops is found as an entry head → -EEXIST and that data is freed: ops->list points into freed memory (§1.3, issue #20)' })] } as const;
const DROP = { target: 'unregistered', actions: ['forget', decide({ rule: 'removed from the allocator list by ioasid_unregister_allocator (§1.4)' })] } as const;

export const allocatorRegistrationKind = defineObjectKind<RegistrationContext, RegistrationEvent, RegistrationInput>({
  id: 'allocatorRegistration',
  initial: 'unregistered',
  context: ({ ops }) => ({ ops, alloc: '', free: '', pdata: null, space: null, role: null }),
  states: {
    unregistered: {
      on: {
        REGISTER: [
          { guard: 'isEntryHead', actions: EEXIST },
          {
            guard: 'isFirstWithOutstandingDefault',
            actions: decide({ ret: '-EAGAIN', finding: 'ALLOCATOR_REGISTER_OUTSTANDING', rule: 'ioasid_register_allocator: first custom allocator while the default allocator has outstanding IDs → -EAGAIN (§1.3)' }),
          },
          { guard: 'isFirstCustom', target: 'active', actions: ['joinActive', decide({ ret: 0, fact: 'AllocatorRegistered', rule: 'ioasid_register_allocator: the first custom allocator becomes active (§1.3)' })] },
          { guard: 'hasSameHelpers', target: 'shared', actions: ['joinShared', decide({ ret: 0, fact: 'AllocatorRegistered', rule: 'ioasid_register_allocator: same alloc/free helpers → shares that entry and its ID space (§1.3)' })] },
          { target: 'standby', actions: ['joinStandby', decide({ ret: 0, fact: 'AllocatorRegistered', rule: 'ioasid_register_allocator: new helpers → appended as a standby entry (§1.3)' })] },
        ],
        PROMOTE: { actions: decide({ rule: 'not registered' }) },
        DROP: { actions: decide({ rule: 'not registered' }) },
      },
    },
    active: {
      on: {
        REGISTER: EEXIST_LIVE,
        PROMOTE: { actions: decide({ rule: 'already active' }) },
        DROP,
      },
    },
    standby: {
      on: {
        REGISTER: EEXIST_LIVE,
        PROMOTE: { target: 'active', actions: ['promote', decide({ rule: 'ioasid_unregister_allocator: the first remaining entry becomes active (§1.4)' })] },
        DROP,
      },
    },
    shared: {
      on: {
        REGISTER: [
          { guard: 'isEntryHead', actions: EEXIST },
          {
            actions: decide({ ret: 0, finding: 'ALLOCATOR_REREGISTER_SHARER', rule: 'ioasid_register_allocator: -EEXIST compares entry heads only; a sharer re-registers with 0 and its list node is added twice (§1.3)' }),
          },
        ],
        PROMOTE: { actions: decide({ rule: 'a sharer follows its entry' }) },
        DROP,
      },
    },
  },
  guards: {
    isEntryHead: ({ event }) => event.type === 'REGISTER' && event.isEntryHead,
    isFirstWithOutstandingDefault: ({ event }) => event.type === 'REGISTER' && event.listEmpty && event.defaultOutstanding > 0,
    isFirstCustom: ({ event }) => event.type === 'REGISTER' && event.listEmpty,
    hasSameHelpers: ({ event }) => event.type === 'REGISTER' && event.sameHelpersSpace !== null,
  },
  updates: {
    joinActive: (c, e) => (e.type === 'REGISTER' ? { ...c, alloc: e.alloc, free: e.free, pdata: e.pdata, space: e.newSpace, role: 'active' } : c),
    joinStandby: (c, e) => (e.type === 'REGISTER' ? { ...c, alloc: e.alloc, free: e.free, pdata: e.pdata, space: e.newSpace, role: 'standby' } : c),
    joinShared: (c, e) => (e.type === 'REGISTER' ? { ...c, alloc: e.alloc, free: e.free, pdata: e.pdata, space: e.sameHelpersSpace, role: 'shared' } : c),
    promote: (c) => ({ ...c, role: 'active' }),
    forget: (c) => ({ ...c, space: null, role: null, dangling: undefined }),
    leaveDangling: (c) => ({ ...c, dangling: true }),
  },
  facts: {
    AllocatorRegistered: (_e, _b, a) => ({
      type: 'AllocatorRegistered',
      ops: a.ops,
      alloc: a.alloc,
      free: a.free,
      pdata: a.pdata,
      role: a.role ?? 'standby',
      space: a.space ?? '',
    }),
  },
  details: {
    ALLOCATOR_ALREADY_REGISTERED: (_e, c) => `ops ${c.ops} is already registered${c.role === null ? '' : `; its list node now points into the freed temporary allocator data (${c.space})`}`,
    ALLOCATOR_REGISTER_OUTSTANDING: (e) => `default allocator has ${e.type === 'REGISTER' ? e.defaultOutstanding : '?'} outstanding IOASID(s)`,
    ALLOCATOR_REREGISTER_SHARER: (_e, c) => `ops ${c.ops} already shares ${c.space}`,
  },
});
