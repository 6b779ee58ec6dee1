/**
 * ioasid_get(ioasid) — drivers/iommu/ioasid.c, v5.11–v5.17 (§1.7): takes a reference of an allocated
 * ID of the active allocator; WARNs on an unknown or freed one. Pure.
 */
import { ioasidKind } from '../ioasid/ioasid.machine.js';
import { defineCall, hasFact, retFrom } from '../kit/call.js';
import { ioasidHolderKind, ioasidOwnerKind } from '../ioasid/ioasidOwner.machine.js';
import type { Footprint } from '../kit/footprint.js';
import { asNumber, holderOf, ioasidKey, listOf } from './reads.js';

/** A lookup of one ID in the active allocator. */
export const ioasidOneFootprint = (id: number | string): Footprint => ({ reads: ['allocators', 'space:*'], writes: [`ioasid:*/${String(id)}`] });

export default defineCall({
  fn: 'ioasid_get',
  exists: [{ since: '5.11', until: '5.18' }],
  existsFollows: ['ioasidRefcount'],
  raises: ['IOASID_GET_UNKNOWN'],
  footprint: (rec) => ioasidOneFootprint(rec.args.ioasid === 'INVALID_IOASID' ? '*' : rec.args.ioasid),
  decide: (c) => {
    const { w, p, d, rec } = c;
    const space = listOf(w).active;
    const id = asNumber(rec.args.ioasid);
    const r = w.step(ioasidKind, ioasidKey(space, id), { space, ioasid: id }, { type: 'GET', p }, d);
    retFrom(d, r);
    if (!hasFact(r, 'IoasidGot')) return;
    const holder = holderOf(c, null);
    const owner = w.peek(ioasidOwnerKind, ioasidKey(space, id), { space, ioasid: id }).context;
    if (!owner.holders.includes(holder)) w.step(ioasidHolderKind, holder, { holder }, { type: 'HOLDS', p }, d);
    w.step(ioasidOwnerKind, ioasidKey(space, id), { space, ioasid: id }, { type: 'TAKE', p, holder, fresh: false }, d);
  },
});
