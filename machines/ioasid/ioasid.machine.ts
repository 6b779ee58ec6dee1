/**
 * One IOASID in one ID space (ioasid.c, v5.5–v6.3): allocated with private data and, in v5.11–v5.17,
 * a refcount; freed; or orphaned when its allocator was unregistered with it outstanding.
 * `unallocated` is not stored: every call on an unknown ID lands there. Pure.
 */
import { decide } from '../kit/outcome.js';
import { defineObjectKind, type ModelEvent } from '../kit/object.js';

export interface IoasidContext {
  readonly space: string;
  readonly ioasid: number;
  readonly set: string | null;
  readonly private: string | null;
  readonly refs: number;
}

export type IoasidEvent =
  | (ModelEvent & { type: 'ALLOC'; set: string | null; private: string | null; orphanAliased: boolean })
  /** `releasedAt`: the seq of the release that freed this number last and nothing re-allocated it since (null: never seen released). */
  | (ModelEvent & { type: 'FREE'; vcmd: boolean; releasedAt?: number | null })
  | (ModelEvent & { type: 'GET' })
  | (ModelEvent & { type: 'PUT'; vcmd: boolean; releasedAt?: number | null })
  | (ModelEvent & { type: 'SET_DATA'; data: string | null })
  | (ModelEvent & { type: 'FIND'; set: string | null })
  | (ModelEvent & { type: 'ORPHAN' })
  /** End of trace; `ownedByMm`: an SVA PASID of a live mm (freed at mm exit, v5.18+), not a leak. */
  | (ModelEvent & { type: 'END'; ownedByMm: boolean });

export interface IoasidInput {
  readonly space: string;
  readonly ioasid: number;
}

const FREE_RULE = 'ioasid_free: not in the active allocator → pr_err "Trying to free unknown IOASID", no-op (§1.6)';
const ids = (c: IoasidContext) => ({ space: c.space, ioasid: c.ioasid });

export const ioasidKind = defineObjectKind<IoasidContext, IoasidEvent, IoasidInput>({
  id: 'ioasid',
  initial: 'unallocated',
  absent: 'unallocated',
  context: ({ space, ioasid }) => ({ space, ioasid, set: null, private: null, refs: 0 }),
  states: {
    unallocated: {
      on: {
        ALLOC: [
          {
            guard: 'aliasesOrphan',
            target: 'allocated',
            actions: ['allocate', decide({ fact: 'IoasidAllocated', finding: 'IOASID_DUPLICATE_IN_USE', rule: 'ioasid_alloc hands out the lowest free ID of the active space, blind to orphans of retired spaces (§1.4 rule 5)' })],
          },
          { target: 'allocated', actions: ['allocate', decide({ fact: 'IoasidAllocated', rule: 'ioasid_alloc: the active allocator hands out an ID in [min, max] (§1.5)' })] },
        ],
        FREE: [
          { guard: 'wasReleased', actions: decide({ ret: null, finding: 'IOASID_DOUBLE_FREE', rule: 'ioasid_free of an ID already released: the same pr_err "Trying to free unknown IOASID" as for an ID never allocated (§1.6)' }) },
          { actions: decide({ ret: null, finding: 'IOASID_FREE_UNKNOWN', rule: FREE_RULE }) },
        ],
        PUT: [
          { guard: 'wasReleased', actions: decide({ ret: false, finding: 'IOASID_DOUBLE_FREE', rule: 'ioasid_put of an ID already released: pr_err, returns false (§1.7)' }) },
          { actions: decide({ ret: false, finding: 'IOASID_PUT_UNKNOWN', rule: 'ioasid_put: unknown ID → pr_err, returns false (§1.7)' }) },
        ],
        GET: { actions: decide({ ret: null, finding: 'IOASID_GET_UNKNOWN', rule: 'ioasid_get: unknown ID → WARN_ON(1), no reference taken (§1.7)' }) },
        SET_DATA: { actions: decide({ ret: '-ENOENT', finding: 'IOASID_SET_DATA_UNKNOWN', rule: 'ioasid_set_data: unknown ID → -ENOENT (§1.9)' }) },
        FIND: { actions: decide({ ret: '-ENOENT', finding: 'IOASID_FIND_MISS', rule: 'ioasid_find: unknown ID → ERR_PTR(-ENOENT) (§1.8)' }) },
        ORPHAN: { actions: decide({ rule: 'nothing to orphan' }) },
        END: { actions: decide({ rule: 'not allocated' }) },
      },
    },
    allocated: {
      on: {
        ALLOC: { actions: decide({ ret: 'INVALID_IOASID', finding: 'IOASID_ALLOC_FAILED', rule: 'ioasid_alloc: the custom allocator returned an ID the framework already tracks → xa_alloc fails, ops->free, INVALID_IOASID (§1.5)' }) },
        FREE: [
          { guard: 'isVcmdWithPrivate', target: 'unallocated', actions: decide({ ret: null, fact: 'IoasidFreed', finding: 'VTD_VCMD_FREE_ACTIVE', rule: 'intel_vcmd_ioasid_free: ioasid_find still finds private data → pr_alert "Cannot free active IOASID", host PASID kept (§2.5)' }) },
          { target: 'unallocated', actions: decide({ ret: null, fact: 'IoasidFreed', rule: 'ioasid_free: found in the active allocator → freed (§1.6)' }) },
        ],
        GET: { actions: ['ref', decide({ ret: null, fact: 'IoasidGot', rule: 'ioasid_get: refcount_inc (§1.7)' })] },
        PUT: [
          {
            // Why: ioasid_put frees through the same ops->free as ioasid_free, so intel_vcmd_ioasid_free's ioasid_find check applies at refcount 0 too (§1.7, §2.5, A18).
            guard: 'isLastRefVcmdWithPrivate',
            target: 'unallocated',
            actions: [
              'unref',
              decide({ ret: true, fact: 'IoasidPut', finding: 'VTD_VCMD_FREE_ACTIVE', rule: 'ioasid_put → intel_vcmd_ioasid_free: ioasid_find still finds private data → pr_alert "Cannot free active IOASID", host PASID kept (§1.7, §2.5)' }),
              decide({ fact: 'IoasidFreed', rule: 'ioasid_put frees at refcount 0; the framework still erases its tracking entry' }),
            ],
          },
          { guard: 'isLastRef', target: 'unallocated', actions: ['unref', decide({ ret: true, fact: 'IoasidPut', rule: 'ioasid_put: the last reference frees the ID and returns true (§1.7)' }), decide({ fact: 'IoasidFreed', rule: 'ioasid_put frees at refcount 0' })] },
          { actions: ['unref', decide({ ret: false, fact: 'IoasidPut', rule: 'ioasid_put: refcount_dec_and_test false → returns false (§1.7)' })] },
        ],
        SET_DATA: { actions: ['setData', decide({ ret: 0, fact: 'IoasidDataSet', rule: 'ioasid_set_data: found → private replaced, returns 0 (§1.9)' })] },
        FIND: [
          { guard: 'isOtherSet', actions: decide({ ret: '-EACCES', finding: 'IOASID_FIND_MISS', rule: 'ioasid_find: the ID belongs to another set → ERR_PTR(-EACCES) (§1.8)' }) },
          { actions: decide({ rule: 'ioasid_find: returns the private data (§1.8)' }) },
        ],
        ORPHAN: { target: 'orphaned', actions: decide({ fact: 'IoasidOrphaned', rule: 'ioasid_unregister_allocator: outstanding IDs of a removed allocator are orphaned (§1.4)' }) },
        END: [
          { guard: 'isOwnedByLiveMm', actions: decide({ rule: 'an SVA PASID stays with its mm until exit (§3.3, A28)' }) },
          { actions: decide({ finding: 'IOASID_LEAKED', rule: 'allocated and never freed by the end of the trace (A6)' }) },
        ],
      },
    },
    orphaned: {
      // Why: orphans sit in a retired space that no call can reach; calls land on the active space's key.
      on: {
        ALLOC: { actions: decide({ ret: 'INVALID_IOASID', rule: 'orphans are unreachable' }) },
        FREE: { actions: decide({ ret: null, finding: 'IOASID_FREE_UNKNOWN', rule: FREE_RULE }) },
        PUT: { actions: decide({ ret: false, finding: 'IOASID_PUT_UNKNOWN', rule: 'orphans are unreachable' }) },
        GET: { actions: decide({ ret: null, finding: 'IOASID_GET_UNKNOWN', rule: 'orphans are unreachable' }) },
        SET_DATA: { actions: decide({ ret: '-ENOENT', finding: 'IOASID_SET_DATA_UNKNOWN', rule: 'orphans are unreachable' }) },
        FIND: { actions: decide({ ret: '-ENOENT', finding: 'IOASID_FIND_MISS', rule: 'orphans are unreachable' }) },
        ORPHAN: { actions: decide({ rule: 'already orphaned' }) },
        END: { actions: decide({ finding: 'IOASID_ORPHANED', rule: 'orphaned by ioasid_unregister_allocator and never reachable again (§1.4 rule 3)' }) },
      },
    },
  },
  guards: {
    wasReleased: ({ event }) => (event.type === 'FREE' || event.type === 'PUT') && event.releasedAt !== undefined && event.releasedAt !== null,
    aliasesOrphan: ({ event }) => event.type === 'ALLOC' && event.orphanAliased,
    isVcmdWithPrivate: ({ context, event }) => event.type === 'FREE' && event.vcmd && context.private !== null,
    isLastRef: ({ context }) => context.refs <= 1,
    isLastRefVcmdWithPrivate: ({ context, event }) => event.type === 'PUT' && event.vcmd && context.refs <= 1 && context.private !== null,
    isOtherSet: ({ context, event }) => event.type === 'FIND' && event.set !== null && event.set !== context.set,
    isOwnedByLiveMm: ({ event }) => event.type === 'END' && event.ownedByMm,
  },
  updates: {
    allocate: (c, e) => (e.type === 'ALLOC' ? { ...c, set: e.set, private: e.private, refs: 1 } : c),
    ref: (c) => ({ ...c, refs: c.refs + 1 }),
    unref: (c) => ({ ...c, refs: c.refs - 1 }),
    setData: (c, e) => (e.type === 'SET_DATA' ? { ...c, private: e.data } : c),
  },
  facts: {
    IoasidAllocated: (_e, _b, a) => ({ type: 'IoasidAllocated', ...ids(a), set: a.set, private: a.private, refs: a.refs }),
    IoasidFreed: (_e, b) => ({ type: 'IoasidFreed', ...ids(b) }),
    IoasidGot: (_e, _b, a) => ({ type: 'IoasidGot', ...ids(a), refs: a.refs }),
    IoasidPut: (_e, b, a) => ({ type: 'IoasidPut', ...ids(b), refs: Math.max(0, a.refs) }),
    IoasidDataSet: (_e, _b, a) => ({ type: 'IoasidDataSet', ...ids(a), data: a.private }),
    IoasidOrphaned: (_e, b) => ({ type: 'IoasidOrphaned', ...ids(b) }),
  },
  details: {
    IOASID_DOUBLE_FREE: (e, c) =>
      `IOASID ${c.ioasid} (${c.space}) was already released at seq ${e.type === 'FREE' || e.type === 'PUT' ? String(e.releasedAt) : '?'}${e.type === 'PUT' ? ' (refcount already 0)' : ''}`,
    IOASID_FREE_UNKNOWN: (_e, c) => `IOASID ${c.ioasid} is not allocated in the active allocator (${c.space})`,
    IOASID_PUT_UNKNOWN: (_e, c) => `IOASID ${c.ioasid} is not allocated in ${c.space} (refcount already 0)`,
    IOASID_GET_UNKNOWN: (_e, c) => `IOASID ${c.ioasid} is not allocated in ${c.space}`,
    IOASID_SET_DATA_UNKNOWN: (_e, c) => `IOASID ${c.ioasid} is not allocated in ${c.space}`,
    IOASID_FIND_MISS: (e, c) => (e.type === 'FIND' && c.refs > 0 ? `IOASID ${c.ioasid} belongs to set ${c.set ?? 'NULL'}, looked up with ${e.set}` : `IOASID ${c.ioasid} is not allocated in ${c.space}`),
    IOASID_DUPLICATE_IN_USE: (_e, c) => `IOASID ${c.ioasid} handed out by ${c.space} while an orphan with the same number is still held`,
    VTD_VCMD_FREE_ACTIVE: (_e, c) => `IOASID ${c.ioasid} still has private data ${c.private}`,
    IOASID_ALLOC_FAILED: (_e, c) => `IOASID ${c.ioasid} is already allocated in ${c.space}`,
    IOASID_LEAKED: (_e, c) => `IOASID ${c.ioasid} (set ${c.set ?? 'NULL'}, ${c.space}) is still allocated`,
    IOASID_ORPHANED: (_e, c) => `IOASID ${c.ioasid} of retired ${c.space} is orphaned`,
  },
});
