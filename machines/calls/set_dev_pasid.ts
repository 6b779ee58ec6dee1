/**
 * set_dev_pasid(domain, dev, pasid[, old]) — the IOMMU driver op (intel_svm_set_dev_pasid,
 * arm_smmu_sva_set_dev_pasid, …) that iommu_attach_device_pasid and iommu_replace_device_pasid call on
 * every group device (§4.1, §4.3). Seen outside a core call it is only observed: the core call that
 * made it carries the rules. Pure.
 */
import { defineCall, setRet } from '../kit/call.js';
import { EMPTY } from '../kit/footprint.js';

export default defineCall({
  fn: 'set_dev_pasid',
  exists: [{ since: '6.2' }],
  existsFollows: ['svaDomains'],
  footprint: () => EMPTY,
  decide: ({ d }) => setRet(d, undefined, 'driver op observed outside a core call'),
});
