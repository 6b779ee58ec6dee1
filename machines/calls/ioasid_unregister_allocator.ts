/**
 * ioasid_unregister_allocator(ops) — drivers/iommu/ioasid.c, v5.5–v6.3 (§1.4): the first registered
 * allocator with the same helpers decides (not the ops itself); a sharer leaves it, the last member
 * retires it and its outstanding IDs are orphaned (WARN), and the next allocator (or the default)
 * becomes active. Its checks are LIST_CHECKS then ENTRY_CHECKS below, in the kernel's order. Pure.
 */
import type { Snap } from '../kit/lifecycle.js';
import { ioasidKind, type IoasidContext } from '../ioasid/ioasid.machine.js';
import { DEFAULT_SPACE, type AllocatorListContext } from '../ioasid/allocatorList.machine.js';
import { allocatorRegistrationKind } from '../ioasid/allocatorRegistration.machine.js';
import { idSpaceKind, type IdSpaceContext } from '../ioasid/idSpace.machine.js';
import { decideBy, firstCheck, type Check } from '../kit/checks.js';
import { defineCall, setRet } from '../kit/call.js';
import { allocatorBarrier } from './ioasid_register_allocator.js';
import { listOf, spaceOf, type Env } from './reads.js';

interface ListReads {
  readonly list: AllocatorListContext;
  readonly match: IdSpaceContext | undefined;
}

const LIST_CHECKS: readonly Check<ListReads, 'entry'>[] = [
  { when: (r) => r.list.entries.length === 0, finding: 'ALLOCATOR_UNREGISTER_NONE', rule: 'ioasid_unregister_allocator: list empty → pr_warn "No custom IOASID allocators active!" (§1.4)' },
  { when: (r) => r.match === undefined, finding: 'ALLOCATOR_UNREGISTER_UNKNOWN', rule: 'ioasid_unregister_allocator: no entry with these helpers → silent no-op (§1.4)' },
  { rule: 'ioasid_unregister_allocator: the first entry with the same helpers is affected (§1.4)', then: 'entry' },
];

interface EntryReads {
  readonly entry: Snap<IdSpaceContext>;
  readonly ops: string;
  /** The ops' list node was left in freed memory by an -EEXIST re-registration (issue #20). */
  readonly dangling: boolean;
}

const c = (r: EntryReads) => r.entry.context;
const isMember = (r: EntryReads) => c(r).members.includes(r.ops);
const lastMember = (r: EntryReads) => c(r).members.length === 1;
const others = (r: EntryReads) => c(r).members.filter((m) => m !== r.ops).join(', ');
const REMOVED_RULE = 'ioasid_unregister_allocator: the only member leaves → entry removed, its IDs orphaned (§1.4)';

const OUTSTANDING: Check<EntryReads> = {
  finding: 'ALLOCATOR_UNREGISTER_OUTSTANDING',
  detail: (r) => `${c(r).space} still has ${c(r).outstanding} outstanding IOASID(s), now orphaned`,
  rule: 'ioasid_unregister_allocator: WARN_ON(!xa_empty) on the removed entry (§1.4)',
};
const OTHER_OPS: Check<EntryReads> = {
  finding: 'ALLOCATOR_UNREGISTER_OTHER_OPS',
  detail: (r) => `ops ${r.ops} removed the entry of ${c(r).members.join(', ')} (same helpers ${c(r).alloc}/${c(r).free})`,
  rule: 'ioasid_unregister_allocator matches helpers, not the ops: it removes the entry of another ops (§1.4)',
};

/** What the unlink does to the matching entry: 'retire' it (the last member), or one sharer 'leave's. */
const ENTRY_CHECKS: readonly (Check<EntryReads, 'retire' | 'leave' | 'corrupt'> & { also?: Check<EntryReads> })[] = [
  {
    // Why: the -EEXIST path of ioasid_register_allocator re-linked ops->list into a freed ioasid_allocator_data; list_del
    // through it with sharers on the slist is the "list_del corruption" BUG the lab saw (issue #20). The BUG stops the call.
    when: (r) => r.dangling && c(r).members.length >= 2 && isMember(r),
    finding: 'ALLOCATOR_LIST_CORRUPT',
    detail: (r) => `${r.ops} was re-registered with -EEXIST before; unlinking it from ${c(r).space} (sharers ${others(r)}) follows its dangling list node`,
    rule: 'ioasid_unregister_allocator: list_del(&ops->list) follows pointers into the freed allocator data → list_del corruption (BUG with CONFIG_BUG_ON_DATA_CORRUPTION) with ioasid_allocator_lock held',
    then: 'corrupt',
  },
  { when: (r) => lastMember(r) && isMember(r) && c(r).outstanding > 0, ...OUTSTANDING, then: 'retire' },
  // Why: ioasid_unregister_allocator's WARN_ON(!xa_empty(&pallocator->xa)) fires on whichever entry the helper match removed, whoever's ops it was (§1.4).
  { when: (r) => lastMember(r) && !isMember(r) && c(r).outstanding > 0, ...OTHER_OPS, also: OUTSTANDING, then: 'retire' },
  { when: (r) => lastMember(r) && !isMember(r), ...OTHER_OPS, then: 'retire' },
  { when: lastMember, rule: REMOVED_RULE, then: 'retire' },
  {
    when: (r) => isMember(r) && c(r).head === r.ops,
    finding: 'ALLOCATOR_DANGLING_PDATA',
    detail: (r) => `ops ${r.ops} was the head of ${c(r).space}; its pdata stays in use by ${others(r)}`,
    rule: 'ioasid_unregister_allocator unlinks a sharer but never re-points pallocator->ops/pdata (§1.4)',
    then: 'leave',
  },
  { when: isMember, rule: 'ioasid_unregister_allocator: a sharer leaves the slist; the entry and its IDs stay (§1.4)', then: 'leave' },
  { finding: 'ALLOCATOR_UNREGISTER_UNKNOWN', detail: (r) => `ops ${r.ops} is not registered with ${c(r).space}`, rule: 'ioasid_unregister_allocator: the ops is not on the slist of the matching entry → nothing happens (§1.4)' },
];

/** ioasid_unregister_allocator (§1.4): the first live entry with the same helpers decides. */
export function unregisterAllocator(env: Env, args: { ops: string; alloc?: string; free?: string }): void {
  const { w, d } = env;
  const reg = w.get(allocatorRegistrationKind, args.ops, { ops: args.ops }).context;
  const alloc = args.alloc ?? reg.alloc;
  const free = args.free ?? reg.free;
  const list = listOf(w);
  const match = list.entries.map((s) => spaceOf(w, s)).find((s) => s.alloc === alloc && s.free === free);
  setRet(d, null, 'ioasid_unregister_allocator returns void');
  const lr: ListReads = { list, match };
  if (decideBy(d, firstCheck(LIST_CHECKS, lr), lr, {}, { setsRet: false }).then !== 'entry' || match === undefined) return;
  const er: EntryReads = { entry: w.get(idSpaceKind, match.space, { space: match.space }), ops: args.ops, dangling: reg.dangling === true };
  const row: (typeof ENTRY_CHECKS)[number] = firstCheck(ENTRY_CHECKS, er);
  decideBy(d, row, er, { ops: args.ops }, { setsRet: false });
  if (row.also !== undefined) decideBy(d, row.also, er, { ops: args.ops }, { setsRet: false });
  if (row.then === 'corrupt') w.emit(d, { type: 'AllocatorListCorrupted', ops: args.ops, space: match.space });
  if (row.then === 'leave') w.emit(d, { type: 'AllocatorUnregistered', ops: args.ops, space: match.space, removed: false });
  if (row.then !== 'retire') return;
  w.emit(d, { type: 'AllocatorUnregistered', ops: args.ops, space: match.space, removed: true });
  const prefix = `${match.space}/`;
  for (const [key, snap] of [...w.entriesOf<IoasidContext>(ioasidKind.id)]) {
    if (key.startsWith(prefix) && snap.value === 'allocated') w.emit(d, { type: 'IoasidOrphaned', space: match.space, ioasid: snap.context.ioasid });
  }
  // The list falls back to the first remaining entry, or to the default allocator (§1.4).
  const remaining = list.entries.filter((s) => s !== match.space);
  if (remaining.length === 0) w.emit(d, { type: 'AllocatorSwitched', from: list.active, to: DEFAULT_SPACE });
  else if (list.active === match.space) w.emit(d, { type: 'AllocatorSwitched', from: list.active, to: remaining[0] });
}

export default defineCall({
  fn: 'ioasid_unregister_allocator',
  exists: [{ until: '6.4' }],
  existsFollows: ['ioasid'],
  raises: ['ALLOCATOR_LIST_CORRUPT', 'ALLOCATOR_UNREGISTER_OUTSTANDING', 'ALLOCATOR_UNREGISTER_NONE', 'ALLOCATOR_UNREGISTER_UNKNOWN', 'ALLOCATOR_UNREGISTER_OTHER_OPS', 'ALLOCATOR_DANGLING_PDATA'],
  footprint: () => allocatorBarrier,
  decide: (c) => {
    const a = c.rec.args;
    unregisterAllocator(c, { ops: a.ops, alloc: a.alloc, free: a.free });
  },
});
