/**
 * ioasid_get(ioasid) — drivers/iommu/ioasid.c, v5.11–v5.17 (§1.7): takes a reference of an allocated
 * ID of the active allocator; WARNs on an unknown or freed one. The thread that takes it becomes a
 * holder (#21 B2, B3). Pure.
 */
import type { CallRecord } from '../../events/records.js';
import { decideBy, firstCheck } from '../kit/checks.js';
import { defineCall } from '../kit/call.js';
import type { Footprint } from '../kit/footprint.js';
import { GET, ioasidOf } from './ioasidChecks.js';
import { asNumber, holderOf, listOf, type Env } from './reads.js';

/** A lookup of one ID in the active allocator. */
export const ioasidOneFootprint = (id: number | string): Footprint => ({ reads: ['allocators', 'space:*'], writes: [`ioasid:*/${String(id)}`] });

/**
 * ioasid_get of an ID of the active allocator; `holder` takes the reference (null: a reference an
 * enclosing call takes for its bond, whose holder is the bond). `setsRet` false inside another call.
 */
export function getIoasid(env: Env & { rec?: CallRecord }, id: number, holder: string | null, setsRet: boolean): boolean {
  const { w, d } = env;
  const space = listOf(w).active;
  const s = ioasidOf(env, space, id);
  if (decideBy(d, firstCheck(GET, s), s, {}, { setsRet }).then !== 'ref') return false;
  w.emit(d, { type: 'IoasidGot', space, ioasid: id, refs: s.context.refs + 1 });
  if (holder !== null) w.emit(d, { type: 'IoasidHolderAdded', space, ioasid: id, holder, fresh: false });
  return true;
}

export default defineCall({
  fn: 'ioasid_get',
  exists: [{ since: '5.11', until: '5.18' }],
  existsFollows: ['ioasidRefcount'],
  raises: ['IOASID_GET_UNKNOWN'],
  footprint: (rec) => ioasidOneFootprint(rec.args.ioasid === 'INVALID_IOASID' ? '*' : rec.args.ioasid),
  decide: (c) => {
    getIoasid(c, asNumber(c.rec.args.ioasid), holderOf(c, null), true);
  },
});
