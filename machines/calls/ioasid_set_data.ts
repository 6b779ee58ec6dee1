/**
 * ioasid_set_data(ioasid, data) — drivers/iommu/ioasid.c, v5.5–v6.3 (§1.9): sets the private data of
 * an allocated ID of the active allocator; -ENOENT otherwise. Pure.
 */
import { decideBy, firstCheck } from '../kit/checks.js';
import { defineCall } from '../kit/call.js';
import { ioasidOf, SET_DATA } from './ioasidChecks.js';
import { ioasidOneFootprint } from './ioasid_get.js';
import { asNumber, listOf } from './reads.js';

export default defineCall({
  fn: 'ioasid_set_data',
  exists: [{ until: '6.4' }],
  existsFollows: ['ioasid'],
  footprint: (rec) => ioasidOneFootprint(rec.args.ioasid === 'INVALID_IOASID' ? '*' : rec.args.ioasid),
  decide: (c) => {
    const { w, d, rec } = c;
    const space = listOf(w).active;
    const id = asNumber(rec.args.ioasid);
    const s = ioasidOf(c, space, id);
    if (decideBy(d, firstCheck(SET_DATA, s), s, {}).then === 'set') w.emit(d, { type: 'IoasidDataSet', space, ioasid: id, data: rec.args.data });
  },
});
