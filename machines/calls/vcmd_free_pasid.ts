/**
 * vcmd_free_pasid(iommu, pasid) — drivers/iommu/intel/pasid.c, v5.8–v6.3 (§2.5): a VT-d guest gives a
 * PASID back to the host; called by intel_vcmd_ioasid_free (the custom allocator's free) only when
 * ioasid_find(NULL, pasid, NULL) finds no private data ("Cannot free active IOASID" otherwise, no
 * host call), so a capture records it nested in ioasid_free / ioasid_put / a failed ioasid_alloc.
 * Returns void; the host's status is only logged. Pure.
 */
import { decideBy, firstCheck } from '../kit/checks.js';
import { defineCall } from '../kit/call.js';
import { VCMD_FREE_ANSWER } from './vcmdChecks.js';

export default defineCall({
  fn: 'vcmd_free_pasid',
  exists: [{ since: '5.8', until: '6.4' }],
  existsFollows: ['vcmdAllocator'],
  raises: ['VTD_VCMD_FREE_REFUSED'],
  footprint: (rec) => ({ reads: [], writes: [`vtd:${rec.args.iommu}`] }),
  decide: ({ d, rec }) => {
    const r = { iommu: rec.args.iommu, status: rec.args.status, pasid: rec.args.pasid };
    decideBy(d, firstCheck(VCMD_FREE_ANSWER, r), r, { iommu: rec.args.iommu, pasid: rec.args.pasid });
  },
});
