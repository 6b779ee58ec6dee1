/**
 * ioasid_find(set, ioasid, getter) — drivers/iommu/ioasid.c, v5.5–v6.3 (§1.8): the private data of an
 * allocated ID of the given set in the active allocator, after the optional getter; an error pointer
 * otherwise. Pure.
 */
import { decideBy, firstCheck } from '../kit/checks.js';
import { defineCall, setRet } from '../kit/call.js';
import { FIND, ioasidOf, type FindReads } from './ioasidChecks.js';
import { ioasidOneFootprint } from './ioasid_get.js';
import { asNumber, listOf } from './reads.js';

export default defineCall({
  fn: 'ioasid_find',
  exists: [{ until: '6.4' }],
  existsFollows: ['ioasid'],
  footprint: (rec) => ioasidOneFootprint(rec.args.ioasid === 'INVALID_IOASID' ? '*' : rec.args.ioasid),
  decide: (c) => {
    const { d, rec } = c;
    const r: FindReads = { s: ioasidOf(c, listOf(c.w).active, asNumber(rec.args.ioasid)), set: rec.args.set };
    if (decideBy(d, firstCheck(FIND, r), r, {}).then !== 'found') return;
    // Found: the private data, unless a getter (mmget_not_zero) may have refused it, which the model cannot know.
    if (rec.args.getter === undefined || rec.args.getter === null) setRet(d, r.s.context.private, 'ioasid_find: returns the private data (§1.8)');
  },
});
