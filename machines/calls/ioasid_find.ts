/**
 * ioasid_find(set, ioasid, getter) — drivers/iommu/ioasid.c, v5.5–v6.3 (§1.8): the private data of an
 * allocated ID of the given set in the active allocator, after the optional getter; an error pointer
 * otherwise. Pure.
 */
import { ioasidKind, type IoasidContext } from '../ioasid/ioasid.machine.js';
import { defineCall, retFrom, setRet } from '../kit/call.js';
import { ioasidOneFootprint } from './ioasid_get.js';
import { asNumber, ioasidKey, listOf } from './reads.js';

export default defineCall({
  fn: 'ioasid_find',
  exists: [{ until: '6.4' }],
  existsFollows: ['ioasid'],
  footprint: (rec) => ioasidOneFootprint(rec.args.ioasid === 'INVALID_IOASID' ? '*' : rec.args.ioasid),
  decide: ({ w, p, d, rec }) => {
    const space = listOf(w).active;
    const id = asNumber(rec.args.ioasid);
    const r = w.step(ioasidKind, ioasidKey(space, id), { space, ioasid: id }, { type: 'FIND', p, set: rec.args.set }, d);
    if (retFrom(d, r) !== undefined) return;
    // Found: the private data, unless a getter (mmget_not_zero) may have refused it, which the model cannot know.
    if (rec.args.getter === undefined || rec.args.getter === null) setRet(d, (r.snap.context as IoasidContext).private, 'ioasid_find: returns the private data (§1.8)');
  },
});
