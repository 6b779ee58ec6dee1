/**
 * ioasid_put(ioasid) — drivers/iommu/ioasid.c, v5.11–v5.17 (§1.7): drops a reference of the ID in the
 * active allocator; the last one frees it. Pure.
 */
import { defineCall } from '../kit/call.js';
import { ioasidReleaseFootprint, releaseIoasid } from './ioasid_free.js';
import { asNumber } from './reads.js';

export default defineCall({
  fn: 'ioasid_put',
  exists: [{ since: '5.11', until: '5.18' }],
  existsFollows: ['ioasidRefcount'],
  raises: ['IOASID_PUT_UNKNOWN'],
  footprint: (rec) => ioasidReleaseFootprint(rec.args.ioasid === 'INVALID_IOASID' ? '*' : rec.args.ioasid),
  decide: (c) => releaseIoasid(c, asNumber(c.rec.args.ioasid), 'PUT'),
});
