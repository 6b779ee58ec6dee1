/**
 * An mm_struct as SVA sees it: live without a PASID, live with its PASID (assigned once on first
 * bind), exited. Decides the PASID part of iommu_sva_alloc_pasid: reuse with the range check
 * (-EOVERFLOW, A20) or allocate (§3.2–§3.5). Counts its bonds and its SVA domains (v6.8 list). Pure.
 */
import { decide } from '../kit/outcome.js';
import { defineObjectKind, type ModelEvent } from '../kit/object.js';

export interface MmContext {
  readonly mm: string;
  readonly pasid: number | null;
  readonly bonds: number;
  /** iommu_mm->sva_domains (v6.8+), in list order. */
  readonly domains: readonly string[];
  /**
   * mm_pasid_drop was recorded while bonds pinned the mm (v5.18-rc6+: impossible on the kernel, so
   * records were lost): the PASID is kept until the model's last bond of the mm goes.
   */
  readonly dropPending?: boolean;
  /** The PASID was allocated by intel_svm_bind_mm (Intel ≤ v5.13): one reference per mm, dropped with its last bond. */
  readonly intelSvm?: boolean;
}

export type MmEvent =
  | (ModelEvent & {
      type: 'NEED_PASID';
      /** The allocation range the caller asks for. */
      min: number;
      max: number;
      /** Whether iommu_sva_alloc_pasid validates [min, max] itself (≤ v6.5). */
      checkRange: boolean;
      /** Largest existing PASID the device accepts (the era's -EOVERFLOW test, off by one in v5.18–v6.3). */
      acceptMax: number;
      /** intel_svm_bind_mm (Intel ≤ v5.13): an existing PASID wider than the device is -ENOSPC ("Limited PASID width"), not -EOVERFLOW. */
      intelWidth: boolean;
    })
  | (ModelEvent & { type: 'PASID_ASSIGNED'; pasid: number; intelSvm: boolean })
  | (ModelEvent & { type: 'PASID_RELEASED' })
  | (ModelEvent & { type: 'BOND_ADDED' })
  | (ModelEvent & { type: 'BOND_REMOVED' })
  | (ModelEvent & { type: 'DOMAIN_ADDED'; domain: string })
  | (ModelEvent & { type: 'DOMAIN_REMOVED'; domain: string })
  | (ModelEvent & { type: 'EXIT' });

const COUNTERS = {
  BOND_ADDED: { actions: ['bond', decide({ rule: 'a bond of this mm' })] },
  BOND_REMOVED: { actions: ['unbond', decide({ rule: 'a bond of this mm went away' })] },
  DOMAIN_ADDED: { actions: ['addDomain', decide({ rule: 'iommu_mm->sva_domains gains a domain (v6.8)' })] },
  DOMAIN_REMOVED: { actions: ['removeDomain', decide({ rule: 'iommu_mm->sva_domains loses a domain (v6.8)' })] },
} as const;

const EXIT = [
  {
    // Why: from 2667ed10d9f0 (v5.18-rc6) mm_pasid_drop runs at __mmdrop, and every bond holds mm_count (mmu_notifier_register
    // ≤ v6.1, iommu_sva_domain_alloc's mmgrab v6.2+): a drop under live bonds means the capture lost their unbinds.
    guard: 'hasBondsAtMmdrop',
    target: 'exited',
    actions: ['keepPasidPending', decide({ ret: null, fact: 'MmExited', finding: 'MM_EXIT_WITH_BONDS', rule: 'mm_pasid_drop runs at __mmdrop (2667ed10d9f0, v5.18-rc6): live bonds pin the mm, so this drop means lost unbind records; the PASID stays with the bonds (§3.3)' })],
  },
  { guard: 'hasBonds', target: 'exited', actions: ['dropPasid', decide({ ret: null, fact: 'MmExited', finding: 'MM_EXIT_WITH_BONDS', rule: 'mm_pasid_drop at __mmput (v5.18-rc1..rc5) frees the PASID without iommu_sva_lock; live bonds keep using the number (§B.2.6)' })] },
  { target: 'exited', actions: ['dropPasid', decide({ ret: null, fact: 'MmExited', rule: 'mm_pasid_drop: the mm exits and its PASID is freed (§3.3)' })] },
] as const;

export const mmKind = defineObjectKind<MmContext, MmEvent, { mm: string }>({
  id: 'mm',
  initial: 'live',
  context: ({ mm }) => ({ mm, pasid: null, bonds: 0, domains: [] }),
  states: {
    live: {
      on: {
        NEED_PASID: [
          { guard: 'isEmptyRange', actions: decide({ ret: '-EINVAL', finding: 'SVA_BIND_BAD_RANGE', rule: 'iommu_sva_alloc_pasid: min == 0, max < min or INVALID → -EINVAL (§3.3)' }) },
          { actions: decide({ rule: 'iommu_sva_alloc_pasid: the mm has no PASID yet → allocate one (§3.2–§3.5)' }) },
        ],
        PASID_ASSIGNED: { target: 'hasPasid', actions: ['assign', decide({ fact: 'MmPasidAssigned', rule: 'mm->pasid set on first bind (§3.3)' })] },
        PASID_RELEASED: { actions: decide({ rule: 'no PASID to release' }) },
        ...COUNTERS,
        EXIT,
      },
    },
    hasPasid: {
      on: {
        NEED_PASID: [
          { guard: 'isEmptyRange', actions: decide({ ret: '-EINVAL', finding: 'SVA_BIND_BAD_RANGE', rule: 'iommu_sva_alloc_pasid: min == 0, max < min or INVALID → -EINVAL (§3.3)' }) },
          { guard: 'isPasidTooWideForIntel', actions: decide({ ret: '-ENOSPC', finding: 'SVA_BIND_PASID_OUT_OF_RANGE', rule: 'intel_svm_bind_mm (≤ v5.13): svm->pasid >= pci_max_pasids → dev_warn "Limited PASID width. Cannot use existing PASID", -ENOSPC (§3.2)' }) },
          { guard: 'isPasidOutOfRange', actions: decide({ ret: '-EOVERFLOW', finding: 'SVA_BIND_PASID_OUT_OF_RANGE', rule: "iommu_sva_alloc_pasid: the mm's PASID is outside the device's range → -EOVERFLOW (§3.2–§3.5)" }) },
          { actions: decide({ rule: 'iommu_sva_alloc_pasid: the mm keeps its PASID (§3.3)' }) },
        ],
        PASID_ASSIGNED: { actions: ['assign', decide({ fact: 'MmPasidAssigned', rule: 'mm->pasid replaced' })] },
        PASID_RELEASED: { target: 'live', actions: ['dropPasid', decide({ fact: 'MmPasidReleased', rule: 'iommu_sva_free_pasid: the last reference went with the last bond (≤ v5.17, §3.2)' })] },
        ...COUNTERS,
        EXIT,
      },
    },
    exited: {
      on: {
        NEED_PASID: { actions: decide({ finding: 'SVA_BIND_AFTER_EXIT', rule: 'iommu_sva_bind_device needs the caller to hold mm_users; a PASID allocated now is never freed (§3.3, A24)' }) },
        PASID_ASSIGNED: { actions: ['assign', decide({ fact: 'MmPasidAssigned', rule: 'a PASID given to an exited mm leaks (A24)' })] },
        PASID_RELEASED: [
          { guard: 'hasPendingDrop', actions: ['dropPasid', decide({ fact: 'MmPasidReleased', rule: '__mmdrop: the last bond unpinned the mm and its PASID is freed (2667ed10d9f0, §3.3)' })] },
          { actions: ['dropPasid', decide({ rule: 'PASID of an exited mm released' })] },
        ],
        ...COUNTERS,
        EXIT: { actions: ['dropPasid', decide({ ret: null, fact: 'MmExited', rule: 'mm_pasid_drop again: the PASID is dropped (exited mm)' })] },
      },
    },
  },
  guards: {
    isEmptyRange: ({ event }) => event.type === 'NEED_PASID' && event.checkRange && (event.min === 0 || event.max < event.min),
    isPasidTooWideForIntel: ({ context, event }) => event.type === 'NEED_PASID' && event.intelWidth && context.pasid !== null && context.pasid > event.acceptMax,
    isPasidOutOfRange: ({ context, event }) =>
      event.type === 'NEED_PASID' && context.pasid !== null && (context.pasid < event.min || context.pasid > event.acceptMax),
    hasBondsAtMmdrop: ({ context, event }) => context.bonds > 0 && event.p.mmPasidDropAtMmdrop,
    hasBonds: ({ context }) => context.bonds > 0,
    hasPendingDrop: ({ context }) => context.dropPending === true && context.pasid !== null,
  },
  updates: {
    assign: (c, e) => (e.type === 'PASID_ASSIGNED' ? { ...c, pasid: e.pasid, ...(e.intelSvm ? { intelSvm: true } : {}) } : c),
    // Why: XState's assign merges, so a key is cleared by setting it undefined, never by leaving it out.
    dropPasid: (c) => ({ ...c, pasid: null, dropPending: undefined, intelSvm: undefined }),
    keepPasidPending: (c) => ({ ...c, dropPending: true }),
    bond: (c) => ({ ...c, bonds: c.bonds + 1 }),
    unbond: (c) => ({ ...c, bonds: Math.max(0, c.bonds - 1) }),
    addDomain: (c, e) => (e.type === 'DOMAIN_ADDED' ? { ...c, domains: [...c.domains, e.domain] } : c),
    removeDomain: (c, e) => (e.type === 'DOMAIN_REMOVED' ? { ...c, domains: c.domains.filter((d) => d !== e.domain) } : c),
  },
  facts: {
    MmPasidAssigned: (_e, _b, a) => ({ type: 'MmPasidAssigned', mm: a.mm, pasid: a.pasid ?? 0 }),
    MmPasidReleased: (_e, b) => ({ type: 'MmPasidReleased', mm: b.mm, pasid: b.pasid ?? 0 }),
    MmExited: (_e, b, a) => (a.dropPending === true && a.pasid !== null ? { type: 'MmExited', mm: b.mm, keepsPasid: true } : { type: 'MmExited', mm: b.mm }),
  },
  details: {
    SVA_BIND_PASID_OUT_OF_RANGE: (e, c) => (e.type === 'NEED_PASID' ? `${c.mm} has PASID ${c.pasid}, the device accepts [${e.min}, ${e.acceptMax}]` : ''),
    SVA_BIND_BAD_RANGE: (e) => (e.type === 'NEED_PASID' ? `range [${e.min}, ${e.max}] is empty` : ''),
    SVA_BIND_AFTER_EXIT: (_e, c) => `${c.mm} has already exited`,
    MM_EXIT_WITH_BONDS: (e, c) =>
      e.p.mmPasidDropAtMmdrop
        ? `${c.mm} still has ${c.bonds} SVA bond(s) on PASID ${c.pasid}, which pin the mm: the capture lost their unbinds (or probes __mmput); the PASID is kept until the bonds go`
        : `${c.mm} still has ${c.bonds} SVA bond(s) on PASID ${c.pasid}`,
  },
});
