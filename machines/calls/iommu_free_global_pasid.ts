/**
 * iommu_free_global_pasid(pasid) — drivers/iommu/iommu.c, v6.6+ (§5): WARN_ON(IOMMU_PASID_INVALID),
 * then ida_free, which WARNs for an ID that is not allocated and checks no attachment: a PASID freed
 * before its detach can be handed out again while still attached (§5.1, A40). Pure.
 */
import { IOMMU_PASID_INVALID } from '../../events/fields.js';
import type { Snap } from '../kit/lifecycle.js';
import { globalPasidKind, type GlobalPasidContext } from '../global/globalPasid.machine.js';
import { noteFreed } from '../ids.js';
import { decideBy, firstCheck, type Check } from '../kit/checks.js';
import { defineCall, setRet } from '../kit/call.js';
import { IDA, NO_PASID, type Env } from './reads.js';

interface FreeReads {
  readonly invalid: boolean;
  readonly id: Snap<GlobalPasidContext>;
  /** Attachments already reported as another finding by the caller (mm_pasid_drop's live bonds). */
  readonly covered: number;
}

const CHECKS: readonly Check<FreeReads, 'free'>[] = [
  { when: (r) => r.invalid, ret: null, finding: 'GLOBAL_PASID_FREE_INVALID', detail: () => 'freed IOMMU_PASID_INVALID', rule: 'iommu_free_global_pasid: WARN_ON(pasid == IOMMU_PASID_INVALID) (§5)' },
  {
    when: (r) => r.id.value === 'free',
    ret: null,
    finding: 'GLOBAL_PASID_DOUBLE_FREE',
    detail: (r) => `PASID ${r.id.context.pasid} is not allocated`,
    rule: 'ida_free of an unallocated ID: WARN "ida_free called for id=%d which is not allocated" (v6.7+; v6.6.0 may oops, fixed by af73483f4e8b) (§5)',
  },
  {
    when: (r) => r.id.context.attachments > r.covered,
    ret: null,
    finding: 'GLOBAL_PASID_FREE_ATTACHED',
    detail: (r) => `PASID ${r.id.context.pasid} is still attached to ${r.id.context.attachments} device slot(s)`,
    rule: 'iommu_free_global_pasid does not check attachments: the number can be handed out again while still attached (§5.1, A40)',
    then: 'free',
  },
  { ret: null, rule: 'iommu_free_global_pasid: ida_free (§5)', then: 'free' },
];

/** iommu_free_global_pasid / ida_free of one PASID; `covered` attachments are reported elsewhere. */
export function freeGlobalPasid({ w, d }: Env, pasid: number | typeof IOMMU_PASID_INVALID, covered = 0): void {
  const invalid = pasid === IOMMU_PASID_INVALID;
  const id = invalid ? w.get(globalPasidKind, NO_PASID, { pasid: -1 }) : w.get(globalPasidKind, String(pasid), { pasid });
  const r: FreeReads = { invalid, id, covered };
  const row = firstCheck(CHECKS, r);
  if (row.then === 'free' && !invalid) {
    w.emit(d, { type: 'GlobalPasidFreed', pasid: pasid as number });
    noteFreed(w, IDA, pasid as number);
  }
  decideBy(d, row, r, {});
}

export default defineCall({
  fn: 'iommu_free_global_pasid',
  exists: [{ since: '6.6' }],
  existsFollows: ['globalPasids'],
  raises: ['GLOBAL_PASID_FREE_INVALID', 'GLOBAL_PASID_DOUBLE_FREE', 'GLOBAL_PASID_FREE_ATTACHED'],
  footprint: (rec) => ({ reads: [], writes: [rec.args.pasid === 'IOMMU_PASID_INVALID' ? 'gpasid:none' : `gpasid:${rec.args.pasid}`] }),
  decide: (c) => {
    freeGlobalPasid(c, c.rec.args.pasid);
    setRet(c.d, null, 'iommu_free_global_pasid returns void');
  },
});
