/**
 * How many global PASIDs one thread holds, as the trace shows it (#21 B3): the thread of a top-level
 * iommu_alloc_global_pasid takes one; its own top-level iommu_free_global_pasid of a PASID it holds
 * gives one back. The kernel keeps no holders (ida_free takes no owner, §5), so only this tells a
 * free by another owner (a thread that holds PASIDs of its own) from a free by a cleanup thread that
 * never held one. Only the thread's own calls change its count: calls of different threads on
 * different PASIDs stay independent for the race explorer (§B.3); a PASID another thread freed for it
 * keeps counting (the over-estimate errs towards naming the releaser). `none` is not stored. Pure.
 */
import { setup } from 'xstate';
import { assignsOf, defineObject, factTypes, type FactGuards, type FactUpdates, type WorldReader } from '../kit/object.js';
import type { GlobalPasidHistoryContext } from './globalPasidHistory.machine.js';

export interface GlobalPasidHolderContext {
  readonly holder: string;
  readonly held: number;
}

const one = (h: string) => [{ id: h, input: { holder: h } }];

/** The PASID's holder before the free reaches its history (this kind is folded first). */
function holderNow(w: WorldReader, pasid: number): string | null {
  const s = w.byKey(`globalPasidHistory:${pasid}`) as { value: string; context: GlobalPasidHistoryContext } | undefined;
  return s?.value === 'held' ? s.context.holder : null;
}

const guards = {
  isLast: ({ context }) => context.held <= 1,
} satisfies FactGuards<GlobalPasidHolderContext>;

const updates = {
  inc: (c) => ({ ...c, held: c.held + 1 }),
  dec: (c) => ({ ...c, held: Math.max(0, c.held - 1) }),
} satisfies FactUpdates<GlobalPasidHolderContext>;

const globalPasidHolderSetup = setup({ types: factTypes<GlobalPasidHolderContext, { holder: string }>(), guards });
export const globalPasidHolderMachine = globalPasidHolderSetup.extend({ actions: assignsOf(globalPasidHolderSetup.assign, updates) }).createMachine({
  id: 'globalPasidHolder',
  initial: 'none',
  context: ({ input: { holder } }) => ({ holder, held: 0 }),
  states: {
    none: { on: { GlobalPasidAllocated: { target: 'holding', actions: 'inc' } } },
    holding: {
      on: {
        GlobalPasidAllocated: { actions: 'inc' },
        GlobalPasidFreed: [{ guard: 'isLast', target: 'none', actions: 'dec' }, { actions: 'dec' }],
      },
    },
  },
});

export const globalPasidHolderKind = defineObject({
  machine: globalPasidHolderMachine,
  guards,
  updates,
  absent: 'none',
  address: {
    GlobalPasidAllocated: (f: { holder?: string }) => (f.holder === undefined ? [] : one(f.holder)),
    GlobalPasidFreed: (f: { pasid: number; by?: string }, w: WorldReader) => (f.by !== undefined && holderNow(w, f.pasid) === f.by ? one(f.by) : []),
  },
});
