/**
 * The SVA decisions several calls share (iommu_sva_bind_device, iommu_sva_unbind_device,
 * mm_pasid_drop): the mm's PASID request of iommu_sva_alloc_pasid / intel_svm_bind_mm (§3.2–§3.5) and
 * the release of an mm's PASID. Checks in the kernel's order; the mm only evolves on the facts. Pure.
 */
import type { Snap } from '../kit/lifecycle.js';
import { decideBy, firstCheck, type Check } from '../kit/checks.js';
import { mmKind, type MmContext } from '../sva/mm.machine.js';
import type { Env } from './reads.js';

/** What iommu_sva_alloc_pasid (or intel_svm_bind_mm's own allocation) reads: the mm and the device's range. */
export interface PasidRequest {
  readonly mm: Snap<MmContext>;
  /** The allocation range the caller asks for. */
  readonly min: number;
  readonly max: number;
  /** Whether iommu_sva_alloc_pasid validates [min, max] itself (≤ v6.5). */
  readonly checkRange: boolean;
  /** Largest existing PASID the device accepts (the era's -EOVERFLOW test, off by one in v5.18–v6.3). */
  readonly acceptMax: number;
  /** intel_svm_bind_mm (Intel ≤ v5.13): an existing PASID wider than the device is -ENOSPC ("Limited PASID width"), not -EOVERFLOW. */
  readonly intelWidth: boolean;
}

const emptyRange = (r: PasidRequest) => r.checkRange && (r.min === 0 || r.max < r.min);
const BAD_RANGE = {
  when: emptyRange,
  ret: '-EINVAL',
  finding: 'SVA_BIND_BAD_RANGE',
  detail: (r) => `range [${r.min}, ${r.max}] is empty`,
  rule: 'iommu_sva_alloc_pasid: min == 0, max < min or INVALID → -EINVAL (§3.3)',
} as const satisfies Check<PasidRequest>;
const outOfRange = (r: PasidRequest) => `${r.mm.context.mm} has PASID ${r.mm.context.pasid}, the device accepts [${r.min}, ${r.acceptMax}]`;

/** iommu_sva_alloc_pasid's checks (intel_svm_bind_mm's before v5.14), in the kernel's order; `then: 'allocate'` when the mm has no PASID yet. */
const PASID_REQUEST: readonly Check<PasidRequest, 'allocate' | 'keep'>[] = [
  { when: (r) => r.mm.value === 'exited', finding: 'SVA_BIND_AFTER_EXIT', detail: (r) => `${r.mm.context.mm} has already exited`, rule: 'iommu_sva_bind_device needs the caller to hold mm_users; a PASID allocated now is never freed (§3.3, A24)', then: 'keep' },
  BAD_RANGE,
  { when: (r) => r.mm.value === 'live', rule: 'iommu_sva_alloc_pasid: the mm has no PASID yet → allocate one (§3.2–§3.5)', then: 'allocate' },
  {
    when: (r) => r.intelWidth && r.mm.context.pasid !== null && r.mm.context.pasid > r.acceptMax,
    ret: '-ENOSPC',
    finding: 'SVA_BIND_PASID_OUT_OF_RANGE',
    detail: outOfRange,
    rule: 'intel_svm_bind_mm (≤ v5.13): svm->pasid >= pci_max_pasids → dev_warn "Limited PASID width. Cannot use existing PASID", -ENOSPC (§3.2)',
  },
  {
    when: (r) => r.mm.context.pasid !== null && (r.mm.context.pasid < r.min || r.mm.context.pasid > r.acceptMax),
    ret: '-EOVERFLOW',
    finding: 'SVA_BIND_PASID_OUT_OF_RANGE',
    detail: outOfRange,
    rule: "iommu_sva_alloc_pasid: the mm's PASID is outside the device's range → -EOVERFLOW (§3.2–§3.5)",
  },
  { rule: 'iommu_sva_alloc_pasid: the mm keeps its PASID (§3.3)', then: 'keep' },
];

/** The mm's PASID request; returns the row (a failure row has a failing `ret`) and the mm it read. */
export function requestPasid({ w, d }: Env, mm: string, range: Omit<PasidRequest, 'mm'>): { row: Check<PasidRequest, 'allocate' | 'keep'>; mm: MmContext } {
  const r: PasidRequest = { mm: w.get(mmKind, mm, { mm }), ...range };
  return { row: decideBy(d, firstCheck(PASID_REQUEST, r), r, {}), mm: r.mm.context };
}

/** The mm's PASID is released (the last reference of ≤ v5.17, a pinned drop at __mmdrop): the mm forgets it. */
export function releaseMmPasid({ w, d }: Env, mm: string): void {
  const c = w.get(mmKind, mm, { mm }).context;
  if (c.pasid !== null) w.emit(d, { type: 'MmPasidReleased', mm, pasid: c.pasid });
}
