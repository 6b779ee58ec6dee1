/**
 * iommu_probe_device(dev) — drivers/iommu/iommu.c (§4.5): the device joins its IOMMU group;
 * max_pasids = min(the device's PASID width, the IOMMU's limit). Probing again recomputes it. Nested
 * records under it (the default domain allocated for the group) are effects the model does not make,
 * decided on their own. A device no IOMMU claims is refused with -ENODEV (below). Pure.
 */
import { defineCall, setRet } from '../kit/call.js';
import { deviceOf } from './reads.js';

/**
 * __iommu_probe_device returns -ENODEV for a device no IOMMU driver claims, and it joins no group:
 * no ops for it (v6.1: dev->bus->iommu_ops NULL; v6.12: neither a fwspec's ops nor a registered
 * instance's), or the driver's probe_device finds no unit whose scope holds it (VT-d:
 * device_to_iommu() finds no DMAR unit → ERR_PTR(-ENODEV): the platform and ACPI devices of every
 * boot, reg-dummy, i8042, serial8250). Which devices a driver's scope holds (ACPI DMAR, IORT, device
 * tree) is not in the trace: the recorded -ENODEV is the kernel's answer. A device already probed is
 * not refused: v6.12's __iommu_probe_device returns 0 at once when dev->iommu_group is set, and
 * 6.1's probe_iommu_group skips it before probing (lab boot-probes on 6.1 and 6.12, #20).
 */
const NOT_CLAIMED = 'iommu_probe_device: no IOMMU driver claims the device (no ops, or probe_device finds no unit for it) → -ENODEV, no group (§4.5)';

export default defineCall({
  fn: 'iommu_probe_device',
  exists: [{}],
  footprint: (rec) => ({ reads: [], writes: [`dev:${rec.args.dev}`] }),
  decide: ({ w, d, rec }) => {
    const a = rec.args;
    const again = deviceOf(w, a.dev).value === 'probed';
    if (rec.ret === '-ENODEV' && !again) {
      setRet(d, '-ENODEV', NOT_CLAIMED);
      return;
    }
    w.emit(d, { type: 'DeviceProbed', dev: a.dev, max_pasids: a.max_pasids, group: a.group ?? a.dev });
    setRet(d, 0, again ? 'iommu_probe_device again: max_pasids recomputed (§4.5)' : 'iommu_probe_device: max_pasids = min(device PASID width, IOMMU limit) (§4.5)');
  },
});
