/**
 * One number of the global PASID IDA (iommu_global_pasid_ida, v6.4+; the kAPI from v6.6): free or
 * allocated, to a device (kernel DMA with PASID) or to an mm (SVA). Counts attachments so a free
 * before detach is caught (A40). `free` is not stored. Pure.
 */
import { decide } from '../kit/outcome.js';
import { defineObjectKind, type ModelEvent } from '../kit/object.js';

export interface GlobalPasidContext {
  readonly pasid: number;
  readonly dev: string | null;
  readonly mm: string | null;
  readonly attachments: number;
}

export type GlobalPasidEvent =
  /** `exhausted`: no PASID in the caller's range is free (or max_pasids is 0). */
  | (ModelEvent & { type: 'ALLOC'; dev: string | null; mm: string | null; exhausted: boolean })
  /**
   * `covered`: attachments already reported by the caller as another finding (mm_pasid_drop with
   * live SVA bonds reports MM_EXIT_WITH_BONDS; one attachment per bond), so A40 counts only the rest.
   */
  | (ModelEvent & { type: 'FREE'; invalid: boolean; covered: number })
  | (ModelEvent & { type: 'ATTACHED' })
  | (ModelEvent & { type: 'DETACHED' })
  /** End of trace; `ownedByLiveMm`: the PASID of an mm that has not exited (freed at its exit, not a leak). */
  | (ModelEvent & { type: 'END'; ownedByLiveMm: boolean });

const COUNTERS = {
  ATTACHED: { actions: ['attach', decide({ rule: 'the PASID got a domain on some device' })] },
  DETACHED: { actions: ['detach', decide({ rule: 'the PASID lost a domain on some device' })] },
} as const;

export const globalPasidKind = defineObjectKind<GlobalPasidContext, GlobalPasidEvent, { pasid: number }>({
  id: 'globalPasid',
  initial: 'free',
  absent: 'free',
  context: ({ pasid }) => ({ pasid, dev: null, mm: null, attachments: 0 }),
  states: {
    free: {
      on: {
        ALLOC: [
          { guard: 'isExhausted', actions: decide({ ret: 'IOMMU_PASID_INVALID', finding: 'GLOBAL_PASID_EXHAUSTED', rule: 'iommu_alloc_global_pasid: max_pasids 0 or no free PASID in [1, max_pasids - 1] → IOMMU_PASID_INVALID (§5)' }) },
          { target: 'allocated', actions: ['own', decide({ fact: 'GlobalPasidAllocated', rule: 'ida_alloc_range(&iommu_global_pasid_ida, 1, max_pasids - 1): lowest free (§5)' })] },
        ],
        FREE: [
          { guard: 'isInvalid', actions: decide({ ret: null, finding: 'GLOBAL_PASID_FREE_INVALID', rule: 'iommu_free_global_pasid: WARN_ON(pasid == IOMMU_PASID_INVALID) (§5)' }) },
          { actions: decide({ ret: null, finding: 'GLOBAL_PASID_DOUBLE_FREE', rule: 'ida_free of an unallocated ID: WARN "ida_free called for id=%d which is not allocated" (v6.7+; v6.6.0 may oops, fixed by af73483f4e8b) (§5)' }) },
        ],
        // Why: a PASID the IDA did not hand out (iommufd user PASIDs, a capture that began late) is not ours to count.
        ATTACHED: { actions: decide({ rule: 'PASID not from the global allocator' }) },
        DETACHED: { actions: decide({ rule: 'PASID not from the global allocator' }) },
        END: { actions: decide({ rule: 'free' }) },
      },
    },
    allocated: {
      on: {
        ALLOC: { actions: decide({ rule: 'the IDA never hands out an allocated ID' }) },
        FREE: [
          { guard: 'isAttached', target: 'free', actions: decide({ ret: null, fact: 'GlobalPasidFreed', finding: 'GLOBAL_PASID_FREE_ATTACHED', rule: 'iommu_free_global_pasid does not check attachments: the number can be handed out again while still attached (§5.1, A40)' }) },
          { target: 'free', actions: decide({ ret: null, fact: 'GlobalPasidFreed', rule: 'iommu_free_global_pasid: ida_free (§5)' }) },
        ],
        ...COUNTERS,
        END: [
          { guard: 'isOwnedByLiveMm', actions: decide({ rule: 'an SVA PASID stays with its mm until exit (§3.5)' }) },
          { actions: decide({ finding: 'GLOBAL_PASID_LEAKED', rule: 'allocated and never freed by the end of the trace (A6, §5)' }) },
        ],
      },
    },
  },
  guards: {
    isExhausted: ({ event }) => event.type === 'ALLOC' && event.exhausted,
    isInvalid: ({ event }) => event.type === 'FREE' && event.invalid,
    isAttached: ({ context, event }) => context.attachments > (event.type === 'FREE' ? event.covered : 0),
    isOwnedByLiveMm: ({ event }) => event.type === 'END' && event.ownedByLiveMm,
  },
  updates: {
    own: (c, e) => (e.type === 'ALLOC' ? { ...c, dev: e.dev, mm: e.mm, attachments: 0 } : c),
    attach: (c) => ({ ...c, attachments: c.attachments + 1 }),
    detach: (c) => ({ ...c, attachments: Math.max(0, c.attachments - 1) }),
  },
  facts: {
    GlobalPasidAllocated: (_e, _b, a) => ({ type: 'GlobalPasidAllocated', pasid: a.pasid, dev: a.dev, mm: a.mm }),
    GlobalPasidFreed: (_e, b) => ({ type: 'GlobalPasidFreed', pasid: b.pasid }),
  },
  details: {
    GLOBAL_PASID_FREE_ATTACHED: (_e, c) => `PASID ${c.pasid} is still attached to ${c.attachments} device slot(s)`,
    GLOBAL_PASID_DOUBLE_FREE: (_e, c) => `PASID ${c.pasid} is not allocated`,
    GLOBAL_PASID_FREE_INVALID: () => 'freed IOMMU_PASID_INVALID',
    GLOBAL_PASID_EXHAUSTED: (e) => (e.type === 'ALLOC' ? `no free PASID for ${e.dev ?? e.mm ?? '?'}` : ''),
    GLOBAL_PASID_LEAKED: (_e, c) => `PASID ${c.pasid}${c.dev ? ` of ${c.dev}` : ''} is still allocated`,
  },
});
