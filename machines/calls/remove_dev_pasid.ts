/**
 * remove_dev_pasid(dev, pasid[, domain]) — the IOMMU driver op that iommu_detach_device_pasid calls on
 * every group device (§4.2); it receives the old domain from v6.10 (97e57733d8e3) and is gone from
 * v6.14, where the blocked domain's set_dev_pasid removes the PASID (647b7aad1949). Seen outside a
 * core call it is only observed. Pure.
 */
import { defineCall, setRet } from '../kit/call.js';
import { EMPTY } from '../kit/footprint.js';

export default defineCall({
  fn: 'remove_dev_pasid',
  exists: [{ since: '6.2', until: '6.14' }],
  existsFollows: ['svaDomains', 'removalViaBlockedDomain'],
  footprint: () => EMPTY,
  decide: ({ d }) => setRet(d, undefined, 'driver op observed outside a core call'),
});
