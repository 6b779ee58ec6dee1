/**
 * iommu_sva_get_pasid(handle) — drivers/iommu/iommu.c (v5.2–v6.1: ops->sva_get_pasid, or
 * IOMMU_PASID_INVALID without the op), iommu-sva.c (v6.2–v6.7: handle->domain->mm->pasid; v6.8+:
 * mm_get_enqcmd_pasid(domain->mm)), 26b25a2b98e4: the PASID a bind gave its handle, which a capture
 * records next to the handle. The model checks it against the mm's PASID (§3). Pure.
 */
import { IOMMU_PASID_INVALID } from '../../events/fields.js';
import { mmKind } from '../sva/mm.machine.js';
import { svaHandleKind } from '../sva/svaHandle.machine.js';
import { defineCall, setRet } from '../kit/call.js';

export default defineCall({
  fn: 'iommu_sva_get_pasid',
  exists: [{}],
  footprint: (rec) => ({ reads: [`handle:${rec.args.handle}`, 'mm:*'], writes: [] }),
  decide: ({ w, p, d, rec }) => {
    const handle = rec.args.handle;
    // v5.5–v5.7: no driver has sva_bind, so no handle can exist; the getter has no op either.
    if (!p.intelSvaBind) return setRet(d, IOMMU_PASID_INVALID, 'iommu_sva_get_pasid: !ops->sva_get_pasid → IOMMU_PASID_INVALID (v5.2–v5.7, no driver implements it)');
    const h = w.get(svaHandleKind, handle, { handle });
    // A handle the capture never saw bound (or already freed): the PASID it reads is not the model's to know.
    if (h.value !== 'live' || h.context.mm === null) return setRet(d, undefined, 'iommu_sva_get_pasid of a handle the model does not hold');
    const mm = h.context.mm;
    const pasid = w.get(mmKind, mm, { mm }).context.pasid;
    setRet(d, pasid ?? undefined, `iommu_sva_get_pasid: the PASID of ${mm}, which the handle is bound to (§3)`);
  },
});
