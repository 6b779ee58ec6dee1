/**
 * ioasid_alloc(set, min, max, private) — drivers/iommu/ioasid.c, v5.5–v6.3 (§1.2, §1.5): under
 * ioasid_allocator_lock, the active allocator hands out an ID in [min, max]: the default allocator
 * the lowest free (xa_alloc), a custom one what its platform (the VT-d host) answers. Pure.
 */
import { INVALID_IOASID } from '../../events/fields.js';
import type { CallRecord, CallRecordOf, Ret } from '../../events/records.js';
import { lowestFree } from '../ids.js';
import { DEFAULT_SPACE } from '../ioasid/allocatorList.machine.js';
import { ioasidKind } from '../ioasid/ioasid.machine.js';
import { decideBy, firstCheck, type Check } from '../kit/checks.js';
import { childOf, defineCall, setRet } from '../kit/call.js';
import { VCMD_SUCCESS } from './vcmdChecks.js';
import type { Footprint } from '../kit/footprint.js';
import { ALLOC, ALLOC_FAILED, ioasidOf, noteOpsUse, type AllocFailedReads, type AllocReads } from './ioasidChecks.js';
import { ioasidOwnerKind } from '../ioasid/ioasidOwner.machine.js';
import { adoptCollision, boundAtOrAbove, collisionCheck, inferredDetail } from './collision.js';
import { asNumber, holderOf, ioasidKey, listOf, PASID_MIN, spaceOf, VCMD_ALLOC, type Env } from './reads.js';

/** Every ioasid.c call reads the active allocator; an allocation may take any ID of the active space. */
export const IOASID_ANY_ID = ['space:*', 'ioasid:*/*'];
export const ioasidAllocFootprint: Footprint = { reads: ['allocators'], writes: IOASID_ANY_ID };

const COLLISION = collisionCheck('IOASID_COLLISION', 'ioasid_alloc: xa_alloc never hands out an ID it tracks: the capture lost the release, or two owners now share the ID (§1.2, §1.5, #21 B8)');

/** Who the model says holds an allocated ID: its holders (#21 B2), else its private data. */
function heldBy(env: Env, space: string, id: number): string {
  const owner = env.w.get(ioasidOwnerKind, ioasidKey(space, id), { space, ioasid: id });
  if (owner.value === 'held' && owner.context.holders.length > 0) return owner.context.holders.join(', ');
  return ioasidOf(env, space, id).context.private ?? 'an earlier allocation';
}

/**
 * ioasid_alloc in the active allocator; returns the ID, or null when the call returns INVALID_IOASID.
 * `boundOf` names the device whose unknown max_pasids the range's top stands in for (SVA, #21 B11).
 */
export function allocateIoasid(
  env: Env & { rec?: CallRecord; children?: readonly CallRecord[] },
  args: { set: string | null; min: number; max: number; private: string | null; boundOf?: string },
  recorded: Ret | undefined,
): number | null {
  const { w, d } = env;
  const list = listOf(w);
  const space = list.active;
  const taken = (id: number) => w.has(ioasidKind.id, ioasidKey(space, id));
  const vcmd = space !== DEFAULT_SPACE && spaceOf(w, space).alloc === VCMD_ALLOC;
  const belowPasidMin = vcmd && args.min < PASID_MIN;
  // The host's answer, when the capture recorded the virtual command inside this allocation (#21 C4).
  const host = vcmd && env.children !== undefined ? childOf(env.children, 'vcmd_alloc_pasid') : undefined;
  let id: number | null;
  let inferred: string | undefined;
  // B8: a recorded ID the model holds; a custom allocator's host may answer one (the framework then
  // returns INVALID_IOASID, §1.5), but a recorded *return* of it means the model lost its release.
  let collided = false;
  if (space === DEFAULT_SPACE) {
    const predicted = args.min <= args.max ? lowestFree(w, space, args.min, args.max, taken) : null;
    const fits = typeof recorded === 'number' && recorded >= args.min && recorded <= args.max;
    if (recorded === INVALID_IOASID && predicted !== null && args.boundOf !== undefined && !boundAtOrAbove(w, args.boundOf, predicted)) {
      // B11: the range's top is unknown; the recorded failure shows it lies below the predicted ID.
      id = null;
      inferred = inferredDetail(predicted);
      w.emit(d, { type: 'DeviceMaxPasidsInferred', dev: args.boundOf, max_pasids: predicted });
    } else {
      // Why: the recorded ID wins when it is a legal choice, so a capture with lost events stays in step; the prediction is still checked.
      id = fits ? (recorded as number) : predicted;
      collided = fits && taken(recorded as number);
      if (predicted !== null) setRet(d, predicted, 'ioasid_alloc: the default allocator hands out the lowest free ID in [min, max] (xa_alloc, §1.2)');
    }
  } else if (belowPasidMin) {
    // intel_vcmd_ioasid_alloc: `if (min < PASID_MIN || max > intel_pasid_max_id) return INVALID_IOASID;` (§2.3)
    id = null;
  } else if (host !== undefined) {
    // #21 C4: intel_vcmd_ioasid_alloc asked the host (vcmd_alloc_pasid); its answer is the ID, a refusal INVALID_IOASID.
    id = hostPasid(host);
    if (id !== null) setRet(d, id, 'ioasid_alloc: intel_vcmd_ioasid_alloc returns the PASID the host answered (vcmd_alloc_pasid, §1.5, §2.3)');
  } else if (recorded === INVALID_IOASID) {
    id = null;
  } else {
    // The host decides custom IDs; without a recorded one, a deterministic stand-in: the lowest free.
    id = typeof recorded === 'number' ? recorded : lowestFree(w, space, Math.max(args.min, 1), args.max, taken);
    collided = typeof recorded === 'number' && taken(recorded);
    if (id !== null) setRet(d, id, 'ioasid_alloc: a custom allocator returns what its platform (the VT-d host) hands out (§1.5)');
  }
  noteOpsUse(env, space, 'alloc');
  if (id === null) {
    // B11: a custom allocator's range is the host's, unknown by nature: its refusal is always plausible, and
    // what the capture shows of its capacity is the number of IDs this guest holds of it.
    if (space !== DEFAULT_SPACE && !belowPasidMin) inferred = `; the host's capacity reached with ${spaceOf(w, space).outstanding} ID(s) of this space held`;
    const f: AllocFailedReads = { space, hostFailure: space !== DEFAULT_SPACE, belowPasidMin, inferred };
    decideBy(d, firstCheck(ALLOC_FAILED, f), f, {});
    return null;
  }
  const holder = holderOf(env, args.private);
  if (collided) {
    adoptCollision(d, COLLISION, { what: `IOASID ${id} (${space})`, to: args.private ?? holder, held: heldBy(env, space, id) }, id, { space, ioasid: id });
    // The release the capture lost: the earlier holders become earlier ones (a later release by them is
    // stale, B2), and the number is allocated again to its new owner.
    w.emit(d, { type: 'IoasidFreed', space, ioasid: id });
    w.emit(d, { type: 'IoasidHoldersReleased', space, ioasid: id, at: env.rec?.seq ?? 0 });
  } else {
    const r: AllocReads = { s: ioasidOf(env, space, id), orphanAliased: list.orphans.includes(id) };
    if (decideBy(d, firstCheck(ALLOC, r), r, {}).then !== 'allocate') {
      if (host !== undefined && r.s.value === 'allocated') hostDuplicate(env, space, id, r.s.context.private, host.args.iommu);
      return null;
    }
  }
  w.emit(d, { type: 'IoasidAllocated', space, ioasid: id, set: args.set, private: args.private, refs: 1 });
  w.emit(d, { type: 'IoasidHolderAdded', space, ioasid: id, holder, fresh: true });
  return id;
}

/** The PASID the host answered, or null when it refused (NO_PASID_AVAIL, any other status, an errno). */
function hostPasid(host: CallRecordOf<'vcmd_alloc_pasid'>): number | null {
  const ok = host.args.status === undefined ? host.ret === 0 || host.ret === undefined : host.args.status === VCMD_SUCCESS;
  return ok && host.args.pasid !== undefined ? host.args.pasid : null;
}

/**
 * The host answered a PASID the guest's framework tracks: xa_alloc(id, id) fails, and ioasid_alloc
 * calls ops->free(id) = intel_vcmd_ioasid_free, which refuses when the tracked ID has private data
 * ("Cannot free active IOASID") and otherwise gives the PASID back to the host while its owner uses it.
 */
function hostDuplicate({ w, d }: Env, space: string, id: number, priv: string | null, iommu: string): void {
  const r = { space, id, priv, iommu };
  decideBy(d, HOST_DUPLICATE, r, { space, ioasid: id, iommu }, { setsRet: false });
  if (priv === null) d.children.push({ fn: 'vcmd_free_pasid', args: { iommu, pasid: id } });
  void w;
}

const HOST_DUPLICATE: Check<{ space: string; id: number; priv: string | null; iommu: string }> = {
  finding: 'VTD_VCMD_HOST_DUPLICATE',
  detail: (r) =>
    `the host answered PASID ${r.id}, which ${r.space} still tracks: ioasid_alloc fails and intel_vcmd_ioasid_free ` +
    (r.priv === null ? `gives PASID ${r.id} back to the host (vcmd_free_pasid) while its owner still uses it` : `refuses ("Cannot free active IOASID", private ${r.priv})`),
  rule: 'ioasid_alloc: xa_alloc of the custom ID fails → ops->free(id) → intel_vcmd_ioasid_free (§1.5, §2.5, #21 C4)',
};

export default defineCall({
  fn: 'ioasid_alloc',
  exists: [{ until: '6.4' }],
  existsFollows: ['ioasid'],
  raises: ['IOASID_ALLOC_FAILED', 'IOASID_DUPLICATE_IN_USE', 'ALLOCATOR_OPS_USE_AFTER_UNREGISTER', 'IOASID_COLLISION', 'VTD_VCMD_HOST_DUPLICATE'],
  footprint: () => ioasidAllocFootprint,
  decide: (c) => {
    const a = c.rec.args;
    allocateIoasid(c, { set: a.set, min: asNumber(a.min), max: asNumber(a.max), private: a.private }, c.rec.ret);
  },
});
