/**
 * iommu_alloc_global_pasid(dev) — drivers/iommu/iommu.c, v6.6+ (§5): the lowest free PASID in
 * [1, max_pasids - 1] of the global IDA (ida_alloc_range; PASID 0 is IOMMU_NO_PASID), or
 * IOMMU_PASID_INVALID when max_pasids is 0 or the range is exhausted. The same IDA serves SVA. Pure.
 */
import { IOMMU_PASID_INVALID, PASID_MAX } from '../../events/fields.js';
import type { Ret } from '../../events/records.js';
import { lowestFree } from '../ids.js';
import { deviceKind } from '../device/device.machine.js';
import { globalPasidKind } from '../global/globalPasid.machine.js';
import { defineCall, retFrom, setRet } from '../kit/call.js';
import { IDA, NO_PASID, type Env } from './reads.js';

/**
 * ida_alloc_range(&iommu_global_pasid_ida, 1, maxPasids - 1) for a device or an mm; returns the
 * PASID or null. `maxPasids` null = unknown (the device was probed before the capture).
 */
export function allocGlobalPasid({ w, p, d }: Env, owner: { dev: string | null; mm: string | null }, maxPasids: number | null, recorded: Ret | undefined): number | null {
  const max = maxPasids === null ? PASID_MAX : maxPasids - 1;
  const taken = (id: number) => w.has(globalPasidKind.id, String(id));
  const predicted = max >= 1 ? lowestFree(w, IDA, 1, max, taken) : null;
  const adopt = typeof recorded === 'number' && recorded >= 1 && recorded <= max && !taken(recorded);
  const pasid = adopt ? (recorded as number) : predicted;
  if (pasid === null) {
    retFrom(d, w.step(globalPasidKind, NO_PASID, { pasid: -1 }, { type: 'ALLOC', p, dev: owner.dev, mm: owner.mm, exhausted: true }, d));
    return null;
  }
  setRet(d, predicted ?? IOMMU_PASID_INVALID, 'iommu_alloc_global_pasid: lowest free PASID in [1, max_pasids - 1] (ida_alloc_range, §5)');
  w.step(globalPasidKind, String(pasid), { pasid }, { type: 'ALLOC', p, dev: owner.dev, mm: owner.mm, exhausted: false }, d);
  return pasid;
}

export default defineCall({
  fn: 'iommu_alloc_global_pasid',
  exists: [{ since: '6.6' }],
  raises: ['GLOBAL_PASID_EXHAUSTED'],
  footprint: (rec) => ({ reads: [`dev:${rec.args.dev}`], writes: ['ida', 'gpasid:*'] }),
  decide: (c) => {
    const dev = c.w.peek(deviceKind, c.rec.args.dev, { dev: c.rec.args.dev }).context;
    allocGlobalPasid(c, { dev: c.rec.args.dev, mm: null }, dev.maxPasids, c.rec.ret);
  },
});
