/**
 * mm_pasid_drop(mm) — kernel/fork.c (an inline in <linux/sched/mm.h> until v6.4), v5.18+ (701fac40384f,
 * §3.3): the mm's PASID is freed when the mm goes (ioasid_free before v6.4, iommu_free_global_pasid
 * after); from v5.18-rc6 (2667ed10d9f0) it runs at __mmdrop, and every bond holds mm_count
 * (mmu_notifier_register ≤ v6.1, iommu_sva_domain_alloc's mmgrab v6.2+), so a drop under live bonds
 * means the capture lost their unbinds. Its checks are CHECKS below. Pure.
 */
import type { CallName } from '../../events/records.js';
import type { Snap } from '../kit/lifecycle.js';
import type { Profile } from '../profile.js';
import { mmKind, type MmContext } from '../sva/mm.machine.js';
import { decideBy, firstCheck, type Check } from '../kit/checks.js';
import { defineCall, setRet } from '../kit/call.js';
import { union } from '../kit/footprint.js';
import { releaseIoasid } from './ioasid_free.js';
import { freeGlobalPasid } from './iommu_free_global_pasid.js';
import { svaPasidFootprint } from './iommu_sva_bind_device.js';

const NESTED: readonly CallName[] = ['ioasid_free', 'iommu_free_global_pasid'];

interface DropReads {
  readonly p: Profile;
  readonly mm: Snap<MmContext>;
}

const withBonds = (r: DropReads) =>
  r.p.mmPasidDropAtMmdrop
    ? `${r.mm.context.mm} still has ${r.mm.context.bonds} SVA bond(s) on PASID ${r.mm.context.pasid}, which pin the mm: the capture lost their unbinds (or probes __mmput); the PASID is kept until the bonds go`
    : `${r.mm.context.mm} still has ${r.mm.context.bonds} SVA bond(s) on PASID ${r.mm.context.pasid}`;

/** `then`: the PASID is freed now ('free'), or kept with the bonds that pin the mm ('pinned'). */
const CHECKS: readonly Check<DropReads, 'free' | 'pinned'>[] = [
  { when: (r) => r.mm.value === 'exited', ret: null, rule: 'mm_pasid_drop again: the PASID is dropped (exited mm)', then: 'free' },
  {
    when: (r) => r.mm.context.bonds > 0 && r.p.mmPasidDropAtMmdrop,
    ret: null,
    finding: 'MM_EXIT_WITH_BONDS',
    detail: withBonds,
    rule: 'mm_pasid_drop runs at __mmdrop (2667ed10d9f0, v5.18-rc6): live bonds pin the mm, so this drop means lost unbind records; the PASID stays with the bonds (§3.3)',
    then: 'pinned',
  },
  {
    when: (r) => r.mm.context.bonds > 0,
    ret: null,
    finding: 'MM_EXIT_WITH_BONDS',
    detail: withBonds,
    rule: 'mm_pasid_drop at __mmput (v5.18-rc1..rc5) frees the PASID without iommu_sva_lock; live bonds keep using the number (§B.2.6)',
    then: 'free',
  },
  { ret: null, rule: 'mm_pasid_drop: the mm exits and its PASID is freed (§3.3)', then: 'free' },
];

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
    const r: DropReads = { p, mm: w.get(mmKind, mm, { mm }) };
    const { pasid, bonds } = r.mm.context;
    const row = decideBy(d, firstCheck(CHECKS, r), r, {});
    w.emit(d, row.then === 'pinned' ? { type: 'MmExited', mm, keepsPasid: true } : { type: 'MmExited', mm });
    if (pasid !== null && row.then === 'pinned') {
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
