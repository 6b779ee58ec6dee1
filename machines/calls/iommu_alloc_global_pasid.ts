/**
 * iommu_alloc_global_pasid(dev) — drivers/iommu/iommu.c, v6.6+ (§5): the lowest free PASID in
 * [1, max_pasids - 1] of the global IDA (ida_alloc_range; PASID 0 is IOMMU_NO_PASID), or
 * IOMMU_PASID_INVALID when max_pasids is 0 or the range is exhausted. The same IDA serves SVA.
 * The IDA never hands out a number it holds, and knows nothing of attachments: a recorded number the
 * model holds is adopted and reported against its owner (#21 B8); a number freed while attached goes
 * to its new owner while the old attachment lives on (B7); an exhaustion of a device whose max_pasids
 * the capture does not know shows the bound (B11). Pure.
 */
import { IOMMU_PASID_INVALID, PASID_MAX } from '../../events/fields.js';
import type { CallRecord, Ret } from '../../events/records.js';
import { lowestFree } from '../ids.js';
import { globalPasidKind, type GlobalPasidContext } from '../global/globalPasid.machine.js';
import { globalPasidHistoryKind } from '../global/globalPasidHistory.machine.js';
import { decideBy, type Check } from '../kit/checks.js';
import { defineCall, setRet } from '../kit/call.js';
import { adoptCollision, boundAtOrAbove, collisionCheck, inferredDetail } from './collision.js';
import { globalHolderFootprint } from './iommu_free_global_pasid.js';
import { deviceOf, IDA, type Env } from './reads.js';

type Owner = { dev: string | null; mm: string | null };

const EXHAUSTED: Check<Owner & { inferred?: string }> = {
  ret: IOMMU_PASID_INVALID,
  finding: 'GLOBAL_PASID_EXHAUSTED',
  detail: (o) => `no free PASID for ${o.dev ?? o.mm ?? '?'}${o.inferred ?? ''}`,
  rule: 'iommu_alloc_global_pasid: max_pasids 0 or no free PASID in [1, max_pasids - 1] → IOMMU_PASID_INVALID (§5)',
};

const COLLISION = collisionCheck('GLOBAL_PASID_COLLISION', 'ida_alloc_range never returns an allocated ID: the capture lost the free, or two owners now share the PASID (§5, #21 B8)');

const SECOND_OWNER: Check<{ pasid: number; stale: readonly string[]; owner: Owner }> = {
  finding: 'GLOBAL_PASID_SECOND_OWNER',
  detail: (r) => `PASID ${r.pasid} goes to ${r.owner.dev ?? r.owner.mm ?? '?'} while still attached in group ${r.stale.join(', ')} of its earlier owner`,
  rule: 'iommu_free_global_pasid checks no attachment, so ida_alloc_range hands the still-attached PASID to the next caller (§5.1, #21 B7)',
};

/** The holder a top-level allocation names (its thread); inside another call the owner object is enough. */
const holderOf = (rec: CallRecord | undefined) => (rec !== undefined && rec.fn === 'iommu_alloc_global_pasid' && rec.parent === undefined ? `tid:${rec.tid}` : undefined);

/**
 * ida_alloc_range(&iommu_global_pasid_ida, 1, maxPasids - 1) for a device or an mm; returns the
 * PASID or null. `maxPasids` null = unknown (the device was probed before the capture).
 */
export function allocGlobalPasid(
  env: Env & { rec?: CallRecord },
  owner: Owner,
  maxPasids: number | null,
  recorded: Ret | undefined,
  rangeDev: string | null = owner.dev,
): number | null {
  const { w, d } = env;
  const max = maxPasids === null ? PASID_MAX : maxPasids - 1;
  const taken = (id: number) => w.has(globalPasidKind.id, String(id));
  const predicted = max >= 1 ? lowestFree(w, IDA, 1, max, taken) : null;
  const fits = typeof recorded === 'number' && recorded >= 1 && recorded <= max;
  const pasid = fits ? (recorded as number) : predicted;
  if (pasid === null || (recorded === IOMMU_PASID_INVALID && maxPasids === null && rangeDev !== null && inferBound(env, rangeDev, predicted))) {
    const inferred = pasid === null || predicted === null ? undefined : inferredDetail(predicted);
    decideBy(d, EXHAUSTED, { ...owner, inferred }, owner);
    if (inferred !== undefined && rangeDev !== null && predicted !== null) w.emit(d, { type: 'DeviceMaxPasidsInferred', dev: rangeDev, max_pasids: predicted });
    return null;
  }
  const held = taken(pasid) ? w.get(globalPasidKind, String(pasid), { pasid }).context : null;
  if (held !== null) adoptCollision(d, COLLISION, { what: `PASID ${pasid}`, to: owner.dev ?? owner.mm ?? '?', held: held.dev ?? held.mm ?? '?' }, pasid, owner);
  else setRet(d, predicted ?? IOMMU_PASID_INVALID, 'iommu_alloc_global_pasid: lowest free PASID in [1, max_pasids - 1] (ida_alloc_range, §5)');
  const stale = w.get(globalPasidHistoryKind, String(pasid), { pasid }).context.stale;
  if (stale.length > 0) decideBy(d, SECOND_OWNER, { pasid, stale, owner }, owner);
  const holder = holderOf(env.rec);
  w.emit(d, { type: 'GlobalPasidAllocated', pasid, dev: owner.dev, mm: owner.mm, ...(holder === undefined ? {} : { holder }) });
  return pasid;
}

/**
 * #21 B11: the recorded exhaustion fits the IDA when every PASID below the predicted one is held and
 * the device was never given a PASID at or above it (max_pasids is then at most the predicted one).
 */
function inferBound({ w }: Env, dev: string, predicted: number | null): boolean {
  if (predicted === null) return false;
  // Why: a scan at the (rare) inference only, so the device keeps no PASID numbers (the explorer's value symmetry).
  for (const [, s] of w.entriesOf<GlobalPasidContext>(globalPasidKind.id)) if (s.context.dev === dev && s.context.pasid >= predicted) return false;
  return !boundAtOrAbove(w, dev, predicted);
}

export default defineCall({
  fn: 'iommu_alloc_global_pasid',
  exists: [{ since: '6.6' }],
  existsFollows: ['globalPasids'],
  raises: ['GLOBAL_PASID_EXHAUSTED', 'GLOBAL_PASID_COLLISION', 'GLOBAL_PASID_SECOND_OWNER'],
  // Why: an exhaustion of a device whose max_pasids is unknown writes the inferred bound (#21 B11).
  footprint: (rec) => ({ reads: [], writes: ['ida', 'gpasid:*', `dev:${rec.args.dev}`, ...globalHolderFootprint(rec)] }),
  decide: (c) => {
    const dev = deviceOf(c.w, c.rec.args.dev).context;
    allocGlobalPasid(c, { dev: c.rec.args.dev, mm: null }, dev.maxPasids, c.rec.ret);
  },
});
