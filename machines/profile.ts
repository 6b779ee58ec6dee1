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

/** The IOMMU driver of the capture (header `host.iommu`), when the header says. */
export type Vendor = 'intel' | 'smmuv3' | 'amd';

/** Whether every SVA bind is refused on this kernel (x86 stable backport of 72f98ef9a4be, CVE-2025-71089). */
export type SvaDisabled = 'yes' | 'no' | 'maybe';

export interface Profile {
  readonly era: Era;
  readonly kernel: string;
  readonly major: number;
  readonly minor: number;
  /** The stable sublevel ("6.12.64" → 64), or null when the version string does not carry it (distro ABI strings). */
  readonly sublevel: number | null;
  /** The IOMMU driver from the header (`host.iommu`); null when unknown (the rules then follow the capture where vendors differ). */
  readonly vendor: Vendor | null;
  /** x86 from the header (`host.arch`); null when unknown. */
  readonly x86: boolean | null;
  /**
   * iommu_sva_bind_device returns -EOPNOTSUPP for every device (72f98ef9a4be "iommu: disable SVA when
   * CONFIG_X86 is set", stable only: 6.1.163+, 6.6.120+, 6.12.64+, 6.18.4+; mainline v6.19-rc1 re-enables
   * SVA in the same series). 'maybe' when the arch or the sublevel is unknown on an affected series.
   */
  readonly x86SvaDisabled: SvaDisabled;
  /** ioasid.c exists (v5.5–v6.3; removed by 99b5726b4423 in v6.4). */
  readonly ioasid: boolean;
  /** ioasid_get/ioasid_put refcount instead of ioasid_free (v5.11–v5.17). */
  readonly ioasidRefcount: boolean;
  /** SVA PASID lives until the last bond of the mm is unbound (≤ v5.17) or until mm exit (v5.18+). */
  readonly svaPasidUntilMmExit: boolean;
  /** Existing-PASID range check in iommu_sva_alloc_pasid is `pasid >= max` with max = max_pasids-1 (v5.18–v6.3: 701fac40384f; fixed by 4e14176ab13f in v6.4). */
  readonly svaOverflowOffByOne: boolean;
  /** iommu_sva_bind_device requires a singleton group (core check from 26b25a2b98e4, v5.2, until be51b1d6bbff, v6.2). */
  readonly svaSingletonGroup: boolean;
  /** Intel implements the sva_bind op (064a57d7ddfc, v5.8): before it no in-tree driver does, and every bind is -ENODEV. */
  readonly intelSvaBind: boolean;
  /** SMMUv3 implements the sva_bind op (32784a9562fb, v5.11). */
  readonly smmuSvaBind: boolean;
  /** Intel SVA allocates its own PASID in intel_svm_bind_mm (-ENOSPC; ≤ v5.13; 404837741416 moved it to iommu_sva_alloc_pasid in v5.14). */
  readonly intelOwnPasid: boolean;
  /** A rebind of the same (dev, mm) is decided by the vendor's bond (≤ v6.1): SMMUv3 reuses the bond before the range check. */
  readonly vendorBonds: boolean;
  /** mm_pasid_drop runs at __mmdrop (2667ed10d9f0, v5.18-rc6): a live bond pins the mm, so no drop happens under bonds. */
  readonly mmPasidDropAtMmdrop: boolean;
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
  /** iommu_attach_device_pasid rejects PASID 0 (c404f55c26fc, v6.9-rc2). */
  readonly attachChecksPasidZero: boolean;
  /** iommu_attach_device_pasid rejects pasid >= max_pasids of any group device (c404f55c26fc, v6.9-rc2). */
  readonly attachChecksMaxPasids: boolean;
  /** Group devices with max_pasids 0 are skipped in the attach check and the driver fan-out (b3f6fcd8404f, v6.15-rc7; 6.12.93+). */
  readonly attachSkipsNoPasidDevices: boolean;
  /** A failed set_dev_pasid is undone only on the devices that succeeded (c6cbe8392097, v6.10); before, on every group device. */
  readonly rollbackOnlySucceeded: boolean;
  /** set_dev_pasid receives the old domain (b45a3777ceab, v6.13). */
  readonly setDevPasidGetsOld: boolean;
  /** Removal goes through the blocked domain's set_dev_pasid; remove_dev_pasid is gone (647b7aad1949, v6.14). */
  readonly removalViaBlockedDomain: boolean;
  /** iommu_detach_device_pasid WARNs when the erased domain differs (v6.2–v6.10; removed by 14678219cf40 in v6.11). */
  readonly detachWarnsOnMismatch: boolean;
  /** remove_dev_pasid receives the old domain (v6.10, 97e57733d8e3). */
  readonly removeDevPasidGetsDomain: boolean;
  /**
   * VT-d's PASID removal returns early when the passed domain does not hold the PASID (79ea2feb917b,
   * CVE-2026-53281: v7.1, stable 7.0.10 and 6.18.33). Before it (v6.10+, when the driver is handed the
   * caller's domain) a wrong-domain detach drops a per-IOMMU reference of the wrong domain.
   */
  readonly vtdRemoveChecksDomain: boolean;
  /** iommu_replace_device_pasid exists (v6.15, 8a9e1e773f60). */
  readonly replace: boolean;
  /** PCI reset blocks attach (group->resetting_domain): c279e83953d9 introduced pci_dev_reset_iommu_prepare/done in v7.0 (its fixes went to 7.0.y, none to 6.19.y or older). */
  readonly resetBlocksAttach: boolean;
  /** The aux-domain API (iommu_aux_attach_device & co.) exists (v5.2 IOMMU pull; removed by 8652d875939b in v5.18). */
  readonly auxDomains: boolean;
  /** The VT-d vcmd custom allocator exists (v5.8, 3375303e8287, until v6.3). */
  readonly vcmdAllocator: boolean;
  /** The calls that exist in this kernel (each call's `exists`, machines/calls/). */
  readonly calls: ReadonlySet<CallName>;
}

/** A flag of the era table. */
export type FlagName = Exclude<keyof Profile, 'era' | 'kernel' | 'major' | 'minor' | 'sublevel' | 'vendor' | 'x86' | 'x86SvaDisabled' | 'calls'>;

/** A stable backport: the flag also holds on `series` from sublevel `since` on. */
interface Backport {
  readonly series: string;
  readonly since: number;
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

/**
 * The era table: every flag the rules read, with the releases it holds in, the commit that settled
 * the boundary and the section of the semantics doc. The profile of a kernel is this table evaluated
 * at its version; the calls that exist come from each call's own `exists` (machines/calls/).
 */
export const FLAGS: {
  readonly [K in FlagName]: { readonly in: readonly VersionRange[]; readonly stable?: readonly Backport[]; readonly commit: string; readonly doc: string };
} = {
  ioasid: { in: [{ until: '6.4' }], commit: '99b5726b4423 removed ioasid.c', doc: '§1' },
  ioasidRefcount: { in: [{ since: '5.11', until: '5.18' }], commit: 'cb4789b0d19f ioasid_get; 5.18 one PASID per mm', doc: '§1.7' },
  svaPasidUntilMmExit: { in: [{ since: '5.18' }], commit: '701fac40384f mm_pasid_drop', doc: '§3.3' },
  svaOverflowOffByOne: { in: [{ since: '5.18', until: '6.4' }], commit: '701fac40384f `pasid >= max` (v5.18-rc1); 4e14176ab13f `> max` (v6.4)', doc: '§3.2' },
  svaSingletonGroup: { in: [{ until: '6.2' }], commit: '26b25a2b98e4 (v5.2) group check; be51b1d6bbff removed it (v6.2)', doc: '§3.1' },
  intelSvaBind: { in: [{ since: '5.8' }], commit: '064a57d7ddfc Intel sva_bind op', doc: '§3.1' },
  smmuSvaBind: { in: [{ since: '5.11' }], commit: '32784a9562fb SMMUv3 sva_bind op', doc: '§3.1' },
  intelOwnPasid: { in: [{ until: '5.14' }], commit: '404837741416 Intel uses iommu_sva_alloc_pasid (v5.14)', doc: '§3.2' },
  vendorBonds: { in: [{ until: '6.2' }], commit: 'be51b1d6bbff SVA domains replace the vendor bonds', doc: '§3.1 §3.4' },
  mmPasidDropAtMmdrop: { in: [{ since: '5.18-rc6' }], commit: '2667ed10d9f0 mm_pasid_drop at __mmdrop', doc: '§3.3 §B.2.6' },
  svaDomains: { in: [{ since: '6.2' }], commit: 'SVA domains', doc: '§3.4' },
  svaZeroMaxPasidsEopnotsupp: { in: [{ since: '6.2', until: '6.6' }], commit: 'iommu_sva_bind_device !max_pasids', doc: '§3.4' },
  globalPasids: { in: [{ since: '6.6' }], commit: 'iommu_alloc_global_pasid', doc: '§5' },
  svaDomainPerMm: { in: [{ since: '6.8' }], commit: 'one SVA domain per mm', doc: '§3.5' },
  svaHandleRefcount: { in: [{ since: '6.8' }], commit: '65d4418c5002 restore SVA handle sharing (not in v6.8-rc1..rc5)', doc: '§3.5' },
  attachHandles: { in: [{ since: '6.11' }], commit: '14678219cf40 attach handles', doc: '§3.5 §4.2' },
  attachChecksPasidZero: { in: [{ since: '6.9-rc2' }], commit: 'c404f55c26fc', doc: '§4.1' },
  attachChecksMaxPasids: { in: [{ since: '6.9-rc2' }], commit: 'c404f55c26fc', doc: '§4.1' },
  attachSkipsNoPasidDevices: { in: [{ since: '6.15-rc7' }], stable: [{ series: '6.12', since: 93 }], commit: 'b3f6fcd8404f (6.12.y: 4c77bb95628f)', doc: '§4.1' },
  rollbackOnlySucceeded: { in: [{ since: '6.10' }], commit: 'c6cbe8392097 undo only the devices that succeeded', doc: '§4.1' },
  setDevPasidGetsOld: { in: [{ since: '6.13' }], commit: 'b45a3777ceab pass old domain to set_dev_pasid', doc: '§4.1' },
  removalViaBlockedDomain: { in: [{ since: '6.14' }], commit: '647b7aad1949 remove the remove_dev_pasid op', doc: '§4.2' },
  detachWarnsOnMismatch: { in: [{ until: '6.11' }], commit: '14678219cf40 removed the WARN', doc: '§4.2' },
  removeDevPasidGetsDomain: { in: [{ since: '6.10' }], commit: '97e57733d8e3', doc: '§4.2' },
  replace: { in: [{ since: '6.15' }], commit: '8a9e1e773f60 iommu_replace_device_pasid', doc: '§4.3' },
  vtdRemoveChecksDomain: { in: [{ since: '7.1' }], stable: [{ series: '7.0', since: 10 }, { series: '6.18', since: 33 }], commit: '79ea2feb917b VT-d returns early on a PASID the domain does not hold (CVE-2026-53281)', doc: '§4.2' },
  resetBlocksAttach: { in: [{ since: '7.0' }], commit: 'c279e83953d9 pci_dev_reset_iommu_prepare/done (v7.0)', doc: '§4.1' },
  auxDomains: { in: [{ until: '5.18' }], commit: '8652d875939b removed the aux-domain API (v5.18; added in v5.2)', doc: '§1 (C5)' },
  vcmdAllocator: { in: [{ since: '5.8', until: '6.4' }], commit: '3375303e8287 VT-d vcmd allocator', doc: '§2' },
};

/** The stable sublevels of a series at which a backport changes the rules (the era table's and the x86 SVA disable), ascending. */
export function stableSteps(series: string): number[] {
  const all = [...Object.values(FLAGS).flatMap((f) => f.stable ?? []), ...X86_SVA_DISABLED];
  return [...new Set(all.filter((b) => b.series === series).map((b) => b.since))].sort((x, y) => x - y);
}

/**
 * The stable series that took 72f98ef9a4be alone (SVA disabled on x86) and the first sublevel with it
 * (the stable shortlogs; mainline never shipped it).
 */
export const X86_SVA_DISABLED: readonly Backport[] = [
  { series: '6.1', since: 163 },
  { series: '6.6', since: 120 },
  { series: '6.12', since: 64 },
  { series: '6.18', since: 4 },
];

/**
 * The sublevel of a version string: "6.12.64" → 64, "6.12.64+deb13-amd64" → 64; null for distro ABI
 * strings that keep ".0" ("6.1.0-57-amd64", "5.15.0-91-generic"): Debian and Ubuntu put the real
 * sublevel only in `uname -v`, which a capture may record as `host.kernel_version`.
 */
export function sublevelOf(kernel: string, hostVersion?: string): number | null {
  const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?(.*)$/.exec(kernel);
  if (!m) return null;
  if (hostVersion !== undefined) {
    const h = new RegExp(`\\b${m[1]}\\.${m[2]}\\.(\\d+)`).exec(hostVersion);
    if (h) return Number(h[1]);
  }
  if (m[3] === undefined) return 0;
  const sub = Number(m[3]);
  const rest = m[4];
  if (sub === 0 && /^-\d/.test(rest)) return null;
  return sub;
}

const backported = (v: KernelVersion, sublevel: number | null, ports: readonly Backport[] | undefined) =>
  ports?.some((b) => b.series === `${v.major}.${v.minor}` && v.rc === null && sublevel !== null && sublevel >= b.since) ?? false;

function vendorOf(iommu: unknown): Vendor | null {
  if (typeof iommu !== 'string') return null;
  if (/smmu/i.test(iommu)) return 'smmuv3';
  if (/amd/i.test(iommu)) return 'amd';
  if (/intel|vt-d|dmar/i.test(iommu)) return 'intel';
  return null;
}

function x86Of(arch: unknown): boolean | null {
  if (typeof arch !== 'string') return null;
  return /x86|i[3-6]86|amd64/i.test(arch);
}

function svaDisabledOf(v: KernelVersion, sublevel: number | null, x86: boolean | null, explicit: unknown): SvaDisabled {
  if (typeof explicit === 'boolean') return explicit ? 'yes' : 'no';
  if (x86 === false || v.rc !== null) return 'no';
  const port = X86_SVA_DISABLED.find((b) => b.series === `${v.major}.${v.minor}`);
  if (port === undefined) return 'no';
  if (sublevel === null) return 'maybe';
  if (sublevel < port.since) return 'no';
  return x86 === true ? 'yes' : 'maybe';
}

/** v6.8-rc1..rc5 lack the handle-sharing fix (A27): the one flag with a release-candidate boundary. */
const HANDLE_SHARING_FIX = { major: 6, minor: 8, rc: 6 } as const;

/** The oldest and newest kernels this model covers. */
export const OLDEST_SUPPORTED: KernelVersion = { major: 5, minor: 5, rc: null };

/** Capture facts of the header the rules read: `iommu` (vendor), `arch`, `kernel_version` (uname -v), `sva_x86_disabled`. */
export type HostFacts = Readonly<Record<string, string | number | boolean>>;

/** Builds the profile of a kernel version string (and the header's host facts); null when it is not a version or predates v5.5. */
export function profileFor(kernel: string, host?: HostFacts): Profile | null {
  const v = parseKernelVersion(kernel);
  if (!v || compareVersions(v, { ...OLDEST_SUPPORTED, rc: 0 }) < 0) return null;
  const hostVersion = typeof host?.kernel_version === 'string' ? host.kernel_version : undefined;
  const sublevel = sublevelOf(kernel, hostVersion);
  const flags = {} as Record<FlagName, boolean>;
  for (const name of Object.keys(FLAGS) as FlagName[]) flags[name] = inAnyRange(v, FLAGS[name].in) || backported(v, sublevel, FLAGS[name].stable);
  if (v.major === 6 && v.minor === 8 && v.rc !== null && v.rc < HANDLE_SHARING_FIX.rc) flags.svaHandleRefcount = false;
  const x86 = x86Of(host?.arch);
  return {
    era: eraOf(v),
    kernel,
    major: v.major,
    minor: v.minor,
    sublevel,
    vendor: vendorOf(host?.iommu),
    x86,
    x86SvaDisabled: svaDisabledOf(v, sublevel, x86, host?.sva_x86_disabled),
    ...flags,
    calls: callsOf(v),
  };
}

/**
 * Another kernel's profile on the host of `like` (its IOMMU vendor and arch kept): the kernels compare
 * walks through between a trace's two, where vendor rules (which driver has sva_bind) still apply.
 */
export function profileOnHostOf(like: Profile, kernel: string): Profile | null {
  const host: Record<string, string> = {};
  if (like.vendor !== null) host.iommu = like.vendor;
  if (like.x86 !== null) host.arch = like.x86 ? 'x86_64' : 'aarch64';
  return profileFor(kernel, host);
}
