/**
 * iommu_free_global_pasid(pasid) — drivers/iommu/iommu.c, v6.6+ (§5): WARN_ON(IOMMU_PASID_INVALID),
 * then ida_free, which WARNs for an ID that is not allocated and checks no attachment: a PASID freed
 * before its detach can be handed out again while still attached (§5.1, A40). ida_free takes no
 * owner either, so the audit tells apart what the kernel cannot (#21 B1–B3): a second free of a
 * freed PASID, a free of one never allocated, a free by an earlier holder after the number was
 * handed out again, and a free by a thread that holds PASIDs of its own but never held this one.
 * Pure.
 */
import { IOMMU_PASID_INVALID } from '../../events/fields.js';
import type { CallRecord } from '../../events/records.js';
import type { Snap } from '../kit/lifecycle.js';
import { globalPasidKind, type GlobalPasidContext } from '../global/globalPasid.machine.js';
import { globalPasidHistoryKind, type GlobalPasidHistoryContext } from '../global/globalPasidHistory.machine.js';
import { globalPasidHolderKind } from '../global/globalPasidHolder.machine.js';
import { noteFreed } from '../ids.js';
import { decideBy, firstCheck, type Check } from '../kit/checks.js';
import { defineCall, setRet } from '../kit/call.js';
import { IDA, NO_PASID, type Env } from './reads.js';

interface FreeReads {
  readonly invalid: boolean;
  readonly id: Snap<GlobalPasidContext>;
  readonly history: Snap<GlobalPasidHistoryContext>;
  /** The thread of a top-level free; null inside another call (mm_pasid_drop) or when unknown. */
  readonly releaser: string | null;
  /** Attachments already reported as another finding by the caller (mm_pasid_drop's live bonds). */
  readonly covered: number;
  /** The releaser holds global PASIDs of its own (it is an owner, not a cleanup thread, #21 B3). */
  readonly releaserHolds: boolean;
}

const IDA_WARN = 'ida_free of an unallocated ID: WARN "ida_free called for id=%d which is not allocated" (v6.7+; v6.6.0 may oops, fixed by af73483f4e8b) (§5)';
const otherHolder = (r: FreeReads) => r.releaser !== null && r.history.context.holder !== null && r.releaser !== r.history.context.holder;

const CHECKS: readonly Check<FreeReads, 'free'>[] = [
  { when: (r) => r.invalid, ret: null, finding: 'GLOBAL_PASID_FREE_INVALID', detail: () => 'freed IOMMU_PASID_INVALID', rule: 'iommu_free_global_pasid: WARN_ON(pasid == IOMMU_PASID_INVALID) (§5)' },
  {
    when: (r) => r.id.value === 'free' && r.history.value === 'released',
    ret: null,
    finding: 'GLOBAL_PASID_DOUBLE_FREE',
    detail: (r) => `PASID ${r.id.context.pasid} was already freed${r.history.context.freedBy === null ? '' : ` (by ${r.history.context.freedBy})`}`,
    rule: IDA_WARN,
  },
  { when: (r) => r.id.value === 'free', ret: null, finding: 'GLOBAL_PASID_FREE_UNKNOWN', detail: (r) => `PASID ${r.id.context.pasid} was never allocated in the capture`, rule: IDA_WARN },
  {
    when: (r) => otherHolder(r) && r.history.context.past.includes(r.releaser as string),
    ret: null,
    finding: 'GLOBAL_PASID_STALE_FREE',
    detail: (r) => `${r.releaser} held PASID ${r.id.context.pasid} before; it now belongs to ${r.history.context.holder}, whose PASID is freed`,
    rule: 'ida_free takes no owner: an earlier holder frees the number the IDA handed to its new owner (§5, #21 B2)',
    then: 'free',
  },
  {
    // Why: a thread that never held a global PASID may be the owner's cleanup path; one that holds its own is another owner.
    when: (r) => otherHolder(r) && r.releaserHolds,
    ret: null,
    finding: 'GLOBAL_PASID_FREE_BY_OTHER',
    detail: (r) => `${r.releaser} never held PASID ${r.id.context.pasid}, which belongs to ${r.history.context.holder}; ${r.releaser} holds PASIDs of its own`,
    rule: "iommu_free_global_pasid takes no device or owner: another owner frees this owner's PASID through ida_free (§5, #21 B3)",
    then: 'free',
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

/** The thread of a top-level iommu_free_global_pasid; null inside another call (the trace cannot tell). */
const releaserOf = (rec: CallRecord | undefined) => (rec !== undefined && rec.fn === 'iommu_free_global_pasid' && rec.parent === undefined ? `tid:${rec.tid}` : null);

/** The thread's holder count a top-level global PASID call changes (#21 B3); nested calls name no thread. */
export const globalHolderFootprint = (rec: CallRecord): string[] => (rec.parent === undefined ? [`gholder:tid:${rec.tid}`] : []);

/** iommu_free_global_pasid / ida_free of one PASID; `covered` attachments are reported elsewhere. */
export function freeGlobalPasid(env: Env & { rec?: CallRecord }, pasid: number | typeof IOMMU_PASID_INVALID, covered = 0): void {
  const { w, d } = env;
  const invalid = pasid === IOMMU_PASID_INVALID;
  const n = invalid ? -1 : (pasid as number);
  const id = invalid ? w.get(globalPasidKind, NO_PASID, { pasid: -1 }) : w.get(globalPasidKind, String(n), { pasid: n });
  const history = w.get(globalPasidHistoryKind, invalid ? NO_PASID : String(n), { pasid: n });
  const releaser = releaserOf(env.rec);
  const releaserHolds = releaser !== null && w.get(globalPasidHolderKind, releaser, { holder: releaser }).context.held > 0;
  const r: FreeReads = { invalid, id, history, releaser, covered, releaserHolds };
  const row = firstCheck(CHECKS, r);
  if (row.then === 'free' && !invalid) {
    w.emit(d, { type: 'GlobalPasidFreed', pasid: n, ...(releaser === null ? {} : { by: releaser }) });
    noteFreed(w, IDA, n);
  }
  decideBy(d, row, r, {});
}

export default defineCall({
  fn: 'iommu_free_global_pasid',
  exists: [{ since: '6.6' }],
  existsFollows: ['globalPasids'],
  raises: ['GLOBAL_PASID_FREE_INVALID', 'GLOBAL_PASID_DOUBLE_FREE', 'GLOBAL_PASID_FREE_UNKNOWN', 'GLOBAL_PASID_STALE_FREE', 'GLOBAL_PASID_FREE_BY_OTHER', 'GLOBAL_PASID_FREE_ATTACHED'],
  // Why: the releaser's own count (B3) is only changed by its own thread's calls, so frees by different threads of different PASIDs commute.
  footprint: (rec) => ({ reads: [], writes: [rec.args.pasid === 'IOMMU_PASID_INVALID' ? 'gpasid:none' : `gpasid:${rec.args.pasid}`, ...globalHolderFootprint(rec)] }),
  decide: (c) => {
    freeGlobalPasid(c, c.rec.args.pasid);
    setRet(c.d, null, 'iommu_free_global_pasid returns void');
  },
});
