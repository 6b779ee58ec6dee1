/**
 * iommu_probe_device(dev) — drivers/iommu/iommu.c (§4.5): the device joins its IOMMU group;
 * max_pasids = min(the device's PASID width, the IOMMU's limit). Probing again recomputes it. Nested
 * records under it (the default domain allocated for the group) are effects the model does not make,
 * decided on their own. Pure.
 */
import { defineCall, setRet } from '../kit/call.js';
import { deviceOf } from './reads.js';

export default defineCall({
  fn: 'iommu_probe_device',
  exists: [{}],
  footprint: (rec) => ({ reads: [], writes: [`dev:${rec.args.dev}`] }),
  decide: ({ w, d, rec }) => {
    const a = rec.args;
    const again = deviceOf(w, a.dev).value === 'probed';
    w.emit(d, { type: 'DeviceProbed', dev: a.dev, max_pasids: a.max_pasids, group: a.group ?? a.dev });
    setRet(d, 0, again ? 'iommu_probe_device again: max_pasids recomputed (§4.5)' : 'iommu_probe_device: max_pasids = min(device PASID width, IOMMU limit) (§4.5)');
  },
});
