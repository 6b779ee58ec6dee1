/**
 * Who holds one IOASID number of one ID space, across its generations (§1.6, §1.7), driven by the
 * holder facts. The kernel keeps no holders — ioasid_free/ioasid_put take no set and no owner — so
 * only the trace can tell a release by the holder from a stale release by an earlier holder after the
 * number was handed out again (B2), or from a release by a caller that never held it but holds IDs of
 * its own (B3), and a second release of a number already released from a free of a number never
 * allocated (B1); machines/calls/ioasid_free.ts decides. `untracked` is not stored. Pure.
 */
import { setup } from 'xstate';
import { assignsOf, defineObject, factTypes, type FactGuards, type FactUpdates, type WorldReader } from '../kit/object.js';
import { ioasidKey } from './ioasid.machine.js';

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

const one = (f: { space: string; ioasid: number }) => [{ id: ioasidKey(f.space, f.ioasid), input: { space: f.space, ioasid: f.ioasid } }];

const ioasidOwnerGuards = {} satisfies FactGuards<IoasidOwnerContext>;

const ioasidOwnerUpdates = {
  take: (c, f) => {
    if (f.type !== 'IoasidHolderAdded') return c;
    if (f.fresh) return { ...c, holders: [f.holder], releasedAt: null };
    return c.holders.includes(f.holder) ? c : { ...c, holders: [...c.holders, f.holder] };
  },
  release: (c, f) => (f.type === 'IoasidHoldersReleased' ? { ...c, earlier: [...new Set([...c.earlier, ...c.holders])], holders: [], releasedAt: f.at } : c),
} satisfies FactUpdates<IoasidOwnerContext>;

const ioasidOwnerSetup = setup({ types: factTypes<IoasidOwnerContext, { space: string; ioasid: number }>(), guards: ioasidOwnerGuards });
export const ioasidOwnerMachine = ioasidOwnerSetup.extend({ actions: assignsOf(ioasidOwnerSetup.assign, ioasidOwnerUpdates) }).createMachine({
  id: 'ioasidOwner',
  initial: 'untracked',
  context: ({ input: { space, ioasid } }) => ({ space, ioasid, holders: [], earlier: [], releasedAt: null }),
  states: {
    untracked: { on: { IoasidHolderAdded: { target: 'held', actions: 'take' } } },
    held: { on: { IoasidHolderAdded: { actions: 'take' }, IoasidHoldersReleased: { target: 'released', actions: 'release' } } },
    // A new allocation of the number is a new generation.
    released: { on: { IoasidHolderAdded: { target: 'held', actions: 'take' } } },
  },
});

export const ioasidOwnerKind = defineObject({
  machine: ioasidOwnerMachine,
  guards: ioasidOwnerGuards,
  updates: ioasidOwnerUpdates,
  absent: 'untracked',
  address: { IoasidHolderAdded: one, IoasidHoldersReleased: one },
});

/** The holders of an IOASID number now (before the fact at hand reaches its owner: ioasidHolderKind is folded first). */
function holdersOf(w: WorldReader, f: { space: string; ioasid: number }): readonly string[] {
  const s = w.byKey(`${ioasidOwnerKind.id}:${ioasidKey(f.space, f.ioasid)}`) as { value: string; context: IoasidOwnerContext } | undefined;
  return s?.value === 'held' ? s.context.holders : [];
}

/** How many IOASIDs one holder holds now (B3 names a releaser only when it holds IDs of its own). `none` is not stored. */
export interface IoasidHolderContext {
  readonly holder: string;
  readonly held: number;
}

const holder = (h: string) => ({ id: h, input: { holder: h } });

const ioasidHolderGuards = {
  isLast: ({ context }) => context.held <= 1,
} satisfies FactGuards<IoasidHolderContext>;

const ioasidHolderUpdates = {
  inc: (c) => ({ ...c, held: c.held + 1 }),
  dec: (c) => ({ ...c, held: Math.max(0, c.held - 1) }),
} satisfies FactUpdates<IoasidHolderContext>;

const ioasidHolderSetup = setup({ types: factTypes<IoasidHolderContext, { holder: string }>(), guards: ioasidHolderGuards });
export const ioasidHolderMachine = ioasidHolderSetup.extend({ actions: assignsOf(ioasidHolderSetup.assign, ioasidHolderUpdates) }).createMachine({
  id: 'ioasidHolder',
  initial: 'none',
  context: ({ input: { holder: h } }) => ({ holder: h, held: 0 }),
  states: {
    none: { on: { IoasidHolderAdded: { target: 'holding', actions: 'inc' } } },
    holding: {
      on: {
        IoasidHolderAdded: { actions: 'inc' },
        IoasidHoldersReleased: [{ guard: 'isLast', target: 'none', actions: 'dec' }, { actions: 'dec' }],
      },
    },
  },
});

export const ioasidHolderKind = defineObject({
  machine: ioasidHolderMachine,
  guards: ioasidHolderGuards,
  updates: ioasidHolderUpdates,
  absent: 'none',
  address: {
    // A holder counts an ID once: a new generation, or a reference it did not hold yet.
    IoasidHolderAdded: (f, w) => f.fresh || !holdersOf(w, f).includes(f.holder) ? [holder(f.holder)] : [],
    IoasidHoldersReleased: (f, w) => holdersOf(w, f).map(holder),
  },
});
