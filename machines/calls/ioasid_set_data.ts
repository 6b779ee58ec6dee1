/**
 * ioasid_set_data(ioasid, data) — drivers/iommu/ioasid.c, v5.5–v6.3 (§1.9): sets the private data of
 * an allocated ID of the active allocator; -ENOENT otherwise. Pure.
 */
import { ioasidKind } from '../ioasid/ioasid.machine.js';
import { defineCall, retFrom } from '../kit/call.js';
import { ioasidOneFootprint } from './ioasid_get.js';
import { asNumber, ioasidKey, listOf } from './reads.js';

export default defineCall({
  fn: 'ioasid_set_data',
  exists: [{ until: '6.4' }],
  existsFollows: ['ioasid'],
  footprint: (rec) => ioasidOneFootprint(rec.args.ioasid === 'INVALID_IOASID' ? '*' : rec.args.ioasid),
  decide: ({ w, p, d, rec }) => {
    const space = listOf(w).active;
    const id = asNumber(rec.args.ioasid);
    retFrom(d, w.step(ioasidKind, ioasidKey(space, id), { space, ioasid: id }, { type: 'SET_DATA', p, data: rec.args.data }, d));
  },
});
