/**
 * ioasid_alloc(set, min, max, private) — drivers/iommu/ioasid.c, v5.5–v6.3 (§1.2, §1.5): under
 * ioasid_allocator_lock, the active allocator hands out an ID in [min, max]: the default allocator
 * the lowest free (xa_alloc), a custom one what its platform (the VT-d host) answers. Pure.
 */
import { INVALID_IOASID } from '../../events/fields.js';
import type { Ret } from '../../events/records.js';
import { lowestFree } from '../ids.js';
import { DEFAULT_SPACE } from '../ioasid/allocatorList.machine.js';
import { idSpaceKind } from '../ioasid/idSpace.machine.js';
import { ioasidKind } from '../ioasid/ioasid.machine.js';
import { defineCall, hasFact, retFrom, setRet } from '../kit/call.js';
import type { Footprint } from '../kit/footprint.js';
import { ioasidHolderKind, ioasidOwnerKind } from '../ioasid/ioasidOwner.machine.js';
import type { CallRecord } from '../../events/records.js';
import { noteOpsUse } from './ioasid_free.js';
import { asNumber, holderOf, ioasidKey, listOf, PASID_MIN, spaceOf, VCMD_ALLOC, type Env } from './reads.js';

/** Every ioasid.c call reads the active allocator; an allocation may take any ID of the active space. */
export const IOASID_ANY_ID = ['space:*', 'ioasid:*/*'];
export const ioasidAllocFootprint: Footprint = { reads: ['allocators'], writes: IOASID_ANY_ID };

/** ioasid_alloc in the active allocator; returns the ID, or null when the call returns INVALID_IOASID. */
export function allocateIoasid(
  env: Env & { rec?: CallRecord },
  args: { set: string | null; min: number; max: number; private: string | null },
  recorded: Ret | undefined,
): number | null {
  const { w, p, d } = env;
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
  noteOpsUse(env, space, 'alloc');
  if (id === null) {
    retFrom(d, w.step(idSpaceKind, space, { space }, { type: 'ALLOC_FAILED', p, hostFailure: space !== DEFAULT_SPACE, belowPasidMin: spaceOf(w, space).alloc === VCMD_ALLOC && args.min < PASID_MIN }, d));
    return null;
  }
  const r = w.step(ioasidKind, ioasidKey(space, id), { space, ioasid: id }, { type: 'ALLOC', p, set: args.set, private: args.private, orphanAliased: list.orphans.includes(id) }, d);
  retFrom(d, r);
  if (!hasFact(r, 'IoasidAllocated')) return null;
  w.step(idSpaceKind, space, { space }, { type: 'ID_TAKEN', p }, d);
  const holder = holderOf(env, args.private);
  w.step(ioasidOwnerKind, ioasidKey(space, id), { space, ioasid: id }, { type: 'TAKE', p, holder, fresh: true }, d);
  w.step(ioasidHolderKind, holder, { holder }, { type: 'HOLDS', p }, d);
  return id;
}

export default defineCall({
  fn: 'ioasid_alloc',
  exists: [{ until: '6.4' }],
  existsFollows: ['ioasid'],
  raises: ['IOASID_ALLOC_FAILED', 'IOASID_DUPLICATE_IN_USE', 'ALLOCATOR_OPS_USE_AFTER_UNREGISTER'],
  footprint: () => ioasidAllocFootprint,
  decide: (c) => {
    const a = c.rec.args;
    allocateIoasid(c, { set: a.set, min: asNumber(a.min), max: asNumber(a.max), private: a.private }, c.rec.ret);
  },
});
