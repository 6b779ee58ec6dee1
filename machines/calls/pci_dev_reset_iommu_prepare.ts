/**
 * pci_dev_reset_iommu_prepare(dev) — drivers/iommu/iommu.c, modelled from v6.18 (§4.1): the group
 * blocks attach (group->resetting_domain) until pci_dev_reset_iommu_done. Pure.
 */
import { deviceKind } from '../device/device.machine.js';
import { defineCall, retFrom } from '../kit/call.js';

export default defineCall({
  fn: 'pci_dev_reset_iommu_prepare',
  exists: [{ since: '6.18' }],
  footprint: (rec) => ({ reads: [], writes: [`dev:${rec.args.dev}`] }),
  decide: ({ w, p, d, rec }) => {
    retFrom(d, w.step(deviceKind, rec.args.dev, { dev: rec.args.dev }, { type: 'RESET_PREPARE', p }, d));
  },
});
