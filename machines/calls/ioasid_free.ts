/**
 * ioasid_free(ioasid) — drivers/iommu/ioasid.c, v5.5–v5.10 and v5.18–v6.3 (§1.6): the ID is looked up
 * in the active allocator (no set is passed) and freed there; the VT-d vcmd free asks the host. Pure.
 */
import { ioasidKind } from '../ioasid/ioasid.machine.js';
import { idSpaceKind } from '../ioasid/idSpace.machine.js';
import { noteFreed } from '../ids.js';
import { defineCall, hasFact, retFrom } from '../kit/call.js';
import type { Footprint } from '../kit/footprint.js';
import { asNumber, ioasidKey, listOf, spaceOf, VCMD_FREE, type Env } from './reads.js';

/** A release reads the active allocator and changes its space's counters and the one ID. */
export const ioasidReleaseFootprint = (id: number | string): Footprint => ({ reads: ['allocators'], writes: ['space:*', `ioasid:*/${String(id)}`] });

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

export default defineCall({
  fn: 'ioasid_free',
  exists: [{ until: '5.11' }, { since: '5.18', until: '6.4' }],
  raises: ['IOASID_FREE_UNKNOWN', 'VTD_VCMD_FREE_ACTIVE'],
  footprint: (rec) => ioasidReleaseFootprint(rec.args.ioasid === 'INVALID_IOASID' ? '*' : rec.args.ioasid),
  decide: (c) => releaseIoasid(c, asNumber(c.rec.args.ioasid), 'FREE'),
});
