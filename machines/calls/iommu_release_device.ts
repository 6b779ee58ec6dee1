/**
 * iommu_release_device(dev) — drivers/iommu/iommu.c (§4): the device leaves its group whatever its
 * PASIDs still hold. Pure.
 */
import type { Snap } from '../kit/lifecycle.js';
import type { DeviceContext } from '../device/device.machine.js';
import { decideBy, firstCheck, type Check } from '../kit/checks.js';
import { defineCall } from '../kit/call.js';
import { deviceOf } from './reads.js';

const CHECKS: readonly Check<Snap<DeviceContext>, 'release'>[] = [
  { when: (s) => s.value === 'released', ret: null, rule: 'already released' },
  {
    when: (s) => s.context.attached > 0 || s.context.bonds > 0,
    ret: null,
    finding: 'DEVICE_RELEASED_WITH_PASIDS',
    detail: (s) => `${s.context.dev} still has ${s.context.attached} attached PASID(s) and ${s.context.bonds} SVA bond(s)`,
    rule: 'iommu_release_device tears the device down whatever its PASIDs still hold',
    then: 'release',
  },
  { ret: null, rule: 'iommu_release_device', then: 'release' },
];

export default defineCall({
  fn: 'iommu_release_device',
  exists: [{}],
  footprint: (rec) => ({ reads: [], writes: [`dev:${rec.args.dev}`] }),
  decide: ({ w, d, rec }) => {
    const dev = deviceOf(w, rec.args.dev);
    const row = firstCheck(CHECKS, dev);
    if (row.then === 'release') w.emit(d, { type: 'DeviceReleased', dev: rec.args.dev });
    decideBy(d, row, dev, {});
  },
});
