/**
 * The checks ioasid.c makes on one IOASID of the active allocator, per state (allocated, unknown, an
 * orphan of a retired space), shared by ioasid_alloc, ioasid_free/ioasid_put, ioasid_get,
 * ioasid_find and ioasid_set_data (§1.2–§1.9), and the allocator entry's own checks (a custom
 * allocator's failure, an unregistered head ops, §1.4, §2.3). Pure.
 */
import type { Snap } from '../kit/lifecycle.js';
import { decideBy, firstCheck, type Check } from '../kit/checks.js';
import { idSpaceKind, type IdSpaceContext } from '../ioasid/idSpace.machine.js';
import { ioasidKind, type IoasidContext } from '../ioasid/ioasid.machine.js';
import { DEFAULT_SPACE } from '../ioasid/allocatorList.machine.js';
import { ioasidKey, type Env } from './reads.js';

export type IoasidSnap = Snap<IoasidContext>;

/** The IOASID `id` as the active space `space` holds it (unallocated when unknown). */
export const ioasidOf = (env: Env, space: string, id: number): IoasidSnap => env.w.get(ioasidKind, ioasidKey(space, id), { space, ioasid: id });

const notIn = (s: IoasidSnap) => `IOASID ${s.context.ioasid} is not allocated in ${s.context.space}`;
const ORPHAN = 'orphans are unreachable';
const isAllocated = (s: IoasidSnap) => s.value === 'allocated';
const isOrphan = (s: IoasidSnap) => s.value === 'orphaned';

export interface ReleaseReads {
  readonly s: IoasidSnap;
  /** The space's free helper is intel_vcmd_ioasid_free (it asks ioasid_find first, §2.5). */
  readonly vcmd: boolean;
  /** The seq of the release that freed this number last and nothing re-allocated it since (null: never seen released). */
  readonly releasedAt: number | null;
}

const FREE_RULE = 'ioasid_free: not in the active allocator → pr_err "Trying to free unknown IOASID", no-op (§1.6)';
const released = (put: boolean) => (r: ReleaseReads) =>
  `IOASID ${r.s.context.ioasid} (${r.s.context.space}) was already released at seq ${String(r.releasedAt)}${put ? ' (refcount already 0)' : ''}`;
const activePrivate = (r: ReleaseReads) => `IOASID ${r.s.context.ioasid} still has private data ${r.s.context.private}`;

/** ioasid_free (§1.6); `then: 'free'` when the ID is freed. */
export const FREE: readonly Check<ReleaseReads, 'free'>[] = [
  { when: (r) => isOrphan(r.s), ret: null, finding: 'IOASID_FREE_UNKNOWN', detail: (r) => `IOASID ${r.s.context.ioasid} is not allocated in the active allocator (${r.s.context.space})`, rule: FREE_RULE },
  { when: (r) => !isAllocated(r.s) && r.releasedAt !== null, ret: null, finding: 'IOASID_DOUBLE_FREE', detail: released(false), rule: 'ioasid_free of an ID already released: the same pr_err "Trying to free unknown IOASID" as for an ID never allocated (§1.6)' },
  { when: (r) => !isAllocated(r.s), ret: null, finding: 'IOASID_FREE_UNKNOWN', detail: (r) => `IOASID ${r.s.context.ioasid} is not allocated in the active allocator (${r.s.context.space})`, rule: FREE_RULE },
  { when: (r) => r.vcmd && r.s.context.private !== null, ret: null, finding: 'VTD_VCMD_FREE_ACTIVE', detail: activePrivate, rule: 'intel_vcmd_ioasid_free: ioasid_find still finds private data → pr_alert "Cannot free active IOASID", host PASID kept (§2.5)', then: 'free' },
  { ret: null, rule: 'ioasid_free: found in the active allocator → freed (§1.6)', then: 'free' },
];

/** ioasid_put (§1.7): `then: 'free'` when the last reference goes, 'unref' otherwise. */
export const PUT: readonly Check<ReleaseReads, 'free' | 'unref'>[] = [
  { when: (r) => isOrphan(r.s), ret: false, finding: 'IOASID_PUT_UNKNOWN', detail: (r) => `${notIn(r.s)} (refcount already 0)`, rule: ORPHAN },
  { when: (r) => !isAllocated(r.s) && r.releasedAt !== null, ret: false, finding: 'IOASID_DOUBLE_FREE', detail: released(true), rule: 'ioasid_put of an ID already released: pr_err, returns false (§1.7)' },
  { when: (r) => !isAllocated(r.s), ret: false, finding: 'IOASID_PUT_UNKNOWN', detail: (r) => `${notIn(r.s)} (refcount already 0)`, rule: 'ioasid_put: unknown ID → pr_err, returns false (§1.7)' },
  {
    // Why: ioasid_put frees through the same ops->free as ioasid_free, so intel_vcmd_ioasid_free's ioasid_find check applies at refcount 0 too (§1.7, §2.5, A18).
    when: (r) => r.vcmd && r.s.context.refs <= 1 && r.s.context.private !== null,
    ret: true,
    finding: 'VTD_VCMD_FREE_ACTIVE',
    detail: activePrivate,
    rule: 'ioasid_put → intel_vcmd_ioasid_free: ioasid_find still finds private data → pr_alert "Cannot free active IOASID", host PASID kept (§1.7, §2.5)',
    then: 'free',
  },
  { when: (r) => r.s.context.refs <= 1, ret: true, rule: 'ioasid_put: the last reference frees the ID and returns true (§1.7)', then: 'free' },
  { ret: false, rule: 'ioasid_put: refcount_dec_and_test false → returns false (§1.7)', then: 'unref' },
];

/** ioasid_get (§1.7). */
export const GET: readonly Check<IoasidSnap, 'ref'>[] = [
  { when: (s) => !isAllocated(s), ret: null, finding: 'IOASID_GET_UNKNOWN', detail: notIn, rule: 'ioasid_get: unknown ID → WARN_ON(1), no reference taken (§1.7)' },
  { ret: null, rule: 'ioasid_get: refcount_inc (§1.7)', then: 'ref' },
];

/** ioasid_set_data (§1.9). */
export const SET_DATA: readonly Check<IoasidSnap, 'set'>[] = [
  { when: (s) => !isAllocated(s), ret: '-ENOENT', finding: 'IOASID_SET_DATA_UNKNOWN', detail: notIn, rule: 'ioasid_set_data: unknown ID → -ENOENT (§1.9)' },
  { ret: 0, rule: 'ioasid_set_data: found → private replaced, returns 0 (§1.9)', then: 'set' },
];

export interface FindReads {
  readonly s: IoasidSnap;
  readonly set: string | null;
}
const findMiss = (r: FindReads) =>
  r.s.context.refs > 0 ? `IOASID ${r.s.context.ioasid} belongs to set ${r.s.context.set ?? 'NULL'}, looked up with ${r.set}` : notIn(r.s);

/** ioasid_find (§1.8): `then: 'found'` returns the private data. */
export const FIND: readonly Check<FindReads, 'found'>[] = [
  { when: (r) => !isAllocated(r.s), ret: '-ENOENT', finding: 'IOASID_FIND_MISS', detail: findMiss, rule: 'ioasid_find: unknown ID → ERR_PTR(-ENOENT) (§1.8)' },
  { when: (r) => r.set !== null && r.set !== r.s.context.set, ret: '-EACCES', finding: 'IOASID_FIND_MISS', detail: findMiss, rule: 'ioasid_find: the ID belongs to another set → ERR_PTR(-EACCES) (§1.8)' },
  { rule: 'ioasid_find: returns the private data (§1.8)', then: 'found' },
];

export interface AllocReads {
  readonly s: IoasidSnap;
  /** The number is still held as an orphan of a retired space (A10). */
  readonly orphanAliased: boolean;
}

/** ioasid_alloc of a chosen number: `then: 'allocate'` when the framework tracks it (xa_alloc succeeded). */
export const ALLOC: readonly Check<AllocReads, 'allocate'>[] = [
  { when: (r) => isOrphan(r.s), ret: 'INVALID_IOASID', rule: ORPHAN },
  {
    when: (r) => isAllocated(r.s),
    ret: 'INVALID_IOASID',
    finding: 'IOASID_ALLOC_FAILED',
    detail: (r) => `IOASID ${r.s.context.ioasid} is already allocated in ${r.s.context.space}`,
    rule: 'ioasid_alloc: the custom allocator returned an ID the framework already tracks → xa_alloc fails, ops->free, INVALID_IOASID (§1.5)',
  },
  {
    when: (r) => r.orphanAliased,
    finding: 'IOASID_DUPLICATE_IN_USE',
    detail: (r) => `IOASID ${r.s.context.ioasid} handed out by ${r.s.context.space} while an orphan with the same number is still held`,
    rule: 'ioasid_alloc hands out the lowest free ID of the active space, blind to orphans of retired spaces (§1.4 rule 5)',
    then: 'allocate',
  },
  { rule: 'ioasid_alloc: the active allocator hands out an ID in [min, max] (§1.5)', then: 'allocate' },
];

export interface AllocFailedReads {
  readonly space: string;
  /** A custom allocator refused (e.g. the VT-d host out of PASIDs), not the default xarray. */
  readonly hostFailure: boolean;
  /** intel_vcmd_ioasid_alloc's `min < PASID_MIN` test. */
  readonly belowPasidMin: boolean;
  /** The bound a recorded exhaustion showed, when the range's top was unknown (#21 B11). */
  readonly inferred?: string;
}

/** No ID could be handed out: the range is full (default) or the custom allocator refused (§1.2, §1.5, §2.3, §2.4). */
export const ALLOC_FAILED: readonly Check<AllocFailedReads>[] = [
  { when: (r) => r.belowPasidMin, ret: 'INVALID_IOASID', finding: 'IOASID_ALLOC_FAILED', detail: (r) => `${r.space} handed out no ID`, rule: 'intel_vcmd_ioasid_alloc: min < PASID_MIN (1) → INVALID_IOASID before asking the host (§2.3)' },
  { when: (r) => r.hostFailure, ret: 'INVALID_IOASID', finding: 'IOASID_ALLOC_FAILED', detail: (r) => `${r.space} handed out no ID${r.inferred ?? ''}`, rule: 'ioasid_alloc: the custom allocator (VT-d vcmd: host out of PASIDs, -ENOSPC) returned INVALID_IOASID → pr_err (§2.4, A17)' },
  { ret: 'INVALID_IOASID', finding: 'IOASID_ALLOC_FAILED', detail: (r) => `${r.space} handed out no ID${r.inferred ?? ''}`, rule: 'ioasid_alloc: xa_alloc found no free ID in [min, max] → INVALID_IOASID (§1.2, §1.5)' },
];

interface OpsUse {
  readonly entry: Snap<IdSpaceContext>;
  readonly what: 'alloc' | 'free';
}

const OPS_USED: readonly Check<OpsUse>[] = [
  {
    when: (r) => r.entry.value === 'live' && r.entry.context.headGone === true && r.entry.context.members.length > 0,
    finding: 'ALLOCATOR_OPS_USE_AFTER_UNREGISTER',
    detail: (r) => `ioasid_${r.what} calls ${r.entry.context.head}'s ${r.entry.context.alloc}/${r.entry.context.free} with its pdata; ${r.entry.context.head} was unregistered (sharers: ${r.entry.context.members.join(', ')})`,
    rule: 'ioasid_alloc/ioasid_free call pallocator->ops, never re-pointed when its head ops was unregistered (VT-d: the ops lives in the removed unit, §1.4)',
  },
  { rule: "the entry's ops is registered" },
];

/** A12/B4: ioasid_alloc and a freeing ioasid_free/put call the entry's ops — which may be an unregistered head (§1.4). */
export function noteOpsUse({ w, d }: Env, space: string, what: 'alloc' | 'free'): void {
  if (space === DEFAULT_SPACE) return;
  const r: OpsUse = { entry: w.get(idSpaceKind, space, { space }), what };
  decideBy(d, firstCheck(OPS_USED, r), r, {}, { setsRet: false });
}
