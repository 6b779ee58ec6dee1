/**
 * Who holds one IOASID number of one ID space, across its generations (§1.6, §1.7). The kernel keeps
 * no holders — ioasid_free/ioasid_put take no set and no owner — so only the trace can tell a release
 * by the holder from a stale release by an earlier holder after the number was handed out again (B2),
 * or from a release by a caller that never held it but holds IDs of its own (B3), and a second release
 * of a number already released from a free of a number never allocated (B1). `untracked` is not
 * stored. Pure.
 */
import { decide } from '../kit/outcome.js';
import { defineObjectKind, type ModelEvent } from '../kit/object.js';

export interface IoasidOwnerContext {
  readonly space: string;
  readonly ioasid: number;
  /** Holders of the current generation (the tid of a top-level ioasid_alloc/ioasid_get, or the object a nested one was made for). */
  readonly holders: readonly string[];
  /** Holders of earlier generations. */
  readonly earlier: readonly string[];
  /** seq of the release that freed the current number, while it is free. */
  readonly releasedAt: number | null;
}

export type IoasidOwnerEvent =
  | (ModelEvent & { type: 'TAKE'; holder: string; fresh: boolean })
  /** A release is about to run; `releaser` is null when the trace cannot tell who releases (nested calls). */
  | (ModelEvent & { type: 'RELEASE_CHECK'; releaser: string | null; releaserHoldsOther: boolean })
  | (ModelEvent & { type: 'RELEASED'; seq: number });

const ownerDetail = (c: IoasidOwnerContext) => `IOASID ${c.ioasid} (${c.space}) is held by ${c.holders.join(', ') || 'nobody'}`;

export const ioasidOwnerKind = defineObjectKind<IoasidOwnerContext, IoasidOwnerEvent, { space: string; ioasid: number }>({
  id: 'ioasidOwner',
  initial: 'untracked',
  absent: 'untracked',
  context: ({ space, ioasid }) => ({ space, ioasid, holders: [], earlier: [], releasedAt: null }),
  states: {
    untracked: {
      on: {
        TAKE: { target: 'held', actions: ['take', decide({ rule: 'a holder took the ID' })] },
        RELEASE_CHECK: { actions: decide({ rule: 'the ID was never seen allocated: nothing to check' }) },
        RELEASED: { actions: decide({ rule: 'nothing tracked' }) },
      },
    },
    held: {
      on: {
        TAKE: { actions: ['take', decide({ rule: 'another holder took a reference' })] },
        RELEASE_CHECK: [
          {
            guard: 'isStaleHolder',
            actions: decide({ finding: 'IOASID_STALE_RELEASE', rule: 'ioasid_free/ioasid_put take no owner: an earlier holder releases the number handed out again, and the new owner loses it (§1.6, §1.7)' }),
          },
          {
            guard: 'isOtherOwner',
            actions: decide({ finding: 'IOASID_FREE_BY_OTHER', rule: 'ioasid_free/ioasid_put take no set: a caller that never held this ID releases it (§1.6, §1.7)' }),
          },
          { actions: decide({ rule: 'released by a holder (or by a caller the trace cannot name)' }) },
        ],
        RELEASED: { target: 'released', actions: ['release', decide({ rule: 'the ID is free again' })] },
      },
    },
    released: {
      on: {
        TAKE: { target: 'held', actions: ['take', decide({ rule: 'the number is handed out again: a new generation' })] },
        RELEASE_CHECK: { actions: decide({ rule: 'a release of a free number (the ioasid machine reports it)' }) },
        RELEASED: { actions: decide({ rule: 'already free' }) },
      },
    },
  },
  guards: {
    isStaleHolder: ({ context, event }) =>
      event.type === 'RELEASE_CHECK' && event.releaser !== null && !context.holders.includes(event.releaser) && context.earlier.includes(event.releaser),
    isOtherOwner: ({ context, event }) =>
      event.type === 'RELEASE_CHECK' && event.releaser !== null && !context.holders.includes(event.releaser) && event.releaserHoldsOther,
  },
  updates: {
    take: (c, e) => {
      if (e.type !== 'TAKE') return c;
      if (e.fresh) return { ...c, holders: [e.holder], releasedAt: null };
      return c.holders.includes(e.holder) ? c : { ...c, holders: [...c.holders, e.holder] };
    },
    release: (c, e) =>
      e.type === 'RELEASED' ? { ...c, earlier: [...new Set([...c.earlier, ...c.holders])], holders: [], releasedAt: e.seq } : c,
  },
  facts: {},
  details: {
    IOASID_STALE_RELEASE: (e, c) =>
      `${e.type === 'RELEASE_CHECK' ? e.releaser : '?'} held IOASID ${c.ioasid} in an earlier generation; it now belongs to ${c.holders.join(', ')}, whose ID is dropped`,
    IOASID_FREE_BY_OTHER: (e, c) => `${e.type === 'RELEASE_CHECK' ? e.releaser : '?'} never held it; ${ownerDetail(c)}`,
  },
});

/** How many IOASIDs one holder holds now (B3 names a releaser only when it holds IDs of its own). `none` is not stored. */
export interface IoasidHolderContext {
  readonly holder: string;
  readonly held: number;
}

export type IoasidHolderEvent = (ModelEvent & { type: 'HOLDS' }) | (ModelEvent & { type: 'LETS_GO' });

export const ioasidHolderKind = defineObjectKind<IoasidHolderContext, IoasidHolderEvent, { holder: string }>({
  id: 'ioasidHolder',
  initial: 'none',
  absent: 'none',
  context: ({ holder }) => ({ holder, held: 0 }),
  states: {
    none: {
      on: {
        HOLDS: { target: 'holding', actions: ['inc', decide({ rule: 'the holder took an ID' })] },
        LETS_GO: { actions: decide({ rule: 'holds nothing' }) },
      },
    },
    holding: {
      on: {
        HOLDS: { actions: ['inc', decide({ rule: 'the holder took another ID' })] },
        LETS_GO: [
          { guard: 'isLast', target: 'none', actions: ['dec', decide({ rule: 'the holder let its last ID go' })] },
          { actions: ['dec', decide({ rule: 'the holder let an ID go' })] },
        ],
      },
    },
  },
  guards: {
    isLast: ({ context }) => context.held <= 1,
  },
  updates: {
    inc: (c) => ({ ...c, held: c.held + 1 }),
    dec: (c) => ({ ...c, held: Math.max(0, c.held - 1) }),
  },
  facts: {},
});
