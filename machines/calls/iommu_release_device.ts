/**
 * iommu_release_device(dev) — drivers/iommu/iommu.c (§4): the device leaves its group whatever its
 * PASIDs still hold. Pure.
 */
import { deviceKind } from '../device/device.machine.js';
import { defineCall, retFrom } from '../kit/call.js';

export default defineCall({
  fn: 'iommu_release_device',
  exists: [{}],
  footprint: (rec) => ({ reads: [], writes: [`dev:${rec.args.dev}`] }),
  decide: ({ w, p, d, rec }) => {
    retFrom(d, w.step(deviceKind, rec.args.dev, { dev: rec.args.dev }, { type: 'RELEASE', p }, d));
  },
});
