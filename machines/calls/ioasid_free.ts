/**
 * ioasid_free(ioasid) — drivers/iommu/ioasid.c, v5.5–v5.10 and v5.18–v6.3 (§1.6): the ID is looked up
 * in the active allocator (no set is passed) and freed there; the VT-d vcmd free asks the host. Who
 * releases it is checked against its holders first (#21 B1–B3). Pure.
 */
import type { CallRecord } from '../../events/records.js';
import { ioasidHolderKind, ioasidOwnerKind, type IoasidOwnerContext } from '../ioasid/ioasidOwner.machine.js';
import { noteFreed } from '../ids.js';
import type { Snap } from '../kit/lifecycle.js';
import { decideBy, firstCheck, type Check } from '../kit/checks.js';
import { defineCall } from '../kit/call.js';
import type { Footprint } from '../kit/footprint.js';
import { FREE, ioasidOf, noteOpsUse, PUT, type ReleaseReads } from './ioasidChecks.js';
import { asNumber, ioasidKey, listOf, releaserOf, spaceOf, VCMD_FREE, type Env } from './reads.js';

export { noteOpsUse } from './ioasidChecks.js';

/** A release reads the active allocator and changes its space's counters and the one ID. */
export const ioasidReleaseFootprint = (id: number | string): Footprint => ({ reads: ['allocators'], writes: ['space:*', `ioasid:*/${String(id)}`] });

interface HolderReads {
  readonly owner: Snap<IoasidOwnerContext>;
  /** Who releases: the thread of a top-level ioasid_free / ioasid_put; null inside other calls (the trace cannot tell). */
  readonly releaser: string | null;
  /** The releaser holds IDs of its own. */
  readonly releaserHoldsOther: boolean;
}

const notHolder = (r: HolderReads) => r.owner.value === 'held' && r.releaser !== null && !r.owner.context.holders.includes(r.releaser);

/** The holders of the ID against the releaser (the kernel takes no owner, so only the trace can tell). */
const HOLDERS: readonly Check<HolderReads>[] = [
  {
    when: (r) => notHolder(r) && r.owner.context.earlier.includes(r.releaser as string),
    finding: 'IOASID_STALE_RELEASE',
    detail: (r) => `${r.releaser} held IOASID ${r.owner.context.ioasid} in an earlier generation; it now belongs to ${r.owner.context.holders.join(', ')}, whose ID is dropped`,
    rule: 'ioasid_free/ioasid_put take no owner: an earlier holder releases the number handed out again, and the new owner loses it (§1.6, §1.7)',
  },
  {
    when: (r) => notHolder(r) && r.releaserHoldsOther,
    finding: 'IOASID_FREE_BY_OTHER',
    detail: (r) => `${r.releaser} never held it; IOASID ${r.owner.context.ioasid} (${r.owner.context.space}) is held by ${r.owner.context.holders.join(', ') || 'nobody'}`,
    rule: 'ioasid_free/ioasid_put take no set: a caller that never held this ID releases it (§1.6, §1.7)',
  },
  { rule: 'released by a holder (or by a caller the trace cannot name)' },
];

/** ioasid_free / ioasid_put of an ID, looked up in the active allocator (§1.6, §1.7); who releases it is checked against its holders (B1–B3). */
export function releaseIoasid(env: Env & { rec?: CallRecord }, id: number, how: 'FREE' | 'PUT'): void {
  const { w, d } = env;
  const space = listOf(w).active;
  const owner = w.get(ioasidOwnerKind, ioasidKey(space, id), { space, ioasid: id });
  const s = ioasidOf(env, space, id);
  if (s.value !== 'unallocated') {
    const releaser = releaserOf(env);
    const h: HolderReads = { owner, releaser, releaserHoldsOther: releaser !== null && w.get(ioasidHolderKind, releaser, { holder: releaser }).context.held > 0 };
    decideBy(d, firstCheck(HOLDERS, h), h, {}, { setsRet: false });
  }
  const r: ReleaseReads = { s, vcmd: spaceOf(w, space).free === VCMD_FREE, releasedAt: owner.value === 'released' ? owner.context.releasedAt : null };
  const row = how === 'FREE' ? decideBy(d, firstCheck(FREE, r), r, {}) : decideBy(d, firstCheck(PUT, r), r, {});
  if (row.then === undefined) return;
  if (how === 'PUT') w.emit(d, { type: 'IoasidPut', space, ioasid: id, refs: Math.max(0, s.context.refs - 1) });
  if (row.then !== 'free') return;
  w.emit(d, { type: 'IoasidFreed', space, ioasid: id });
  noteOpsUse(env, space, 'free');
  noteFreed(w, space, id);
  w.emit(d, { type: 'IoasidHoldersReleased', space, ioasid: id, at: env.rec?.seq ?? 0 });
}

export default defineCall({
  fn: 'ioasid_free',
  exists: [{ until: '5.11' }, { since: '5.18', until: '6.4' }],
  existsFollows: ['ioasidRefcount', 'ioasid'],
  raises: ['IOASID_FREE_UNKNOWN', 'VTD_VCMD_FREE_ACTIVE', 'IOASID_DOUBLE_FREE', 'IOASID_STALE_RELEASE', 'IOASID_FREE_BY_OTHER'],
  footprint: (rec) => ioasidReleaseFootprint(rec.args.ioasid === 'INVALID_IOASID' ? '*' : rec.args.ioasid),
  decide: (c) => releaseIoasid(c, asNumber(c.rec.args.ioasid), 'FREE'),
});
