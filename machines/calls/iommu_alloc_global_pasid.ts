/**
 * iommu_alloc_global_pasid(dev) — drivers/iommu/iommu.c, v6.6+ (§5): the lowest free PASID in
 * [1, max_pasids - 1] of the global IDA (ida_alloc_range; PASID 0 is IOMMU_NO_PASID), or
 * IOMMU_PASID_INVALID when max_pasids is 0 or the range is exhausted. The same IDA serves SVA. Pure.
 */
import { IOMMU_PASID_INVALID, PASID_MAX } from '../../events/fields.js';
import type { Ret } from '../../events/records.js';
import { lowestFree } from '../ids.js';
import { globalPasidKind } from '../global/globalPasid.machine.js';
import { decideBy, type Check } from '../kit/checks.js';
import { defineCall, setRet } from '../kit/call.js';
import { deviceOf, IDA, type Env } from './reads.js';

/**
 * ida_alloc_range(&iommu_global_pasid_ida, 1, maxPasids - 1) for a device or an mm; returns the
 * PASID or null. `maxPasids` null = unknown (the device was probed before the capture).
 */
const EXHAUSTED: Check<{ dev: string | null; mm: string | null }> = {
  ret: IOMMU_PASID_INVALID,
  finding: 'GLOBAL_PASID_EXHAUSTED',
  detail: (o) => `no free PASID for ${o.dev ?? o.mm ?? '?'}`,
  rule: 'iommu_alloc_global_pasid: max_pasids 0 or no free PASID in [1, max_pasids - 1] → IOMMU_PASID_INVALID (§5)',
};

export function allocGlobalPasid({ w, d }: Env, owner: { dev: string | null; mm: string | null }, maxPasids: number | null, recorded: Ret | undefined): number | null {
  const max = maxPasids === null ? PASID_MAX : maxPasids - 1;
  const taken = (id: number) => w.has(globalPasidKind.id, String(id));
  const predicted = max >= 1 ? lowestFree(w, IDA, 1, max, taken) : null;
  const adopt = typeof recorded === 'number' && recorded >= 1 && recorded <= max && !taken(recorded);
  const pasid = adopt ? (recorded as number) : predicted;
  if (pasid === null) {
    decideBy(d, EXHAUSTED, owner, owner);
    return null;
  }
  setRet(d, predicted ?? IOMMU_PASID_INVALID, 'iommu_alloc_global_pasid: lowest free PASID in [1, max_pasids - 1] (ida_alloc_range, §5)');
  w.emit(d, { type: 'GlobalPasidAllocated', pasid, dev: owner.dev, mm: owner.mm });
  return pasid;
}

export default defineCall({
  fn: 'iommu_alloc_global_pasid',
  exists: [{ since: '6.6' }],
  existsFollows: ['globalPasids'],
  raises: ['GLOBAL_PASID_EXHAUSTED'],
  footprint: (rec) => ({ reads: [`dev:${rec.args.dev}`], writes: ['ida', 'gpasid:*'] }),
  decide: (c) => {
    const dev = deviceOf(c.w, c.rec.args.dev).context;
    allocGlobalPasid(c, { dev: c.rec.args.dev, mm: null }, dev.maxPasids, c.rec.ret);
  },
});
