/**
 * iommu_probe_device(dev) — drivers/iommu/iommu.c (§4.5): the device joins its IOMMU group;
 * max_pasids = min(the device's PASID width, the IOMMU's limit). Nested records under it (the default
 * domain allocated for the group) are effects the model does not make, decided on their own. Pure.
 */
import { deviceKind } from '../device/device.machine.js';
import { defineCall, retFrom } from '../kit/call.js';

export default defineCall({
  fn: 'iommu_probe_device',
  exists: [{}],
  footprint: (rec) => ({ reads: [], writes: [`dev:${rec.args.dev}`] }),
  decide: ({ w, p, d, rec }) => {
    const a = rec.args;
    retFrom(d, w.step(deviceKind, a.dev, { dev: a.dev }, { type: 'PROBE', p, maxPasids: a.max_pasids, group: a.group ?? a.dev }, d));
  },
});
