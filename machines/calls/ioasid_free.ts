/**
 * ioasid_free(ioasid) — drivers/iommu/ioasid.c, v5.5–v5.10 and v5.18–v6.3 (§1.6): the ID is looked up
 * in the active allocator (no set is passed) and freed there; the VT-d vcmd free asks the host. Pure.
 */
import { ioasidKind } from '../ioasid/ioasid.machine.js';
import { idSpaceKind } from '../ioasid/idSpace.machine.js';
import { noteFreed } from '../ids.js';
import { defineCall, hasFact, retFrom } from '../kit/call.js';
import type { Footprint } from '../kit/footprint.js';
import { ioasidHolderKind, ioasidOwnerKind } from '../ioasid/ioasidOwner.machine.js';
import { DEFAULT_SPACE } from '../ioasid/allocatorList.machine.js';
import type { CallRecord } from '../../events/records.js';
import { asNumber, ioasidKey, listOf, releaserOf, spaceOf, VCMD_FREE, type Env } from './reads.js';

/** A release reads the active allocator and changes its space's counters and the one ID. */
export const ioasidReleaseFootprint = (id: number | string): Footprint => ({ reads: ['allocators'], writes: ['space:*', `ioasid:*/${String(id)}`] });

/** ioasid_free / ioasid_put of an ID, looked up in the active allocator (§1.6, §1.7); who releases it is checked against its holders (B1–B3). */
export function releaseIoasid(env: Env & { rec?: CallRecord }, id: number, how: 'FREE' | 'PUT'): void {
  const { w, p, d } = env;
  const space = listOf(w).active;
  const key = ioasidKey(space, id);
  const vcmd = spaceOf(w, space).free === VCMD_FREE;
  const owner = w.peek(ioasidOwnerKind, key, { space, ioasid: id });
  if (w.has(ioasidKind.id, key)) {
    const releaser = releaserOf(env);
    const holdsOther = releaser !== null && w.peek(ioasidHolderKind, releaser, { holder: releaser }).context.held > 0;
    w.step(ioasidOwnerKind, key, { space, ioasid: id }, { type: 'RELEASE_CHECK', p, releaser, releaserHoldsOther: holdsOther }, d);
  }
  const releasedAt = owner.value === 'released' ? owner.context.releasedAt : null;
  const r = w.step(ioasidKind, key, { space, ioasid: id }, { type: how, p, vcmd, releasedAt }, d);
  retFrom(d, r);
  if (hasFact(r, 'IoasidFreed')) {
    noteOpsUse(env, space, 'free');
    w.step(idSpaceKind, space, { space }, { type: 'ID_RELEASED', p }, d);
    noteFreed(w, space, id);
    for (const h of w.peek(ioasidOwnerKind, key, { space, ioasid: id }).context.holders) w.step(ioasidHolderKind, h, { holder: h }, { type: 'LETS_GO', p }, d);
    w.step(ioasidOwnerKind, key, { space, ioasid: id }, { type: 'RELEASED', p, seq: env.rec?.seq ?? 0 }, d);
  }
}

/** A12/B4: ioasid_alloc and a freeing ioasid_free/put call the entry's ops — which may be an unregistered head (§1.4). */
export function noteOpsUse({ w, p, d }: Env, space: string, what: 'alloc' | 'free'): void {
  if (space === DEFAULT_SPACE) return;
  w.step(idSpaceKind, space, { space }, { type: 'OPS_USED', p, what }, d);
}

export default defineCall({
  fn: 'ioasid_free',
  exists: [{ until: '5.11' }, { since: '5.18', until: '6.4' }],
  existsFollows: ['ioasidRefcount', 'ioasid'],
  raises: ['IOASID_FREE_UNKNOWN', 'VTD_VCMD_FREE_ACTIVE', 'IOASID_DOUBLE_FREE', 'IOASID_STALE_RELEASE', 'IOASID_FREE_BY_OTHER'],
  footprint: (rec) => ioasidReleaseFootprint(rec.args.ioasid === 'INVALID_IOASID' ? '*' : rec.args.ioasid),
  decide: (c) => releaseIoasid(c, asNumber(c.rec.args.ioasid), 'FREE'),
});
