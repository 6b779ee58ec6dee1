/**
 * One allocator entry of ioasid.c with its ID space (xarray): the default allocator, or a custom
 * entry shared by every ops with the same alloc/free helpers. Live or retired (which one is active is
 * the allocator list's business, allocatorList.machine.ts); counts its
 * outstanding IDs; decides ioasid_unregister_allocator for its members (§1.4). Pure.
 */
import { decide } from '../kit/outcome.js';
import { defineObjectKind, type ModelEvent } from '../kit/object.js';

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

export type IdSpaceEvent =
  | (ModelEvent & { type: 'CREATE'; ops: string; alloc: string; free: string })
  | (ModelEvent & { type: 'JOIN'; ops: string })
  /** `dangling`: the ops' list node was left in freed memory by an -EEXIST re-registration (issue #20). */
  | (ModelEvent & { type: 'UNREGISTER'; ops: string; dangling?: boolean })
  /** ioasid_alloc / a freeing ioasid_free calls pallocator->ops->alloc/free with its pdata. */
  | (ModelEvent & { type: 'OPS_USED'; what: 'alloc' | 'free' })
  | (ModelEvent & { type: 'ID_TAKEN' })
  | (ModelEvent & { type: 'ID_RELEASED' })
  /** No ID could be handed out: the range is full (default) or the host refused (custom, e.g. VT-d vcmd). */
  | (ModelEvent & { type: 'ALLOC_FAILED'; hostFailure: boolean; belowPasidMin: boolean });

export interface IdSpaceInput {
  readonly space: string;
}

const isMember = (c: IdSpaceContext, ops: string) => c.members.includes(ops);
const opsOf = (e: IdSpaceEvent) => (e.type === 'UNREGISTER' || e.type === 'JOIN' || e.type === 'CREATE' ? e.ops : '');

const OPS_USED = [
    {
      guard: 'isHeadGone',
      actions: decide({ finding: 'ALLOCATOR_OPS_USE_AFTER_UNREGISTER', rule: 'ioasid_alloc/ioasid_free call pallocator->ops, never re-pointed when its head ops was unregistered (VT-d: the ops lives in the removed unit, §1.4)' }),
    },
    { actions: decide({ rule: "the entry's ops is registered" }) },
] as const;

const COUNT = {
  ID_TAKEN: { actions: ['take', decide({ rule: 'xa_alloc in this space' })] },
  ID_RELEASED: { actions: ['release', decide({ rule: 'xa_erase in this space' })] },
  ALLOC_FAILED: [
    { guard: 'isBelowPasidMin', actions: decide({ ret: 'INVALID_IOASID', finding: 'IOASID_ALLOC_FAILED', rule: 'intel_vcmd_ioasid_alloc: min < PASID_MIN (1) → INVALID_IOASID before asking the host (§2.3)' }) },
    { guard: 'isHostFailure', actions: decide({ ret: 'INVALID_IOASID', finding: 'IOASID_ALLOC_FAILED', rule: 'ioasid_alloc: the custom allocator (VT-d vcmd: host out of PASIDs, -ENOSPC) returned INVALID_IOASID → pr_err (§2.4, A17)' }) },
    { actions: decide({ ret: 'INVALID_IOASID', finding: 'IOASID_ALLOC_FAILED', rule: 'ioasid_alloc: xa_alloc found no free ID in [min, max] → INVALID_IOASID (§1.2, §1.5)' }) },
  ],
} as const;
const REMOVED_RULE = 'ioasid_unregister_allocator: the only member leaves → entry removed, its IDs orphaned (§1.4)';

export const idSpaceKind = defineObjectKind<IdSpaceContext, IdSpaceEvent, IdSpaceInput>({
  id: 'idSpace',
  initial: 'live',
  context: ({ space }) => ({ space, alloc: '', free: '', members: [], head: null, outstanding: 0 }),
  states: {
    live: {
      on: {
        CREATE: { actions: ['create', decide({ rule: 'new allocator entry (§1.3)' })] },
        JOIN: { actions: ['join', decide({ rule: 'same helpers: added to the entry slist (§1.3)' })] },
        UNREGISTER: [
          {
            // Why: the -EEXIST path of ioasid_register_allocator re-linked ops->list into a freed ioasid_allocator_data; list_del
            // through it with sharers on the slist is the "list_del corruption" BUG the lab saw (issue #20). The BUG stops the call.
            guard: 'isCorruptUnlink',
            actions: decide({ finding: 'ALLOCATOR_LIST_CORRUPT', rule: 'ioasid_unregister_allocator: list_del(&ops->list) follows pointers into the freed allocator data → list_del corruption (BUG with CONFIG_BUG_ON_DATA_CORRUPTION) with ioasid_allocator_lock held' }),
          },
          { guard: 'isLastMemberWithIds', target: 'retired', actions: ['leave', decide({ fact: 'AllocatorUnregistered', finding: 'ALLOCATOR_UNREGISTER_OUTSTANDING', rule: 'ioasid_unregister_allocator: WARN_ON(!xa_empty) on the removed entry (§1.4)' })] },
          {
            // Why: ioasid_unregister_allocator's WARN_ON(!xa_empty(&pallocator->xa)) fires on whichever entry the helper match removed, whoever's ops it was (§1.4).
            guard: 'isOtherOpsLastMemberWithIds',
            target: 'retired',
            actions: [
              'leave',
              decide({ fact: 'AllocatorUnregistered', finding: 'ALLOCATOR_UNREGISTER_OTHER_OPS', rule: 'ioasid_unregister_allocator matches helpers, not the ops: it removes the entry of another ops (§1.4)' }),
              decide({ finding: 'ALLOCATOR_UNREGISTER_OUTSTANDING', rule: 'ioasid_unregister_allocator: WARN_ON(!xa_empty) on the removed entry (§1.4)' }),
            ],
          },
          { guard: 'isOtherOpsLastMember', target: 'retired', actions: ['leave', decide({ fact: 'AllocatorUnregistered', finding: 'ALLOCATOR_UNREGISTER_OTHER_OPS', rule: 'ioasid_unregister_allocator matches helpers, not the ops: it removes the entry of another ops (§1.4)' })] },
          { guard: 'isLastMember', target: 'retired', actions: ['leave', decide({ fact: 'AllocatorUnregistered', rule: REMOVED_RULE })] },
          { guard: 'isHeadSharer', actions: ['leave', 'headLeaves', decide({ fact: 'AllocatorUnregistered', finding: 'ALLOCATOR_DANGLING_PDATA', rule: 'ioasid_unregister_allocator unlinks a sharer but never re-points pallocator->ops/pdata (§1.4)' })] },
          { guard: 'isSharer', actions: ['leave', decide({ fact: 'AllocatorUnregistered', rule: 'ioasid_unregister_allocator: a sharer leaves the slist; the entry and its IDs stay (§1.4)' })] },
          { actions: decide({ finding: 'ALLOCATOR_UNREGISTER_UNKNOWN', rule: 'ioasid_unregister_allocator: the ops is not on the slist of the matching entry → nothing happens (§1.4)' }) },
        ],
        OPS_USED,
        ...COUNT,
      },
    },
    retired: {
      on: {
        CREATE: { actions: decide({ rule: 'a retired entry is never reused; registration creates a new space' }) },
        JOIN: { actions: decide({ rule: 'a retired entry is never reused' }) },
        UNREGISTER: { actions: decide({ finding: 'ALLOCATOR_UNREGISTER_UNKNOWN', rule: 'the entry is gone' }) },
        OPS_USED: { actions: decide({ rule: 'a retired entry is not called' }) },
        ...COUNT,
      },
    },
  },
  guards: {
    isHeadGone: ({ context }) => context.headGone === true && context.members.length > 0,
    isCorruptUnlink: ({ context, event }) => event.type === 'UNREGISTER' && event.dangling === true && context.members.length >= 2 && isMember(context, event.ops),
    isBelowPasidMin: ({ event }) => event.type === 'ALLOC_FAILED' && event.belowPasidMin,
    isHostFailure: ({ event }) => event.type === 'ALLOC_FAILED' && event.hostFailure,
    isLastMemberWithIds: ({ context, event }) => context.members.length === 1 && isMember(context, opsOf(event)) && context.outstanding > 0,
    isOtherOpsLastMemberWithIds: ({ context, event }) => context.members.length === 1 && !isMember(context, opsOf(event)) && context.outstanding > 0,
    isOtherOpsLastMember: ({ context, event }) => context.members.length === 1 && !isMember(context, opsOf(event)),
    isLastMember: ({ context }) => context.members.length === 1,
    isHeadSharer: ({ context, event }) => isMember(context, opsOf(event)) && context.head === opsOf(event),
    isSharer: ({ context, event }) => isMember(context, opsOf(event)),
  },
  updates: {
    create: (c, e) => (e.type === 'CREATE' ? { ...c, alloc: e.alloc, free: e.free, members: [e.ops], head: e.ops } : c),
    join: (c, e) => (e.type === 'JOIN' ? { ...c, members: [...c.members, e.ops] } : c),
    // Why: when the entry is removed its members go with it; otherwise only the leaving ops is unlinked.
    leave: (c, e) => ({ ...c, members: c.members.length === 1 ? [] : c.members.filter((m) => m !== opsOf(e)) }),
    headLeaves: (c) => ({ ...c, headGone: true }),
    take: (c) => ({ ...c, outstanding: c.outstanding + 1 }),
    release: (c) => ({ ...c, outstanding: Math.max(0, c.outstanding - 1) }),
  },
  facts: {
    AllocatorUnregistered: (e, b, a) => ({ type: 'AllocatorUnregistered', ops: opsOf(e), space: b.space, removed: a.members.length === 0 }),
  },
  details: {
    ALLOCATOR_UNREGISTER_OUTSTANDING: (_e, c) => `${c.space} still has ${c.outstanding} outstanding IOASID(s), now orphaned`,
    ALLOCATOR_UNREGISTER_OTHER_OPS: (e, c) => `ops ${opsOf(e)} removed the entry of ${c.members.join(', ')} (same helpers ${c.alloc}/${c.free})`,
    ALLOCATOR_DANGLING_PDATA: (e, c) => `ops ${opsOf(e)} was the head of ${c.space}; its pdata stays in use by ${c.members.filter((m) => m !== opsOf(e)).join(', ')}`,
    ALLOCATOR_UNREGISTER_UNKNOWN: (e, c) => `ops ${opsOf(e)} is not registered with ${c.space}`,
    IOASID_ALLOC_FAILED: (_e, c) => `${c.space} handed out no ID`,
    ALLOCATOR_OPS_USE_AFTER_UNREGISTER: (e, c) => `${e.type === 'OPS_USED' ? `ioasid_${e.what}` : 'the call'} calls ${c.head}'s ${c.alloc}/${c.free} with its pdata; ${c.head} was unregistered (sharers: ${c.members.join(', ')})`,
    ALLOCATOR_LIST_CORRUPT: (e, c) => `${opsOf(e)} was re-registered with -EEXIST before; unlinking it from ${c.space} (sharers ${c.members.filter((m) => m !== opsOf(e)).join(', ')}) follows its dangling list node`,
  },
});
