/**
 * Call models of ioasid.c (v5.5–v6.3): each steps the allocator machines the way the kernel function
 * walks its data under ioasid_allocator_lock (§1). Pure.
 */
import { INVALID_IOASID, U32_MAX } from '../../events/fields.js';
import type { Ret } from '../../events/records.js';
import type { StepResult } from '../kit/lifecycle.js';
import type { Decision, World } from '../kit/world.js';
import type { Profile } from '../profile.js';
import { lowestFree, noteFreed } from '../ids.js';
import { allocatorListKind, DEFAULT_SPACE } from '../ioasid/allocatorList.machine.js';
import { allocatorRegistrationKind } from '../ioasid/allocatorRegistration.machine.js';
import { idSpaceKind, type IdSpaceContext } from '../ioasid/idSpace.machine.js';
import { ioasidKind, type IoasidContext } from '../ioasid/ioasid.machine.js';
import { retFrom, setRet, type CallModel } from './callContext.js';

/** The singleton id of the allocator list. */
export const ALLOCATOR_LIST = 'ioasid';
/** The free helper of the VT-d vcmd allocator, whose free may not reach the host (§2.5). */
const VCMD_FREE = 'intel_vcmd_ioasid_free';
/** The alloc helper of the VT-d vcmd allocator, which refuses min < PASID_MIN (§2.3). */
const VCMD_ALLOC = 'intel_vcmd_ioasid_alloc';
/** PASID_MIN of drivers/iommu/intel (PASID 0 is reserved for requests without PASID). */
const PASID_MIN = 1;

interface Env {
  readonly w: World;
  readonly p: Profile;
  readonly d: Decision;
}

export const listOf = (w: World) => w.peek(allocatorListKind, ALLOCATOR_LIST, {}).context;
export const spaceOf = (w: World, space: string): IdSpaceContext => w.peek(idSpaceKind, space, { space }).context;
export const ioasidKey = (space: string, id: number) => `${space}/${id}`;
const asNumber = (v: number | typeof INVALID_IOASID) => (v === INVALID_IOASID ? U32_MAX : v);
export const hasFact = (r: StepResult<unknown>, fact: string) => r.outcomes.some((o) => o.fact === fact);

/** ioasid_alloc in the active allocator; returns the ID, or null when the call returns INVALID_IOASID. */
export function allocateIoasid(
  { w, p, d }: Env,
  args: { set: string | null; min: number; max: number; private: string | null },
  recorded: Ret | undefined,
): number | null {
  const list = listOf(w);
  const space = list.active;
  const taken = (id: number) => w.has(ioasidKind.id, ioasidKey(space, id));
  let id: number | null;
  if (space === DEFAULT_SPACE) {
    const predicted = args.min <= args.max ? lowestFree(w, space, args.min, args.max, taken) : null;
    // Why: the recorded ID wins when it is a legal choice, so a capture with lost events stays in step; the prediction is still checked.
    const adopt = typeof recorded === 'number' && recorded >= args.min && recorded <= args.max && !taken(recorded);
    id = adopt ? (recorded as number) : predicted;
    if (predicted !== null) setRet(d, predicted, 'ioasid_alloc: the default allocator hands out the lowest free ID in [min, max] (xa_alloc, §1.2)');
  } else if (recorded === INVALID_IOASID) {
    id = null;
  } else if (spaceOf(w, space).alloc === VCMD_ALLOC && args.min < PASID_MIN) {
    // intel_vcmd_ioasid_alloc: `if (min < PASID_MIN || max > intel_pasid_max_id) return INVALID_IOASID;` (§2.3)
    id = null;
  } else {
    // The host decides custom IDs; without a recorded one, a deterministic stand-in: the lowest free.
    id = typeof recorded === 'number' ? recorded : lowestFree(w, space, Math.max(args.min, 1), args.max, taken);
    if (id !== null) setRet(d, id, 'ioasid_alloc: a custom allocator returns what its platform (the VT-d host) hands out (§1.5)');
  }
  if (id === null) {
    retFrom(d, w.step(idSpaceKind, space, { space }, { type: 'ALLOC_FAILED', p, hostFailure: space !== DEFAULT_SPACE, belowPasidMin: spaceOf(w, space).alloc === VCMD_ALLOC && args.min < PASID_MIN }, d));
    return null;
  }
  const r = w.step(ioasidKind, ioasidKey(space, id), { space, ioasid: id }, { type: 'ALLOC', p, set: args.set, private: args.private, orphanAliased: list.orphans.includes(id) }, d);
  retFrom(d, r);
  if (!hasFact(r, 'IoasidAllocated')) return null;
  w.step(idSpaceKind, space, { space }, { type: 'ID_TAKEN', p }, d);
  return id;
}

/** ioasid_free / ioasid_put of an ID, looked up in the active allocator (§1.6, §1.7). */
export function releaseIoasid({ w, p, d }: Env, id: number, how: 'FREE' | 'PUT'): void {
  const space = listOf(w).active;
  const vcmd = spaceOf(w, space).free === VCMD_FREE;
  const r = w.step(ioasidKind, ioasidKey(space, id), { space, ioasid: id }, { type: how, p, vcmd }, d);
  retFrom(d, r);
  if (hasFact(r, 'IoasidFreed')) {
    w.step(idSpaceKind, space, { space }, { type: 'ID_RELEASED', p }, d);
    noteFreed(w, space, id);
  }
}

/** ioasid_register_allocator (§1.3). */
export function registerAllocator(
  { w, p, d }: Env,
  args: { ops: string; alloc: string; free: string; pdata: string | null },
): Ret | undefined {
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
  const r = w.step(idSpaceKind, match.space, { space: match.space }, { type: 'UNREGISTER', p, ops: args.ops }, d);
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

export const ioasid_alloc: CallModel<'ioasid_alloc'> = (c) => {
  const a = c.rec.args;
  allocateIoasid(c, { set: a.set, min: asNumber(a.min), max: asNumber(a.max), private: a.private }, c.rec.ret);
};

export const ioasid_free: CallModel<'ioasid_free'> = (c) => releaseIoasid(c, asNumber(c.rec.args.ioasid), 'FREE');

export const ioasid_put: CallModel<'ioasid_put'> = (c) => releaseIoasid(c, asNumber(c.rec.args.ioasid), 'PUT');

export const ioasid_get: CallModel<'ioasid_get'> = ({ w, p, d, rec }) => {
  const space = listOf(w).active;
  const id = asNumber(rec.args.ioasid);
  retFrom(d, w.step(ioasidKind, ioasidKey(space, id), { space, ioasid: id }, { type: 'GET', p }, d));
};

export const ioasid_set_data: CallModel<'ioasid_set_data'> = ({ w, p, d, rec }) => {
  const space = listOf(w).active;
  const id = asNumber(rec.args.ioasid);
  retFrom(d, w.step(ioasidKind, ioasidKey(space, id), { space, ioasid: id }, { type: 'SET_DATA', p, data: rec.args.data }, d));
};

export const ioasid_find: CallModel<'ioasid_find'> = ({ w, p, d, rec }) => {
  const space = listOf(w).active;
  const id = asNumber(rec.args.ioasid);
  const r = w.step(ioasidKind, ioasidKey(space, id), { space, ioasid: id }, { type: 'FIND', p, set: rec.args.set }, d);
  if (retFrom(d, r) !== undefined) return;
  // Found: the private data, unless a getter (mmget_not_zero) may have refused it, which the model cannot know.
  if (rec.args.getter === undefined || rec.args.getter === null) setRet(d, (r.snap.context as IoasidContext).private, 'ioasid_find: returns the private data (§1.8)');
};

export const ioasid_register_allocator: CallModel<'ioasid_register_allocator'> = (c) => {
  const a = c.rec.args;
  registerAllocator(c, { ops: a.ops, alloc: a.alloc, free: a.free, pdata: a.pdata ?? null });
};

export const ioasid_unregister_allocator: CallModel<'ioasid_unregister_allocator'> = (c) => {
  const a = c.rec.args;
  unregisterAllocator(c, { ops: a.ops, alloc: a.alloc, free: a.free });
};
