/**
 * iommu_domain_free(domain) — drivers/iommu/iommu.c (§4): frees the domain without looking at its
 * attachments (the PASID slots then keep a dangling domain, A37); a second free is a double free. Pure.
 */
import { domainKind } from '../device/domain.machine.js';
import { defineCall, retFrom } from '../kit/call.js';

export default defineCall({
  fn: 'iommu_domain_free',
  exists: [{}],
  raises: ['DOMAIN_FREE_ATTACHED', 'DOMAIN_DOUBLE_FREE'],
  footprint: (rec) => ({ reads: [], writes: [`domain:${rec.args.domain}`] }),
  decide: ({ w, p, d, rec }) => {
    retFrom(d, w.step(domainKind, rec.args.domain, { domain: rec.args.domain }, { type: 'FREE', p }, d));
  },
});
