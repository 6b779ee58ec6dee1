/**
 * mm_pasid_drop(mm) — kernel/fork.c (an inline in <linux/sched/mm.h> until v6.4), v5.18+ (701fac40384f,
 * §3.3): the mm's PASID is freed when the mm goes (ioasid_free before v6.4, iommu_free_global_pasid
 * after); from v5.18-rc6 it runs at __mmdrop. Pure.
 */
import type { CallName } from '../../events/records.js';
import { mmKind } from '../sva/mm.machine.js';
import { defineCall, setRet } from '../kit/call.js';
import { union } from '../kit/footprint.js';
import { releaseIoasid } from './ioasid_free.js';
import { freeGlobalPasid } from './iommu_free_global_pasid.js';
import { svaPasidFootprint } from './iommu_sva_bind_device.js';

const NESTED: readonly CallName[] = ['ioasid_free', 'iommu_free_global_pasid'];

export default defineCall({
  fn: 'mm_pasid_drop',
  exists: [{ since: '5.18' }],
  existsFollows: ['svaPasidUntilMmExit'],
  nested: NESTED,
  raises: ['MM_EXIT_WITH_BONDS'],
  // __mmput frees the PASID without iommu_sva_lock (§B.2.6).
  footprint: (rec, p) => union(svaPasidFootprint(p), { reads: [], writes: [`mm:${rec.args.mm}`] }),
  decide: (c) => {
    const { w, p, d, rec } = c;
    const mm = rec.args.mm;
    const { pasid, bonds } = w.peek(mmKind, mm, { mm }).context;
    const r = w.step(mmKind, mm, { mm }, { type: 'EXIT', p }, d);
    if (pasid !== null && r.snap.context.dropPending === true) {
      // v5.18-rc6+ (2667ed10d9f0): the bonds pin the mm, so the kernel cannot have freed the PASID yet;
      // the recorded free is expected (the capture shows it) but the model keeps the PASID with the bonds.
      d.children.push(p.ioasid ? { fn: 'ioasid_free', args: { ioasid: pasid } } : { fn: 'iommu_free_global_pasid', args: { pasid } });
    } else if (pasid !== null && p.svaPasidUntilMmExit) {
      if (p.ioasid) {
        releaseIoasid(c, pasid, 'FREE');
        d.children.push({ fn: 'ioasid_free', args: { ioasid: pasid } });
      } else {
        // The bonds' attachments are MM_EXIT_WITH_BONDS already (one per (dev, mm) bond); A40 only for other attachments.
        freeGlobalPasid(c, pasid, bonds);
        if (p.globalPasids) d.children.push({ fn: 'iommu_free_global_pasid', args: { pasid } });
      }
    }
    setRet(d, null, 'mm_pasid_drop returns void');
  },
});
