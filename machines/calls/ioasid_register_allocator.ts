/**
 * ioasid_register_allocator(ops) — drivers/iommu/ioasid.c, v5.5–v6.3 (§1.3): -EEXIST for ops already
 * an entry head, -EAGAIN when it would be the first custom allocator while the default one has
 * outstanding IDs; ops whose helpers match a registered allocator join it as a sharer, else a new
 * allocator (and its ID space) is appended and the first one becomes active. Its checks are CHECKS
 * below, in the kernel's order (ioasid_alloc_allocator runs before the -EEXIST test, issue #20). Pure.
 */
import type { Ret } from '../../events/records.js';
import type { Snap } from '../kit/lifecycle.js';
import { allocatorRegistrationKind, type RegistrationContext } from '../ioasid/allocatorRegistration.machine.js';
import { DEFAULT_SPACE } from '../ioasid/allocatorList.machine.js';
import { decideBy, firstCheck, type Check } from '../kit/checks.js';
import { defineCall } from '../kit/call.js';
import type { Footprint } from '../kit/footprint.js';
import { IOASID_ANY_ID } from './ioasid_alloc.js';
import { listOf, spaceOf, type Env } from './reads.js';

/** Registration and unregistration change the allocator list, every registration and every ID space. */
export const allocatorBarrier: Footprint = { reads: [], writes: ['allocators', 'reg:*', ...IOASID_ANY_ID] };

interface RegisterReads {
  readonly reg: Snap<RegistrationContext>;
  /** No custom allocator is registered (allocators_list empty). */
  readonly listEmpty: boolean;
  /** IDs outstanding in the default allocator's xarray. */
  readonly defaultOutstanding: number;
  /** The ops is the head (`pallocator->ops`) of a live entry: the -EEXIST test. */
  readonly isEntryHead: boolean;
  /** A live entry with the same alloc and free helpers, if any. */
  readonly sameHelpersSpace: string | null;
}

type Then = 'active' | 'standby' | 'shared' | 'dangling';

const eexist = (r: RegisterReads) => `ops ${r.reg.context.ops} is already registered${r.reg.context.role === null ? '' : `; its list node now points into the freed temporary allocator data (${r.reg.context.space})`}`;

const CHECKS: readonly Check<RegisterReads, Then>[] = [
  {
    // ioasid_alloc_allocator ran first and did list_add_tail(&ops->list, &ia_data->slist), overwriting the
    // node the live entry links through; the -EEXIST path then kfree()s ia_data (ioasid.c v5.5–v6.3).
    when: (r) => r.reg.value === 'active' || r.reg.value === 'standby',
    ret: '-EEXIST',
    finding: 'ALLOCATOR_ALREADY_REGISTERED',
    detail: eexist,
    rule: 'ioasid_register_allocator: ops->list is re-linked into a new ioasid_allocator_data, then the same ops is found as an entry head → -EEXIST and that data is freed: ops->list points into freed memory (§1.3, issue #20)',
    then: 'dangling',
  },
  { when: (r) => r.isEntryHead, ret: '-EEXIST', finding: 'ALLOCATOR_ALREADY_REGISTERED', detail: eexist, rule: 'ioasid_register_allocator: the same ops is already an entry head → -EEXIST (§1.3)' },
  {
    when: (r) => r.reg.value === 'shared',
    ret: 0,
    finding: 'ALLOCATOR_REREGISTER_SHARER',
    detail: (r) => `ops ${r.reg.context.ops} already shares ${r.reg.context.space}`,
    rule: 'ioasid_register_allocator: -EEXIST compares entry heads only; a sharer re-registers with 0 and its list node is added twice (§1.3)',
  },
  {
    when: (r) => r.listEmpty && r.defaultOutstanding > 0,
    ret: '-EAGAIN',
    finding: 'ALLOCATOR_REGISTER_OUTSTANDING',
    detail: (r) => `default allocator has ${r.defaultOutstanding} outstanding IOASID(s)`,
    rule: 'ioasid_register_allocator: first custom allocator while the default allocator has outstanding IDs → -EAGAIN (§1.3)',
  },
  { when: (r) => r.listEmpty, ret: 0, rule: 'ioasid_register_allocator: the first custom allocator becomes active (§1.3)', then: 'active' },
  { when: (r) => r.sameHelpersSpace !== null, ret: 0, rule: 'ioasid_register_allocator: same alloc/free helpers → shares that entry and its ID space (§1.3)', then: 'shared' },
  { ret: 0, rule: 'ioasid_register_allocator: new helpers → appended as a standby entry (§1.3)', then: 'standby' },
];

/** ioasid_register_allocator (§1.3). */
export function registerAllocator({ w, d }: Env, args: { ops: string; alloc: string; free: string; pdata: string | null }): Ret | undefined {
  const list = listOf(w);
  const spaces = list.entries.map((s) => spaceOf(w, s));
  const same = spaces.find((s) => s.alloc === args.alloc && s.free === args.free);
  const r: RegisterReads = {
    reg: w.get(allocatorRegistrationKind, args.ops, { ops: args.ops }),
    listEmpty: list.entries.length === 0,
    defaultOutstanding: spaceOf(w, DEFAULT_SPACE).outstanding,
    isEntryHead: spaces.some((s) => s.head === args.ops),
    sameHelpersSpace: same?.space ?? null,
  };
  const row = decideBy(d, firstCheck(CHECKS, r), r, {});
  if (row.then === 'dangling') w.emit(d, { type: 'AllocatorListNodeDangling', ops: args.ops });
  else if (row.then !== undefined) {
    const space = row.then === 'shared' ? (same?.space as string) : `${args.alloc}+${args.free}#${list.created + 1}`;
    w.emit(d, { type: 'AllocatorRegistered', ops: args.ops, alloc: args.alloc, free: args.free, pdata: args.pdata, role: row.then, space });
    if (row.then === 'active') w.emit(d, { type: 'AllocatorSwitched', from: list.active, to: space });
  }
  return row.ret;
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
