/**
 * ioasid_register_allocator(ops) — drivers/iommu/ioasid.c, v5.5–v6.3 (§1.3): -EAGAIN when it would be
 * the first custom allocator while the default one has outstanding IDs, -EEXIST for ops already
 * registered; ops whose helpers match a registered allocator join it as a sharer, else a new
 * allocator (and its ID space) is added and the first one becomes active. Pure.
 */
import type { Ret } from '../../events/records.js';
import { allocatorListKind, DEFAULT_SPACE } from '../ioasid/allocatorList.machine.js';
import { allocatorRegistrationKind } from '../ioasid/allocatorRegistration.machine.js';
import { idSpaceKind } from '../ioasid/idSpace.machine.js';
import { defineCall, retFrom } from '../kit/call.js';
import type { Footprint } from '../kit/footprint.js';
import { IOASID_ANY_ID } from './ioasid_alloc.js';
import { ALLOCATOR_LIST, listOf, spaceOf, type Env } from './reads.js';

/** Registration and unregistration change the allocator list, every registration and every ID space. */
export const allocatorBarrier: Footprint = { reads: [], writes: ['allocators', 'reg:*', ...IOASID_ANY_ID] };

/** ioasid_register_allocator (§1.3). */
export function registerAllocator({ w, p, d }: Env, args: { ops: string; alloc: string; free: string; pdata: string | null }): Ret | undefined {
  const list = listOf(w);
  const spaces = list.entries.map((s) => spaceOf(w, s));
  const same = spaces.find((s) => s.alloc === args.alloc && s.free === args.free);
  const newSpace = `${args.alloc}+${args.free}#${list.created + 1}`;
  const before = w.peek(allocatorRegistrationKind, args.ops, { ops: args.ops }).value;
  const r = w.step(
    allocatorRegistrationKind,
    args.ops,
    { ops: args.ops },
    {
      type: 'REGISTER',
      p,
      alloc: args.alloc,
      free: args.free,
      pdata: args.pdata,
      listEmpty: list.entries.length === 0,
      defaultOutstanding: spaceOf(w, DEFAULT_SPACE).outstanding,
      isEntryHead: spaces.some((s) => s.head === args.ops),
      sameHelpersSpace: same?.space ?? null,
      newSpace,
    },
    d,
  );
  const ret = retFrom(d, r);
  if (before !== 'unregistered') return ret;
  if (r.snap.value === 'active' || r.snap.value === 'standby') {
    w.step(idSpaceKind, newSpace, { space: newSpace }, { type: 'CREATE', p, ops: args.ops, alloc: args.alloc, free: args.free }, d);
    w.step(allocatorListKind, ALLOCATOR_LIST, {}, { type: 'ENTRY_ADDED', p, space: newSpace }, d);
  } else if (r.snap.value === 'shared' && same) {
    w.step(idSpaceKind, same.space, { space: same.space }, { type: 'JOIN', p, ops: args.ops }, d);
  }
  return ret;
}

export default defineCall({
  fn: 'ioasid_register_allocator',
  exists: [{ until: '6.4' }],
  existsFollows: ['ioasid'],
  raises: ['ALLOCATOR_REGISTER_OUTSTANDING', 'ALLOCATOR_ALREADY_REGISTERED', 'ALLOCATOR_REREGISTER_SHARER'],
  footprint: () => allocatorBarrier,
  decide: (c) => {
    const a = c.rec.args;
    registerAllocator(c, { ops: a.ops, alloc: a.alloc, free: a.free, pdata: a.pdata ?? null });
  },
});
