/**
 * ioasid_unregister_allocator(ops) — drivers/iommu/ioasid.c, v5.5–v6.3 (§1.4): the first registered
 * allocator with the same helpers decides; a sharer leaves it, the last member retires it and its
 * outstanding IDs are orphaned (WARN), and the next allocator (or the default) becomes active. Pure.
 */
import type { IoasidContext } from '../ioasid/ioasid.machine.js';
import { ioasidKind } from '../ioasid/ioasid.machine.js';
import { allocatorListKind, DEFAULT_SPACE } from '../ioasid/allocatorList.machine.js';
import { allocatorRegistrationKind } from '../ioasid/allocatorRegistration.machine.js';
import { idSpaceKind } from '../ioasid/idSpace.machine.js';
import { defineCall, setRet } from '../kit/call.js';
import { allocatorBarrier } from './ioasid_register_allocator.js';
import { ALLOCATOR_LIST, listOf, spaceOf, type Env } from './reads.js';

/** ioasid_unregister_allocator (§1.4): the first live entry with the same helpers decides. */
export function unregisterAllocator({ w, p, d }: Env, args: { ops: string; alloc?: string; free?: string }): void {
  const reg = w.peek(allocatorRegistrationKind, args.ops, { ops: args.ops }).context;
  const alloc = args.alloc ?? reg.alloc;
  const free = args.free ?? reg.free;
  const list = listOf(w);
  const match = list.entries.map((s) => spaceOf(w, s)).find((s) => s.alloc === alloc && s.free === free);
  setRet(d, null, 'ioasid_unregister_allocator returns void');
  w.step(allocatorListKind, ALLOCATOR_LIST, {}, { type: 'UNREGISTER', p, matches: match !== undefined }, d);
  if (!match) return;
  const r = w.step(idSpaceKind, match.space, { space: match.space }, { type: 'UNREGISTER', p, ops: args.ops, dangling: reg.dangling === true }, d);
  if (r.snap.value !== 'retired') {
    if (match.members.includes(args.ops)) w.step(allocatorRegistrationKind, args.ops, { ops: args.ops }, { type: 'DROP', p }, d);
    return;
  }
  const orphans: number[] = [];
  const prefix = `${match.space}/`;
  for (const [key, snap] of [...w.entriesOf<IoasidContext>(ioasidKind.id)]) {
    if (!key.startsWith(prefix) || snap.value !== 'allocated') continue;
    w.step(ioasidKind, key, { space: match.space, ioasid: snap.context.ioasid }, { type: 'ORPHAN', p }, d);
    orphans.push(snap.context.ioasid);
  }
  for (const m of match.members) w.step(allocatorRegistrationKind, m, { ops: m }, { type: 'DROP', p }, d);
  const activeBefore = list.active;
  w.step(allocatorListKind, ALLOCATOR_LIST, {}, { type: 'ENTRY_REMOVED', p, space: match.space, orphans }, d);
  const activeAfter = listOf(w).active;
  if (activeAfter !== activeBefore && activeAfter !== DEFAULT_SPACE) {
    for (const m of spaceOf(w, activeAfter).members) w.step(allocatorRegistrationKind, m, { ops: m }, { type: 'PROMOTE', p }, d);
  }
  setRet(d, null, 'ioasid_unregister_allocator returns void');
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
