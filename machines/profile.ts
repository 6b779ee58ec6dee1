/**
 * Kernel-era profiles: the trace header's kernel version selects the rules. A profile is data the
 * machines' guards read (flags and limits), never a copy of the machines. Pure.
 * Era boundaries follow the semantics doc's version map, corrected where we read the kernel's pull
 * requests (each flag's comment names the release and commit that settled it).
 */
import type { CallName } from '../events/records.js';

export const ERAS = ['v5.5', 'v5.11', 'v5.18', 'v6.2', 'v6.6', 'v6.8', 'newest'] as const;
export type Era = (typeof ERAS)[number];

export interface Profile {
  readonly era: Era;
  readonly kernel: string;
  readonly major: number;
  readonly minor: number;
  /** ioasid.c exists (v5.5–v6.3; removed by 99b5726b4423 in v6.4). */
  readonly ioasid: boolean;
  /** ioasid_get/ioasid_put refcount instead of ioasid_free (v5.11–v5.17). */
  readonly ioasidRefcount: boolean;
  /** SVA PASID lives until the last bond of the mm is unbound (≤ v5.17) or until mm exit (v5.18+). */
  readonly svaPasidUntilMmExit: boolean;
  /** Existing-PASID range check in iommu_sva_alloc_pasid is `pasid >= max` with max = max_pasids-1 (v5.11–v6.3; fixed in v6.4). */
  readonly svaOverflowOffByOne: boolean;
  /** iommu_sva_bind_device requires a singleton group (core check v5.11–v6.1). */
  readonly svaSingletonGroup: boolean;
  /** SVA domains and iommu_attach/detach_device_pasid exist (v6.2+). */
  readonly svaDomains: boolean;
  /** bind refuses max_pasids == 0 with -EOPNOTSUPP (v6.2–v6.5); v6.6+ fails in the global allocator (-ENOSPC). */
  readonly svaZeroMaxPasidsEopnotsupp: boolean;
  /** SVA PASIDs come from the global IDA with the device's own range (v6.6+: iommu_alloc_global_pasid(dev)). */
  readonly globalPasids: boolean;
  /** One SVA domain per mm shared by devices, users = devices (v6.8+). */
  readonly svaDomainPerMm: boolean;
  /**
   * Per-handle refcount: binding the same (dev, mm) again returns the same handle. Verified: 65d4418c5002
   * "iommu/sva: Restore SVA handle sharing" landed in v6.8 final; v6.8-rc1..rc5 return -EBUSY instead (A27).
   */
  readonly svaHandleRefcount: boolean;
  /** Attach handles live in group->pasid_array (v6.11, 14678219cf40): bind fails -EBUSY when the PASID's SVA handle is another mm's. */
  readonly attachHandles: boolean;
  /** iommu_attach_device_pasid rejects PASID 0 (v6.9, c404f55c26fc). */
  readonly attachChecksPasidZero: boolean;
  /** iommu_attach_device_pasid rejects pasid >= max_pasids (v6.9, c404f55c26fc). */
  readonly attachChecksMaxPasids: boolean;
  /** iommu_detach_device_pasid WARNs when the erased domain differs (v6.2–v6.10; removed by 14678219cf40 in v6.11). */
  readonly detachWarnsOnMismatch: boolean;
  /** remove_dev_pasid receives the old domain (v6.10, 97e57733d8e3). */
  readonly removeDevPasidGetsDomain: boolean;
  /** iommu_replace_device_pasid exists (v6.15, 8a9e1e773f60). */
  readonly replace: boolean;
  /** PCI reset blocks attach (group->resetting_domain); read in very recent mainline, first release not confirmed: modelled from v6.18. */
  readonly resetBlocksAttach: boolean;
  /** The VT-d vcmd custom allocator exists (v5.8, 3375303e8287, until v6.3). */
  readonly vcmdAllocator: boolean;
  /** The calls that exist in this era. */
  readonly calls: ReadonlySet<CallName>;
}

const IOASID_CALLS: CallName[] = [
  'ioasid_register_allocator', 'ioasid_unregister_allocator', 'ioasid_alloc', 'ioasid_find', 'ioasid_set_data',
  'register_pasid_allocator', 'free_dmar_iommu',
];
const ALWAYS: CallName[] = [
  'iommu_set_root_entry', 'intel_iommu_sm_disable', 'iommu_probe_device', 'iommu_release_device',
  'iommu_domain_alloc', 'iommu_domain_free', 'iommu_sva_bind_device', 'iommu_sva_unbind_device',
];
const PASID_CALLS: CallName[] = [
  'iommu_attach_device_pasid', 'iommu_detach_device_pasid', 'iommu_sva_domain_alloc', 'set_dev_pasid', 'remove_dev_pasid',
];

export interface KernelVersion {
  readonly major: number;
  readonly minor: number;
  /** Release candidate number, or null for a release. */
  readonly rc: number | null;
}

/** Parses "6.8.0", "v6.2-rc3", "5.15.0-91-generic"; null when it is not a version. */
export function parseKernelVersion(kernel: string): KernelVersion | null {
  const m = /^v?(\d+)\.(\d+)(?:\.\d+)?(?:-rc(\d+))?/.exec(kernel);
  if (!m) return null;
  return { major: Number(m[1]), minor: Number(m[2]), rc: m[3] === undefined ? null : Number(m[3]) };
}

const atLeast = (v: KernelVersion, major: number, minor: number) => v.major > major || (v.major === major && v.minor >= minor);

export function eraOf(v: KernelVersion): Era {
  if (atLeast(v, 6, 11)) return 'newest';
  if (atLeast(v, 6, 8)) return 'v6.8';
  if (atLeast(v, 6, 6)) return 'v6.6';
  if (atLeast(v, 6, 2)) return 'v6.2';
  if (atLeast(v, 5, 18)) return 'v5.18';
  if (atLeast(v, 5, 11)) return 'v5.11';
  return 'v5.5';
}

/** The oldest and newest kernels this model covers. */
export const OLDEST_SUPPORTED: KernelVersion = { major: 5, minor: 5, rc: null };

/** Builds the profile of a kernel version string; null when it is not a version or predates v5.5. */
export function profileFor(kernel: string): Profile | null {
  const v = parseKernelVersion(kernel);
  if (!v || !atLeast(v, OLDEST_SUPPORTED.major, OLDEST_SUPPORTED.minor)) return null;
  const era = eraOf(v);
  const ioasid = !atLeast(v, 6, 4);
  const ioasidRefcount = era === 'v5.11';
  const calls = new Set<CallName>(ALWAYS);
  if (ioasid) {
    IOASID_CALLS.forEach((c) => calls.add(c));
    if (!atLeast(v, 5, 8)) ['register_pasid_allocator', 'free_dmar_iommu'].forEach((c) => calls.delete(c as CallName));
    calls.add(ioasidRefcount ? 'ioasid_get' : 'ioasid_free');
    if (ioasidRefcount) calls.add('ioasid_put');
  }
  // mm_pasid_drop exists from v5.18 (701fac40384f); before, the PASID went with the last bond.
  if (atLeast(v, 5, 18)) calls.add('mm_pasid_drop');
  if (atLeast(v, 6, 2)) PASID_CALLS.forEach((c) => calls.add(c));
  if (atLeast(v, 6, 6)) {
    calls.add('iommu_alloc_global_pasid');
    calls.add('iommu_free_global_pasid');
  }
  const replace = atLeast(v, 6, 15);
  const resetBlocksAttach = atLeast(v, 6, 18);
  if (replace) calls.add('iommu_replace_device_pasid');
  if (resetBlocksAttach) {
    calls.add('pci_dev_reset_iommu_prepare');
    calls.add('pci_dev_reset_iommu_done');
  }
  // v6.8-rc1..rc5 lack the handle-sharing fix (A27); v6.8 final has it.
  const v68rcBeforeFix = v.major === 6 && v.minor === 8 && v.rc !== null && v.rc <= 5;
  return {
    era,
    kernel,
    major: v.major,
    minor: v.minor,
    ioasid,
    ioasidRefcount,
    svaPasidUntilMmExit: atLeast(v, 5, 18),
    svaOverflowOffByOne: atLeast(v, 5, 11) && !atLeast(v, 6, 4),
    svaSingletonGroup: atLeast(v, 5, 11) && !atLeast(v, 6, 2),
    svaDomains: atLeast(v, 6, 2),
    svaZeroMaxPasidsEopnotsupp: atLeast(v, 6, 2) && !atLeast(v, 6, 6),
    globalPasids: atLeast(v, 6, 6),
    svaDomainPerMm: atLeast(v, 6, 8),
    svaHandleRefcount: atLeast(v, 6, 8) && !v68rcBeforeFix,
    attachHandles: atLeast(v, 6, 11),
    attachChecksPasidZero: atLeast(v, 6, 9),
    attachChecksMaxPasids: atLeast(v, 6, 9),
    detachWarnsOnMismatch: !atLeast(v, 6, 11),
    removeDevPasidGetsDomain: atLeast(v, 6, 10),
    replace,
    resetBlocksAttach,
    vcmdAllocator: ioasid && atLeast(v, 5, 8),
    calls,
  };
}
