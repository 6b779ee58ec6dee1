/**
 * iommu_sva_bind_device(dev, mm) — drivers/iommu/iommu-sva.c (iommu-sva-lib.c before v6.2), §3: the
 * device checks (a singleton group v5.11–v6.1, max_pasids), the mm's PASID (allocated once per mm and
 * then range-checked per device), the SVA domain (v6.2+: per (dev, mm); v6.8+: one per mm shared by
 * its devices, tried newest first) and its attach, then the bond and its handle. A rebind of the same
 * (dev, mm) shares the handle (≤ v6.1 and v6.8+) or takes a new one (v6.2–v6.7). Composes the models
 * of ioasid_alloc / iommu_alloc_global_pasid, iommu_sva_domain_alloc and iommu_attach_device_pasid. Pure.
 */
import { INVALID_IOASID, IOMMU_PASID_INVALID, PASID_MAX } from '../../events/fields.js';
import type { CallName } from '../../events/records.js';
import type { Profile } from '../profile.js';
import { deviceKind, type DeviceContext } from '../device/device.machine.js';
import type { DomainContext } from '../device/domain.machine.js';
import type { PasidSlotContext } from '../device/pasidSlot.machine.js';
import { decideBy, firstCheck, type Check } from '../kit/checks.js';
import type { Snap } from '../kit/lifecycle.js';
import { freeDomain } from './iommu_domain_free.js';
import { mmKind } from '../sva/mm.machine.js';
import { sharesHandle, svaBondKind, type SvaBondContext } from '../sva/svaBond.machine.js';
import { childOf, defineCall, isFailure, modelName, recordedName, setRet, type CallContext } from '../kit/call.js';
import { union, type Footprint, slotResource } from '../kit/footprint.js';
import type { World } from '../kit/world.js';
import { allocateIoasid, ioasidAllocFootprint } from './ioasid_alloc.js';
import { getIoasid } from './ioasid_get.js';
import { ioasidReleaseFootprint } from './ioasid_free.js';
import { allocGlobalPasid } from './iommu_alloc_global_pasid.js';
import { allocDomain } from './iommu_domain_alloc.js';
import { attachPasid } from './iommu_attach_device_pasid.js';
import { bondKey, deviceOf, domainOf, ioasidKey, listOf, slotOf, SVA_SET, type Env } from './reads.js';
import { requestPasid } from './svaChecks.js';

/** The PASID allocation or release a bind, unbind or mm exit may do in this era (§3.2–§3.5). */
export function svaPasidFootprint(p: Profile): Footprint {
  if (p.ioasid) return union(ioasidAllocFootprint, ioasidReleaseFootprint('*'));
  return { reads: [], writes: ['ida', 'gpasid:*'] };
}

const NESTED: readonly CallName[] = ['ioasid_alloc', 'ioasid_get', 'iommu_alloc_global_pasid', 'iommu_sva_domain_alloc', 'iommu_attach_device_pasid', 'set_dev_pasid', 'remove_dev_pasid', 'iommu_domain_free'];

/**
 * The PASID range of a device for SVA, and the largest existing PASID it accepts, per era (§3.2–§3.5).
 * Intel ≤ v5.13 (intel_svm_bind_mm) allocates in [1, width − 1] itself, refuses an existing PASID at or
 * above the device's PCI width with -ENOSPC and has no -EINVAL range test. iommu_sva_alloc_pasid
 * (v5.11–v6.5) accepts up to max = max_pasids − 1, except v5.18–v6.3's `pasid >= max` (701fac40384f,
 * fixed by 4e14176ab13f).
 */
export function svaRange(p: Profile, maxPasids: number | null, intelOwn = false) {
  const mp = maxPasids ?? PASID_MAX + 1;
  if (intelOwn) return { min: 1, max: mp - 1, acceptMax: mp - 1, checkRange: false, intelWidth: true };
  const acceptMax = p.svaOverflowOffByOne ? mp - 2 : mp - 1;
  return { min: 1, max: mp - 1, acceptMax, checkRange: !p.globalPasids, intelWidth: false };
}

/**
 * Whether intel_svm_bind_mm allocates the PASID (Intel ≤ v5.13, 404837741416 moved it to
 * iommu_sva_alloc_pasid in v5.14). The header's host.iommu says; without it, before v5.11 Intel is the
 * only driver with sva_bind, and on v5.11–v5.13 the capture tells: Intel allocates with a NULL set,
 * and is the one that answers -ENOSPC.
 */
export function intelOwnsPasid(c: CallContext<'iommu_sva_bind_device'>): boolean {
  const { p, rec, children } = c;
  if (!p.intelOwnPasid) return false;
  if (p.vendor !== null) return p.vendor === 'intel';
  if (!p.smmuSvaBind) return true;
  const alloc = childOf(children, 'ioasid_alloc');
  if (alloc !== undefined) return alloc.args.set === null;
  return rec.ret === '-ENOSPC';
}

/**
 * No driver of the capture implements sva_bind (iommu_sva_bind_device → -ENODEV): before v5.8 none
 * does (Intel gained it with 064a57d7ddfc), SMMUv3 from v5.11 (32784a9562fb), AMD never; from v6.2
 * the core binds through SVA domains.
 */
function lacksBindOp(p: Profile): boolean {
  if (p.svaDomains) return false;
  if (p.vendor === 'smmuv3') return !p.smmuSvaBind;
  if (p.vendor === 'amd') return true;
  return !p.intelSvaBind;
}

/**
 * Before v6.2 a rebind of the same (dev, mm) is the vendor's business: SMMUv3's __arm_smmu_sva_bind
 * finds the bond first and returns it without the range check; Intel (v5.14+) runs
 * iommu_sva_alloc_pasid first, and ≤ v5.13 its width check. With no vendor in the header, a rebind the
 * kernel let through is SMMUv3's order (the capture decides what the model cannot know).
 */
function bondBeforeRange(c: CallContext<'iommu_sva_bind_device'>): boolean {
  const { p, rec } = c;
  if (!p.vendorBonds) return false;
  if (p.vendor !== null) return p.vendor === 'smmuv3';
  return p.smmuSvaBind && !intelOwnsPasid(c) && recordedName(rec) !== undefined;
}

/** How many probed devices share the device's group (the v5.2–v6.1 singleton check). */
function groupSize(w: World, dev: DeviceContext): number {
  let n = 0;
  for (const [, snap] of w.entriesOf<DeviceContext>(deviceKind.id)) if (snap.value === 'probed' && snap.context.group === dev.group) n++;
  return Math.max(n, 1);
}

/** iommu_sva_alloc_pasid (or intel_svm_bind_mm's own allocation): the mm's PASID, allocating it on the first bind; null when the bind fails. */
function pasidForBind(c: CallContext<'iommu_sva_bind_device'>, dev: DeviceContext): number | null {
  const { w, p, d, rec, children } = c;
  const mm = rec.args.mm;
  const intelOwn = intelOwnsPasid(c);
  const range = svaRange(p, dev.maxPasids, intelOwn);
  const need = requestPasid(c, mm, range);
  if (isFailure(need.row.ret)) return null;
  const existing = need.mm.pasid;
  if (existing !== null) {
    // v5.11–v5.17: every new bond takes a reference on the mm's PASID (ioasid_get, §3.2); Intel ≤ v5.13
    // finds its svm instead and takes none (one reference per mm).
    if (p.ioasidRefcount && !intelOwn && need.mm.intelSvm !== true) {
      getIoasid(c, existing, null, false);
      d.children.push({ fn: 'ioasid_get', args: { ioasid: existing } });
    }
    return existing;
  }
  let pasid: number | null;
  // #21 B11: a device probed before the capture has a range whose top the model does not know; the
  // recorded allocation failure (the nested record, or without one the bind's exhaustion errno) shows it.
  const boundOf = dev.maxPasids === null ? rec.args.dev : undefined;
  const exhaustedErrno = intelOwn || !p.ioasid ? '-ENOSPC' : '-ENOMEM';
  const failed = boundOf !== undefined && rec.ret === exhaustedErrno;
  if (p.ioasid) {
    const recorded = childOf(children, 'ioasid_alloc')?.ret ?? (failed ? INVALID_IOASID : undefined);
    // Why: intel_svm_bind_mm passes a NULL set and its svm as private data, but the svm lives exactly as long as the
    // mm's bonds, so the model keeps the mm as the owner in both forms (end-of-trace ownership, holders).
    pasid = allocateIoasid(c, { set: SVA_SET, min: range.min, max: range.max, private: mm, ...(boundOf === undefined ? {} : { boundOf }) }, recorded);
    // Why: the set is a pointer the capture names as it likes; the range and the ID are what the kernel decides.
    d.children.push({ fn: 'ioasid_alloc', args: { min: range.min, max: range.max }, ret: pasid ?? 'INVALID_IOASID' });
    if (pasid === null) {
      if (intelOwn) setRet(d, '-ENOSPC', 'intel_svm_bind_mm: ioasid_alloc returned INVALID_IOASID → -ENOSPC (Intel ≤ v5.13, §3.2)');
      else setRet(d, '-ENOMEM', 'iommu_sva_alloc_pasid: ioasid_alloc returned INVALID_IOASID → -ENOMEM (§3.2, §3.3)');
    }
  } else {
    const recorded = childOf(children, 'iommu_alloc_global_pasid')?.ret ?? (failed ? IOMMU_PASID_INVALID : undefined);
    pasid = allocGlobalPasid(c, { dev: null, mm }, dev.maxPasids, recorded, rec.args.dev);
    if (p.globalPasids) d.children.push({ fn: 'iommu_alloc_global_pasid', args: { dev: rec.args.dev }, ret: pasid ?? 'IOMMU_PASID_INVALID' });
    if (pasid === null) setRet(d, '-ENOSPC', 'iommu_sva_alloc_pasid: no global PASID in the device range → -ENOSPC (§3.4, §3.5)');
  }
  if (pasid !== null) w.emit(d, { type: 'MmPasidAssigned', mm, pasid, ...(intelOwn ? { intel_svm: true } : {}) });
  return pasid;
}

/**
 * iommu_mm->sva_domains in the order iommu_sva_bind_device walks it (v6.8+): new domains are added
 * with list_add, at the head, so the newest is tried first (§3.5).
 */
function triedOrder(w: World, mm: string): string[] {
  return [...w.get(mmKind, mm, { mm }).context.domains].reverse();
}

/** The SVA domain of a bind (v6.2+): found on the PASID, shared through the mm (v6.8+), or new; null when the bind fails. */
function domainForBind(c: CallContext<'iommu_sva_bind_device'>, pasid: number): string | null {
  const { w, p, d, rec, children } = c;
  const { dev, mm } = rec.args;
  const slot = slotOf(w, dev, pasid).snap;
  const current = slot.context.domain;
  const currentDomain = current === null ? null : domainOf(w, current).context;
  const lookup: LookupReads = { p, dev, mm, slot, currentDomain };
  const row = decideBy(d, firstCheck(SVA_LOOKUP, lookup), lookup, { dev, mm });
  if (isFailure(row.ret)) {
    // v6.11+ (14678219cf40): an attachment made without a handle (kernel DMA, idxd) reads as -ENOENT in
    // iommu_attach_handle_get, so the bind goes through the same attach tries as v6.8–v6.10 (§3.5, #21 A9).
    const handleless = p.attachHandles && currentDomain !== null && currentDomain.type !== 'sva' && slot.context.handle === null;
    if ((p.svaDomainPerMm && !p.attachHandles) || handleless) expectAttachTries(c, pasid);
    return null;
  }
  if (current !== null) {
    addSvaDomainUsers(c, current, 1);
    return current;
  }
  const allocChild = childOf(children, 'iommu_sva_domain_alloc');
  const attachChild = children.find((k) => k.fn === 'iommu_attach_device_pasid' && k.ret === 0) as { args: { domain: string } } | undefined;
  const shared = p.svaDomainPerMm ? triedOrder(w, mm) : [];
  // v6.8+: the first domain on iommu_mm->sva_domains that attaches wins; the capture's nested attach says which.
  let domain = allocChild === undefined ? (attachChild && shared.includes(attachChild.args.domain) ? attachChild.args.domain : shared[0] ?? null) : null;
  const created = domain === null;
  // The domains tried before the one that attached (all of them when a new one was allocated) failed to attach.
  for (const tried of created ? shared : shared.slice(0, shared.indexOf(domain as string))) {
    const seen = children.find((k) => k.fn === 'iommu_attach_device_pasid' && (k.args as { domain: string }).domain === tried);
    d.children.push({ fn: 'iommu_attach_device_pasid', args: { domain: tried, dev, pasid }, ...(seen?.ret !== undefined ? { ret: seen.ret } : {}) });
  }
  if (domain === null) {
    domain = (allocChild && recordedName(allocChild)) ?? attachChild?.args.domain ?? modelName('sva-dom', rec.seq);
    allocDomain(c, domain, 'sva', mm);
    d.children.push({ fn: 'iommu_sva_domain_alloc', args: { dev, mm }, ret: domain });
    if (p.svaDomainPerMm) w.emit(d, { type: 'MmSvaDomainAdded', mm, domain });
  }
  const ret = attachPasid(c, { domain, dev, pasid, handle: null });
  d.children.push({ fn: 'iommu_attach_device_pasid', args: { domain, dev, pasid }, ret });
  if (isFailure(ret)) {
    if (created) {
      if (p.svaDomainPerMm) w.emit(d, { type: 'MmSvaDomainRemoved', mm, domain });
      freeDomain(c, domain, false);
      d.children.push({ fn: 'iommu_domain_free', args: { domain } });
    }
    setRet(d, ret, 'iommu_sva_bind_device: the attach failed and its error is returned (§3.4, §3.5)');
    return null;
  }
  addSvaDomainUsers(c, domain, 1);
  return domain;
}

/**
 * v6.8–v6.10 iommu_sva_bind_device on an occupied PASID slot: it tries iommu_attach_device_pasid with
 * every domain on iommu_mm->sva_domains, then allocates a new SVA domain, whose attach fails too, and
 * frees it (out_free_domain) before returning the attach error (§3.5). v6.11+ asks the attach handle
 * first (iommu_attach_handle_get) and fails without these calls when the slot holds a handle; an
 * attachment without a handle reads as -ENOENT there and takes these tries too (A9).
 */
function expectAttachTries(c: CallContext<'iommu_sva_bind_device'>, pasid: number): void {
  const { w, p, d, rec, children } = c;
  const { dev, mm } = rec.args;
  for (const domain of triedOrder(w, mm)) d.children.push({ fn: 'iommu_attach_device_pasid', args: { domain, dev, pasid }, ret: '-EBUSY' });
  const allocChild = childOf(children, 'iommu_sva_domain_alloc');
  const temp = (allocChild && recordedName(allocChild)) ?? modelName('sva-dom', rec.seq);
  allocDomain(c, temp, 'sva', mm);
  freeDomain(c, temp, false);
  d.children.push(
    { fn: 'iommu_sva_domain_alloc', args: { dev, mm }, ret: temp },
    { fn: 'iommu_attach_device_pasid', args: { domain: temp, dev, pasid }, ret: '-EBUSY' },
    { fn: 'iommu_domain_free', args: { domain: temp } },
  );
  setRet(d, '-EBUSY', 'iommu_sva_bind_device: every attach of the PASID fails, the new domain is freed and -EBUSY returned (§3.5)');
}

/**
 * Whose bond a bind joins. v6.11+ looks the handle up in the group's pasid_array
 * (iommu_attach_handle_get(group, pasid, IOMMU_DOMAIN_SVA), §3.5): a handle of the same mm installed
 * through another device of the group is returned with its refcount raised, so the bind joins
 * that device's bond. Before v6.11 the lookup is per device (v6.8 sva_handles) or per domain.
 */
function handleOwner(w: World, p: Profile, dev: string, mm: string): string {
  if (!p.attachHandles) return dev;
  const pasid = w.get(mmKind, mm, { mm }).context.pasid;
  if (pasid === null) return dev;
  const slot = slotOf(w, dev, pasid).snap.context;
  if (slot.domain === null || slot.dev === null || slot.dev === dev) return dev;
  const owner = domainOf(w, slot.domain).context;
  const joined = owner.type === 'sva' && owner.mm === mm && w.get(svaBondKind, bondKey(slot.dev, mm), { dev: slot.dev, mm, shares: sharesHandle(p) }).value === 'bound';
  return joined ? slot.dev : dev;
}

interface OpsReads {
  readonly dev: string;
  /** No driver of this capture implements sva_bind in this release (v5.5–v5.7; SMMUv3 before v5.11; AMD before v6.2). */
  readonly noBindOp: boolean;
  /** The device has no IOMMU group any more: the core's -ENODEV comes before the x86 check (the device decides it). */
  readonly released: boolean;
  /** A device the capture never saw probed, with a recorded -ENODEV: it may have no group (the device decides). */
  readonly unprobedEnodev: boolean;
  /** The stable x86 disable applies ('maybe': the capture's sublevel or arch is unknown; the recorded -EOPNOTSUPP then decides). */
  readonly disabled: 'yes' | 'no' | 'maybe';
  readonly recordedEopnotsupp: boolean;
}

/**
 * The driver side of iommu_sva_bind_device before any device or PASID work: whether a driver
 * implements the bind at all (no `ops->sva_bind` before v5.8: every bind is -ENODEV, 26b25a2b98e4 /
 * 064a57d7ddfc, §3.1), and the x86 stable kernels that refuse every bind with -EOPNOTSUPP right after
 * the group lookup (72f98ef9a4be, CVE-2025-71089).
 */
const OPS_CHECKS: readonly Check<OpsReads>[] = [
  {
    when: (r) => r.noBindOp,
    ret: '-ENODEV',
    finding: 'SVA_BIND_NO_DRIVER',
    detail: (r) => `no IOMMU driver of this kernel implements sva_bind for ${r.dev}`,
    rule: 'iommu_sva_bind_device: !ops->sva_bind → -ENODEV (no driver implements it before 064a57d7ddfc, v5.8; SMMUv3 from 32784a9562fb, v5.11; §3.1)',
  },
  { when: (r) => r.released || r.unprobedEnodev, rule: 'iommu_sva_bind_device: no group → the device decides -ENODEV' },
  {
    when: (r) => r.disabled === 'yes' || (r.disabled === 'maybe' && r.recordedEopnotsupp),
    ret: '-EOPNOTSUPP',
    finding: 'SVA_BIND_DISABLED_X86',
    detail: (r) =>
      r.disabled === 'yes' ? `SVA is disabled on this x86 stable kernel (bind of ${r.dev})` : `the recorded -EOPNOTSUPP for ${r.dev} matches an x86 stable kernel with SVA disabled (sublevel or arch not in the header)`,
    rule: 'iommu_sva_bind_device: IS_ENABLED(CONFIG_X86) → -EOPNOTSUPP (stable backport of 72f98ef9a4be: 6.1.163, 6.6.120, 6.12.64, 6.18.4)',
  },
  { rule: 'iommu_sva_bind_device: the driver implements sva_bind' },
];

interface RebindReads {
  readonly p: Profile;
  readonly bond: SvaBondContext;
}

/** Another bind of a bound (dev, mm), per era (§3.1–§3.5). */
const REBIND: readonly Check<RebindReads>[] = [
  {
    when: (r) => r.p.svaDomainPerMm && !r.p.svaHandleRefcount,
    ret: '-EBUSY',
    finding: 'SVA_BIND_TWICE_BUSY',
    detail: (r) => `${r.bond.dev} is already bound to ${r.bond.mm} (pasid ${r.bond.pasid})`,
    rule: 'iommu_sva_bind_device v6.8-rc1..rc5: no per-handle refcount, the second attach of the same (dev, pasid) fails -EBUSY (A27, fixed by 65d4418c5002)',
  },
  { when: (r) => sharesHandle(r.p), rule: 'iommu_sva_bind_device: the bond exists → its refcount goes up and the same handle is returned (§3.1, §3.5)' },
  { rule: 'iommu_sva_bind_device v6.2–v6.7: the SVA domain is found, domain->users++ and a new handle is returned (§3.4)' },
];

interface DeviceChecks {
  readonly p: Profile;
  readonly device: Snap<DeviceContext>;
  /** Probed devices in the device's group (counted only where the singleton check exists). */
  readonly groupSize: number;
  /** The recorded return, when it names an errno (a device never seen probed: -ENODEV says it has no group). */
  readonly recorded: unknown;
}

/** The device checks of iommu_sva_bind_device, in the kernel's order. */
const DEVICE_CHECKS: readonly Check<DeviceChecks>[] = [
  {
    // Why: a device no IOMMU driver claimed has no group (iommu_probe_device's -ENODEV, #20); the capture
    // cannot tell it from one probed before it started, so the recorded -ENODEV decides.
    when: (r) => r.device.value === 'preexisting' && r.recorded === '-ENODEV',
    ret: '-ENODEV',
    rule: 'iommu_sva_bind_device: a device the capture never saw probed has no IOMMU group → -ENODEV (§3.1)',
  },
  { when: (r) => r.device.value === 'released', ret: '-ENODEV', finding: 'ATTACH_NO_PASID_SUPPORT', detail: (r) => `${r.device.context.dev} was released`, rule: 'iommu_sva_bind_device: the device has no IOMMU group any more → -ENODEV (§3.1)' },
  {
    when: (r) => r.p.svaSingletonGroup && r.groupSize > 1,
    ret: '-EINVAL',
    finding: 'SVA_BIND_GROUP_NOT_SINGLETON',
    detail: (r) => `${r.device.context.dev} shares group ${r.device.context.group} with ${r.groupSize - 1} other device(s)`,
    rule: 'iommu_sva_bind_device: the group must hold exactly one device → -EINVAL (v5.11–v6.1, §3.1)',
  },
  {
    when: (r) => r.p.svaZeroMaxPasidsEopnotsupp && r.device.context.maxPasids === 0,
    ret: '-EOPNOTSUPP',
    finding: 'SVA_BIND_NO_PASID_SUPPORT',
    detail: (r) => `${r.device.context.dev} has max_pasids 0`,
    rule: 'iommu_sva_bind_device: !dev->iommu->max_pasids → -EOPNOTSUPP (v6.2–v6.5, §3.4)',
  },
  { rule: 'iommu_sva_bind_device: the device may bind' },
];

interface LookupReads {
  readonly p: Profile;
  readonly dev: string;
  readonly mm: string;
  readonly slot: Snap<PasidSlotContext>;
  readonly currentDomain: DomainContext | null;
}

/** iommu_sva_bind_device looks for an SVA domain on the mm's PASID (iommu_get_domain_for_dev_pasid / attach-handle lookup, §3.4, §3.5). */
const SVA_LOOKUP: readonly Check<LookupReads>[] = [
  { when: (r) => r.slot.value === 'empty', rule: 'no domain on the PASID yet: bind allocates or attaches one' },
  {
    // Why: before v6.8 the lookup is by type only (no mm check until attach handles in v6.11); from v6.8 every bind attaches, so an occupied slot fails.
    when: (r) => r.currentDomain?.type === 'sva' && !r.p.svaDomainPerMm && (r.currentDomain.mm === r.mm || !r.p.attachHandles),
    rule: 'iommu_sva_bind_device v6.2–v6.7: the PASID already has an SVA domain → domain->users++ (§3.4)',
  },
  {
    ret: '-EBUSY',
    finding: 'SVA_BIND_SLOT_BUSY',
    detail: (r) => `${r.dev} pasid ${r.slot.context.pasid} holds ${r.slot.context.domain}`,
    rule: "iommu_sva_bind_device: the mm's PASID holds another domain on this device → -EBUSY (§3.4, §3.5)",
  },
];

/** iommu-sva.c domain->users (a plain int) counts binds (v6.2) or devices (v6.8) (§3.4, §3.5); returns the new count. */
export function addSvaDomainUsers({ w, d }: Env, domain: string, delta: number): number {
  const users = domainOf(w, domain).context.users + delta;
  w.emit(d, { type: 'SvaDomainUsersChanged', domain, users });
  return users;
}

export default defineCall({
  fn: 'iommu_sva_bind_device',
  exists: [{}],
  nested: NESTED,
  raises: ['SVA_BIND_NO_DRIVER', 'SVA_BIND_DISABLED_X86', 'SVA_BIND_NO_PASID_SUPPORT', 'SVA_BIND_PASID_OUT_OF_RANGE', 'SVA_BIND_SLOT_BUSY', 'SVA_BIND_BAD_RANGE', 'SVA_BIND_GROUP_NOT_SINGLETON', 'SVA_BIND_AFTER_EXIT', 'SVA_BIND_TWICE_BUSY'],
  footprint: (rec, p, scope) => {
    const { dev, mm } = rec.args;
    // The PASID (hence the slot) and the domain come from state; v5.11–v6.1 counts the group's devices.
    const devs = p.svaSingletonGroup ? ['dev:*'] : [`dev:${dev}`];
    return union(svaPasidFootprint(p), {
      reads: [],
      writes: ['sva_lock', ...devs, `mm:${mm}`, `bond:${dev}/${mm}`, 'handle:*', slotResource(scope, dev, '*'), 'domain:*', 'gpasid:*'],
    });
  },
  decide: (c) => {
    const { w, p, d, rec } = c;
    const { dev, mm } = rec.args;
    const device = deviceOf(w, dev);
    // Order of iommu_sva_bind_device: no sva_bind op → -ENODEV; no group → -ENODEV; [x86 stable: -EOPNOTSUPP]; then the group size.
    const ops: OpsReads = { dev, noBindOp: lacksBindOp(p), released: device.value === 'released', unprobedEnodev: device.value === 'preexisting' && rec.ret === '-ENODEV', disabled: p.x86SvaDisabled, recordedEopnotsupp: rec.ret === '-EOPNOTSUPP' };
    if (isFailure(decideBy(d, firstCheck(OPS_CHECKS, ops), ops, {}).ret)) return;
    const checks = { p, device, groupSize: p.svaSingletonGroup ? groupSize(w, device.context) : 1, recorded: rec.ret };
    if (isFailure(decideBy(d, firstCheck(DEVICE_CHECKS, checks), checks, {}).ret)) return;
    const handleName = recordedName(rec) ?? modelName('sva', rec.seq);
    const shares = sharesHandle(p);

    const bondDev = handleOwner(w, p, dev, mm);
    const bond = w.get(svaBondKind, bondKey(bondDev, mm), { dev: bondDev, mm, shares });
    if (bond.value === 'bound') {
      const b: SvaBondContext = bond.context;
      const handle = shares ? b.handles[0] ?? handleName : handleName;
      // iommu_sva_alloc_pasid / iommu_alloc_mm_data runs before the bond lookup (v6.2+, and Intel before): the mm
      // must be live (A24) and its PASID inside this device's range (the v5.18–v6.3 off-by-one refuses the top PASID).
      // SMMUv3 ≤ v6.1 finds the bond first and skips it (__arm_smmu_sva_bind, #21 A5).
      if (!bondBeforeRange(c) && isFailure(requestPasid(c, mm, svaRange(p, device.context.maxPasids, intelOwnsPasid(c))).row.ret)) return;
      const rebind: RebindReads = { p, bond: b };
      if (isFailure(decideBy(d, firstCheck(REBIND, rebind), rebind, { handle, pasid: b.pasid ?? 0, domain: b.domain }).ret)) {
        // v6.8-rc1..rc5 (A27): the failure comes from the attach tries of iommu_sva_bind_device.
        if (b.pasid !== null) expectAttachTries(c, b.pasid);
        return;
      }
      // The bond's refcount goes up (shared handle) or the bind gets a handle of its own (v6.2–v6.7).
      const factHandle = shares && !b.handles.includes(handle) ? b.handles[0] ?? '' : handle;
      w.emit(d, { type: 'SvaBound', handle: factHandle, dev: bondDev, mm, pasid: b.pasid ?? 0, domain: b.domain, users: b.users + 1 });
      if (!shares && b.domain !== null) addSvaDomainUsers(c, b.domain, 1);
      // v5.11–v5.17: Intel takes a PASID reference on every bind (intel_svm_alloc_pasid) and drops one on every
      // unbind; SMMUv3 only per new bond. Balanced either way; the capture's nested ioasid_get says which vendor.
      if (p.ioasidRefcount && b.pasid !== null && childOf(c.children, 'ioasid_get') !== undefined) {
        getIoasid(c, b.pasid, null, false);
        d.children.push({ fn: 'ioasid_get', args: { ioasid: b.pasid } });
      }
      return setRet(d, handle, 'iommu_sva_bind_device: the (dev, mm) pair is already bound (§3)');
    }

    const pasid = pasidForBind(c, device.context);
    if (pasid === null) return;
    const domain = p.svaDomains ? domainForBind(c, pasid) : null;
    if (p.svaDomains && domain === null) return;
    // A new bond of (dev, mm): its handle, and the mm and the device count it (§3).
    w.emit(d, { type: 'SvaBound', handle: handleName, dev, mm, pasid, domain, users: 1 });
    setRet(d, handleName, 'iommu_sva_bind_device returns a handle (§3)');
  },
});
