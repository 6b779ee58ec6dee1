/**
 * iommu_free_global_pasid(pasid) — drivers/iommu/iommu.c, v6.6+ (§5): WARN_ON(IOMMU_PASID_INVALID),
 * then ida_free, which WARNs for an ID that is not allocated and checks no attachment: a PASID freed
 * before its detach can be handed out again while still attached (§5.1, A40). Pure.
 */
import { IOMMU_PASID_INVALID } from '../../events/fields.js';
import { globalPasidKind } from '../global/globalPasid.machine.js';
import { noteFreed } from '../ids.js';
import { defineCall, hasFact, retFrom, setRet } from '../kit/call.js';
import { IDA, NO_PASID, type Env } from './reads.js';

/** iommu_free_global_pasid / ida_free of one PASID; `covered` attachments are reported elsewhere (see the FREE event). */
export function freeGlobalPasid({ w, p, d }: Env, pasid: number | typeof IOMMU_PASID_INVALID, covered = 0): void {
  const invalid = pasid === IOMMU_PASID_INVALID;
  const key = invalid ? NO_PASID : String(pasid);
  const r = w.step(globalPasidKind, key, { pasid: invalid ? -1 : pasid }, { type: 'FREE', p, invalid, covered }, d);
  retFrom(d, r);
  if (!invalid && hasFact(r, 'GlobalPasidFreed')) noteFreed(w, IDA, pasid);
}

export default defineCall({
  fn: 'iommu_free_global_pasid',
  exists: [{ since: '6.6' }],
  raises: ['GLOBAL_PASID_FREE_INVALID', 'GLOBAL_PASID_DOUBLE_FREE', 'GLOBAL_PASID_FREE_ATTACHED'],
  footprint: (rec) => ({ reads: [], writes: [rec.args.pasid === 'IOMMU_PASID_INVALID' ? 'gpasid:none' : `gpasid:${rec.args.pasid}`] }),
  decide: (c) => {
    freeGlobalPasid(c, c.rec.args.pasid);
    setRet(c.d, null, 'iommu_free_global_pasid returns void');
  },
});
