/**
 * The VT-d virtual-command exchange (drivers/iommu/intel/pasid.c vcmd_alloc_pasid / vcmd_free_pasid,
 * v5.8–v6.3; the callers intel_vcmd_ioasid_alloc / intel_vcmd_ioasid_free in intel/iommu.c were
 * removed with "iommu/vt-d: Remove virtual command interface" for v6.4): the guest writes the command
 * register, polls the response register until the host clears "in progress", and maps the host's
 * status to its return, in this order. The poll itself has no error return. Pure.
 */
import type { Check } from '../kit/checks.js';

/** The host's answers the kernel's switch names (VCMD_VRSP_SC_*); anything else is "unexpected". */
export const VCMD_SUCCESS = 'SUCCESS';
export const VCMD_NO_PASID = 'NO_PASID_AVAIL';
export const VCMD_INVALID_PASID = 'INVALID_PASID';

export interface VcmdAnswer {
  readonly iommu: string;
  /** The host's status as the capture names it; undefined: the capture did not read it. */
  readonly status: string | undefined;
}

/** vcmd_alloc_pasid: SUCCESS → 0 and *pasid; NO_PASID_AVAIL → pr_info "No PASID available", -ENOSPC; else pr_warn, -ENODEV. */
export const VCMD_ALLOC_ANSWER: readonly Check<VcmdAnswer, 'pasid'>[] = [
  // Why: without the host's status the return is the host's business; the recorded one is taken.
  { when: (r) => r.status === undefined, rule: 'vcmd_alloc_pasid: the host decides (status not recorded)', then: 'pasid' },
  { when: (r) => r.status === VCMD_SUCCESS, ret: 0, rule: 'vcmd_alloc_pasid: VCMD_VRSP_SC_SUCCESS → *pasid = VCMD_VRSP_RESULT_PASID(res), 0 (§2.3)', then: 'pasid' },
  { when: (r) => r.status === VCMD_NO_PASID, ret: '-ENOSPC', rule: 'vcmd_alloc_pasid: VCMD_VRSP_SC_NO_PASID_AVAIL → pr_info "No PASID available", -ENOSPC (§2.3)' },
  {
    ret: '-ENODEV',
    finding: 'VTD_VCMD_UNEXPECTED_STATUS',
    detail: (r) => `the host answered ${r.iommu}'s PASID allocation with status ${String(r.status)}`,
    rule: 'vcmd_alloc_pasid: any other status → pr_warn "Unexpected error code", -ENODEV (§2.3)',
  },
];

/** vcmd_free_pasid returns void: SUCCESS silent; INVALID_PASID → pr_info "Invalid PASID"; else pr_warn. */
export const VCMD_FREE_ANSWER: readonly Check<VcmdAnswer & { pasid: number }>[] = [
  { when: (r) => r.status === undefined || r.status === VCMD_SUCCESS, ret: null, rule: 'vcmd_free_pasid: VCMD_VRSP_SC_SUCCESS (§2.5)' },
  {
    when: (r) => r.status === VCMD_INVALID_PASID,
    ret: null,
    finding: 'VTD_VCMD_FREE_REFUSED',
    detail: (r) => `the host does not know PASID ${r.pasid} that ${r.iommu} gave back`,
    rule: 'vcmd_free_pasid: VCMD_VRSP_SC_INVALID_PASID → pr_info "Invalid PASID" (§2.5)',
  },
  {
    ret: null,
    finding: 'VTD_VCMD_FREE_REFUSED',
    detail: (r) => `the host answered ${r.iommu}'s free of PASID ${r.pasid} with status ${String(r.status)}`,
    rule: 'vcmd_free_pasid: any other status → pr_warn "Unexpected error code" (§2.5)',
  },
];
