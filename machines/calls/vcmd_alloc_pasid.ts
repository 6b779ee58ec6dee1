/**
 * vcmd_alloc_pasid(iommu, &pasid) — drivers/iommu/intel/pasid.c, v5.8–v6.3 (§2.3): a VT-d guest asks
 * the host for a PASID through the virtual command registers; called by intel_vcmd_ioasid_alloc, the
 * custom IOASID allocator VT-d registers in a guest (register_pasid_allocator), so a capture records
 * it nested in ioasid_alloc. The host's status decides the return; the PASID it answered is what
 * ioasid_alloc then tracks (machines/calls/ioasid_alloc.ts reads it). Pure.
 */
import { decideBy, firstCheck } from '../kit/checks.js';
import { defineCall, setRet } from '../kit/call.js';
import { VCMD_ALLOC_ANSWER, type VcmdAnswer } from './vcmdChecks.js';

export default defineCall({
  fn: 'vcmd_alloc_pasid',
  exists: [{ since: '5.8', until: '6.4' }],
  existsFollows: ['vcmdAllocator'],
  raises: ['VTD_VCMD_UNEXPECTED_STATUS'],
  // Why: the host's answer is all it reads; the guest's tracking is ioasid_alloc's.
  footprint: (rec) => ({ reads: [], writes: [`vtd:${rec.args.iommu}`] }),
  decide: ({ d, rec }) => {
    const r: VcmdAnswer = { iommu: rec.args.iommu, status: rec.args.status };
    const row = decideBy(d, firstCheck(VCMD_ALLOC_ANSWER, r), r, { iommu: rec.args.iommu });
    if (row.ret === undefined) setRet(d, undefined, row.rule);
  },
});
