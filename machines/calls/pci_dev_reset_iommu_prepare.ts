/**
 * pci_dev_reset_iommu_prepare(dev) — drivers/iommu/iommu.c, v7.0+ (c279e83953d9, §4.1): the group
 * blocks attach (group->resetting_domain) until pci_dev_reset_iommu_done. Pure.
 */
import { defineCall, setRet } from '../kit/call.js';
import { deviceOf } from './reads.js';

export default defineCall({
  fn: 'pci_dev_reset_iommu_prepare',
  exists: [{ since: '7.0' }],
  existsFollows: ['resetBlocksAttach'],
  footprint: (rec) => ({ reads: [], writes: [`dev:${rec.args.dev}`] }),
  decide: ({ w, d, rec }) => {
    w.emit(d, { type: 'GroupResetStarted', group: deviceOf(w, rec.args.dev).context.group, dev: rec.args.dev });
    setRet(d, 0, 'pci_dev_reset_iommu_prepare: the group blocks attach until done (§4.1)');
  },
});
