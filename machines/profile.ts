/**
 * Kernel-era profiles: the trace header's kernel version selects the rules. A profile is data the
 * machines' guards read (flags and limits), never a copy of the machines. Pure.
 * Era boundaries follow the semantics doc's version map, corrected where we read the kernel's pull
 * requests (each flag's comment names the release and commit that settled it).
 */
import type { CallName } from '../events/records.js';
import { callsOf } from './calls/index.js';
import { compareVersions, inAnyRange, parseKernelVersion, type KernelVersion, type VersionRange } from './kit/version.js';

export { parseKernelVersion, type KernelVersion } from './kit/version.js';

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
  /** The calls that exist in this kernel (each call's `exists`, machines/calls/). */
  readonly calls: ReadonlySet<CallName>;
}

type FlagName = Exclude<keyof Profile, 'era' | 'kernel' | 'major' | 'minor' | 'calls'>;

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

/**
 * The era table: every flag the rules read, with the releases it holds in, the commit that settled
 * the boundary and the section of the semantics doc. The profile of a kernel is this table evaluated
 * at its version; the calls that exist come from each call's own `exists` (machines/calls/).
 */
export const FLAGS: { readonly [K in FlagName]: { readonly in: readonly VersionRange[]; readonly commit: string; readonly doc: string } } = {
  ioasid: { in: [{ until: '6.4' }], commit: '99b5726b4423 removed ioasid.c', doc: '§1' },
  ioasidRefcount: { in: [{ since: '5.11', until: '5.18' }], commit: 'cb4789b0d19f ioasid_get; 5.18 one PASID per mm', doc: '§1.7' },
  svaPasidUntilMmExit: { in: [{ since: '5.18' }], commit: '701fac40384f mm_pasid_drop', doc: '§3.3' },
  svaOverflowOffByOne: { in: [{ since: '5.11', until: '6.4' }], commit: 'iommu_sva_alloc_pasid `pasid >= max`; fixed in v6.4', doc: '§3.2' },
  svaSingletonGroup: { in: [{ since: '5.11', until: '6.2' }], commit: 'iommu_sva_bind_device group check', doc: '§3.1' },
  svaDomains: { in: [{ since: '6.2' }], commit: 'SVA domains', doc: '§3.4' },
  svaZeroMaxPasidsEopnotsupp: { in: [{ since: '6.2', until: '6.6' }], commit: 'iommu_sva_bind_device !max_pasids', doc: '§3.4' },
  globalPasids: { in: [{ since: '6.6' }], commit: 'iommu_alloc_global_pasid', doc: '§5' },
  svaDomainPerMm: { in: [{ since: '6.8' }], commit: 'one SVA domain per mm', doc: '§3.5' },
  svaHandleRefcount: { in: [{ since: '6.8' }], commit: '65d4418c5002 restore SVA handle sharing (not in v6.8-rc1..rc5)', doc: '§3.5' },
  attachHandles: { in: [{ since: '6.11' }], commit: '14678219cf40 attach handles', doc: '§3.5 §4.2' },
  attachChecksPasidZero: { in: [{ since: '6.9' }], commit: 'c404f55c26fc', doc: '§4.1' },
  attachChecksMaxPasids: { in: [{ since: '6.9' }], commit: 'c404f55c26fc', doc: '§4.1' },
  detachWarnsOnMismatch: { in: [{ until: '6.11' }], commit: '14678219cf40 removed the WARN', doc: '§4.2' },
  removeDevPasidGetsDomain: { in: [{ since: '6.10' }], commit: '97e57733d8e3', doc: '§4.2' },
  replace: { in: [{ since: '6.15' }], commit: '8a9e1e773f60 iommu_replace_device_pasid', doc: '§4.3' },
  resetBlocksAttach: { in: [{ since: '6.18' }], commit: 'group->resetting_domain (first release not confirmed)', doc: '§4.1' },
  vcmdAllocator: { in: [{ since: '5.8', until: '6.4' }], commit: '3375303e8287 VT-d vcmd allocator', doc: '§2' },
};

/** v6.8-rc1..rc5 lack the handle-sharing fix (A27): the one flag with a release-candidate boundary. */
const HANDLE_SHARING_FIX = { major: 6, minor: 8, rc: 6 } as const;

/** The oldest and newest kernels this model covers. */
export const OLDEST_SUPPORTED: KernelVersion = { major: 5, minor: 5, rc: null };

/** Builds the profile of a kernel version string; null when it is not a version or predates v5.5. */
export function profileFor(kernel: string): Profile | null {
  const v = parseKernelVersion(kernel);
  if (!v || compareVersions(v, { ...OLDEST_SUPPORTED, rc: 0 }) < 0) return null;
  const flags = {} as Record<FlagName, boolean>;
  for (const name of Object.keys(FLAGS) as FlagName[]) flags[name] = inAnyRange(v, FLAGS[name].in);
  if (v.major === 6 && v.minor === 8 && v.rc !== null && v.rc < HANDLE_SHARING_FIX.rc) flags.svaHandleRefcount = false;
  return { era: eraOf(v), kernel, major: v.major, minor: v.minor, ...flags, calls: callsOf(v) };
}
