/**
 * iommu_attach_device_pasid(domain, dev, pasid, handle) — drivers/iommu/iommu.c, v6.2+ (§4.1).
 * What it reads: the device's group (gone once released), whether the group is being reset, the
 * smallest max_pasids of the group's devices (for_each_group_device, c404f55c26fc; devices with
 * max_pasids 0 skipped, b3f6fcd8404f), whether the domain was freed, and group->pasid_array[pasid].
 * Its checks are CHECKS below, in the kernel's order; on success set_dev_pasid runs on every group
 * device and the slot stores the domain (PasidAttached). Pure.
 */
import type { Ret } from '../../events/records.js';
import type { Snap } from '../kit/lifecycle.js';
import type { Profile } from '../profile.js';
import { domainKind } from '../device/domain.machine.js';
import { pasidSlotKind, type PasidSlotContext } from '../device/pasidSlot.machine.js';
import { decideBy, firstCheck, type Check } from '../kit/checks.js';
import { defineCall } from '../kit/call.js';
import { slotResource } from '../kit/footprint.js';
import type { World } from '../kit/world.js';
import { deviceOf, groupDevices, slotKey, type Env } from './reads.js';
import { globalPasidHistoryKind } from '../global/globalPasidHistory.machine.js';
import type { CallRecord } from '../../events/records.js';
import { isFailure } from '../kit/call.js';
import type { ExpectedChild } from '../kit/world.js';

/** What iommu_attach_device_pasid and iommu_replace_device_pasid read before they decide. */
export interface AttachReads {
  readonly p: Profile;
  readonly dev: string;
  readonly pasid: number;
  readonly domain: string;
  readonly handle: string | null;
  readonly slot: Snap<PasidSlotContext>;
  /** The device is probed and not released (it has a group). */
  readonly hasGroup: boolean;
  /** Smallest max_pasids among the group's devices (0 counts v6.9-rc2..v6.15-rc6); null when unknown. */
  readonly maxPasids: number | null;
  readonly resetting: boolean;
  readonly domainFreed: boolean;
  /** The group's devices (for_each_group_device), in probe order. */
  readonly members: readonly string[];
  /** Groups where an earlier owner of this global PASID left it attached after its free (#21 B7). */
  readonly staleGroups: readonly string[];
  /** A group device's max_pasids is unknown to the trace (probed before the capture, or not read). */
  readonly maxUnknown: boolean;
  /** What the capture recorded the call returned (undefined: not recorded, or a call another one makes). */
  readonly recorded?: Ret;
}

export function attachReads(w: World, p: Profile, a: { domain: string; dev: string; pasid: number; handle: string | null }, recorded?: Ret): AttachReads {
  const device = deviceOf(w, a.dev);
  const group = device.context.group;
  // Why: one walk of the group's devices gives both the members (pasidMembers) and the smallest max_pasids.
  const devices = groupDevices(w, a.dev);
  const members: string[] = p.attachSkipsNoPasidDevices ? [] : devices;
  // c404f55c26fc (v6.9-rc2) tests every group device, so a member with max_pasids 0 refuses every PASID;
  // b3f6fcd8404f (v6.15-rc7, 6.12.93) skips those members (#21 A7). An unknown max_pasids refuses nothing.
  let maxPasids: number | null = null;
  let maxUnknown = false;
  for (const id of devices) {
    const m = deviceOf(w, id).context.maxPasids;
    if (p.attachSkipsNoPasidDevices && m !== 0) members.push(id);
    if (m === null) maxUnknown = true;
    if (m === null || (m === 0 && (p.attachSkipsNoPasidDevices || !p.attachChecksMaxPasids))) continue;
    if (maxPasids === null || m < maxPasids) maxPasids = m;
  }
  // `recorded` is always a key (undefined when not recorded): the rows read it, nothing lists the keys.
  return {
    p,
    ...a,
    slot: w.get(pasidSlotKind, slotKey(group, a.pasid), { group, pasid: a.pasid }),
    hasGroup: device.value !== 'released',
    maxPasids,
    resetting: device.context.resetting,
    domainFreed: w.get(domainKind, a.domain, { domain: a.domain }).value === 'freed',
    members,
    staleGroups: w.get(globalPasidHistoryKind, String(a.pasid), { pasid: a.pasid }).context.stale,
    maxUnknown,
    recorded,
  };
}

const outOfRange = (r: AttachReads) => r.maxPasids !== null && r.pasid >= r.maxPasids;
const ATTACHED = 'iommu_attach_device_pasid: empty slot → set_dev_pasid on every group device, slot stored (§4.1)';

/** The checks before the slot is looked at, in the order iommu_attach_device_pasid makes them. */
export const PRECHECKS = {
  noGroup: { when: (r) => !r.hasGroup, ret: '-ENODEV', finding: 'ATTACH_NO_PASID_SUPPORT', detail: (r) => `${r.dev} is not probed (released, or no IOMMU group)`, rule: 'iommu_attach_device_pasid: no group → -ENODEV (§4.1)' },
  // v6.9+ (c404f55c26fc): IOMMU_NO_PASID is the RID's slot.
  pasidZero: { when: (r) => r.pasid === 0 && r.p.attachChecksPasidZero, ret: '-EINVAL', finding: 'ATTACH_PASID_ZERO', detail: (r) => `${r.dev} pasid 0 is IOMMU_NO_PASID`, rule: 'iommu_attach_device_pasid: pasid == IOMMU_NO_PASID → -EINVAL (v6.9+, §4.1)' },
  resetting: { when: (r) => r.resetting && r.p.resetBlocksAttach, ret: '-EBUSY', finding: 'ATTACH_DURING_RESET', detail: (r) => `${r.dev} is being reset`, rule: 'iommu_attach_device_pasid: group->resetting_domain → -EBUSY (§4.1)' },
  // v6.9+ (c404f55c26fc): pasid >= max_pasids of any group device.
  outOfRange: {
    when: (r) => r.p.attachChecksMaxPasids && outOfRange(r),
    ret: '-EINVAL',
    finding: 'ATTACH_PASID_OUT_OF_RANGE',
    detail: (r) => `${r.dev} pasid ${r.pasid} >= max_pasids ${r.maxPasids}`,
    rule: 'iommu_attach_device_pasid: pasid >= max_pasids of a group device → -EINVAL (v6.9+, §4.1)',
  },
  // An unknown max_pasids (an ftrace capture without BTF arguments, a device probed before the capture)
  // makes the kernel's range refusal plausible: a recorded -EINVAL of a PASID above 0 is pasid >=
  // max_pasids of a group device (v6.9+, c404f55c26fc), and the bound it shows is kept (#20).
  outOfRangeRecorded: {
    when: (r) => r.p.attachChecksMaxPasids && r.maxUnknown && r.recorded === '-EINVAL' && r.pasid > 0 && !outOfRange(r),
    ret: '-EINVAL',
    finding: 'ATTACH_PASID_OUT_OF_RANGE',
    detail: (r) => `${r.dev} pasid ${r.pasid} refused as out of range; max_pasids <= ${r.pasid} inferred (unknown to the capture)`,
    rule: 'iommu_attach_device_pasid: pasid >= max_pasids of a group device → -EINVAL (v6.9+, §4.1); max_pasids unknown, the recorded -EINVAL shows the bound',
  },
} as const satisfies Record<string, Check<AttachReads, never>>;

const CHECKS: readonly Check<AttachReads, 'attach'>[] = [
  PRECHECKS.noGroup,
  PRECHECKS.pasidZero,
  PRECHECKS.resetting,
  PRECHECKS.outOfRange,
  PRECHECKS.outOfRangeRecorded,
  {
    when: (r) => r.slot.value === 'attached',
    ret: '-EBUSY',
    finding: 'ATTACH_BUSY',
    detail: (r) => `${r.dev} pasid ${r.pasid}: ${r.slot.context.domain} is already attached`,
    rule: 'iommu_attach_device_pasid: the slot already holds a domain (even the same one) → -EBUSY (§4.1)',
  },
  // The slot is empty: the call succeeds, and what the kernel lets through is reported.
  { when: (r) => r.domainFreed, ret: 0, finding: 'ATTACH_FREED_DOMAIN', detail: (r) => `${r.dev} pasid ${r.pasid}: ${r.domain} was freed`, rule: ATTACHED, then: 'attach' },
  { when: (r) => r.pasid === 0, ret: 0, finding: 'ATTACH_PASID_ZERO', detail: (r) => `${r.dev} pasid 0 is IOMMU_NO_PASID`, rule: 'iommu_attach_device_pasid before v6.9 does not reject PASID 0 (§4.1)', then: 'attach' },
  {
    when: outOfRange,
    ret: 0,
    finding: 'ATTACH_PASID_OUT_OF_RANGE',
    detail: (r) => `${r.dev} pasid ${r.pasid} >= max_pasids ${r.maxPasids}`,
    rule: 'iommu_attach_device_pasid before v6.9 has no max_pasids check (§4.1)',
    then: 'attach',
  },
  {
    when: (r) => r.staleGroups.length > 0,
    ret: 0,
    finding: 'GLOBAL_PASID_SECOND_OWNER',
    detail: (r) => `${r.dev} pasid ${r.pasid} attached while its earlier owner still has it attached in group ${r.staleGroups.join(', ')}`,
    rule: 'iommu_attach_device_pasid: group->pasid_array is per group, so a PASID freed while attached elsewhere attaches again (§5.1, #21 B7)',
    then: 'attach',
  },
  { ret: 0, rule: ATTACHED, then: 'attach' },
];

/**
 * The undo of a driver's failed set_dev_pasid on the group devices before it (#21 B5), as each era
 * makes it: v6.2–v6.9 __iommu_remove_group_pasid calls remove_dev_pasid on every group device
 * (the failing one and those never tried included); v6.10–v6.13 only the devices that succeeded, with
 * the domain (c6cbe8392097, 97e57733d8e3); v6.14+ through the blocked domain's set_dev_pasid with
 * the domain as the old one (647b7aad1949). `old` (replace, v6.15+) sets them back to the old domain.
 */
export function undoCalls(p: Profile, members: readonly string[], failed: number, pasid: number, domain: string, old: string | null): ExpectedChild[] {
  if (old !== null) return members.slice(0, failed).map((dev) => ({ fn: 'set_dev_pasid', args: { domain: old, dev, pasid, old: domain }, ret: 0 }));
  if (!p.rollbackOnlySucceeded) return members.map((dev) => ({ fn: 'remove_dev_pasid', args: p.removeDevPasidGetsDomain ? { dev, pasid, domain } : { dev, pasid } }));
  if (p.removalViaBlockedDomain) return members.slice(0, failed).map((dev) => ({ fn: 'set_dev_pasid', args: { dev, pasid, old: domain }, ret: 0 }));
  return members.slice(0, failed).map((dev) => ({ fn: 'remove_dev_pasid', args: { dev, pasid, domain } }));
}

/** The group device whose recorded set_dev_pasid failed, and its error (the driver's answer the model cannot predict). */
export function driverFailure(answers: readonly CallRecord[], members: readonly string[], domain: string): { at: number; err: string } | null {
  for (const c of answers) {
    if (c.fn !== 'set_dev_pasid' || c.args.domain !== domain || typeof c.ret !== 'string' || !isFailure(c.ret)) continue;
    const at = members.indexOf(c.args.dev);
    if (at >= 0) return { at, err: c.ret };
  }
  return null;
}

/**
 * iommu_attach_device_pasid (§4.1); returns the call's return. Bind composes it for the SVA domain.
 * `answers`: the recorded nested calls, whose set_dev_pasid errors are the driver's (#21 B5).
 */
export function attachPasid({ w, p, d }: Env, a: { domain: string; dev: string; pasid: number; handle: string | null }, answers: readonly CallRecord[] = [], recorded?: Ret): Ret | undefined {
  const r = attachReads(w, p, a, recorded);
  const row = firstCheck(CHECKS, r);
  if (row === PRECHECKS.outOfRangeRecorded) {
    // Why: when the device is its group's only one of unknown maximum, the refusal bounds it (the alloc's inference, #21 B11).
    const unknown = groupDevices(w, a.dev).filter((id) => deviceOf(w, id).context.maxPasids === null);
    if (unknown.length === 1 && unknown[0] === a.dev) w.emit(d, { type: 'DeviceMaxPasidsInferred', dev: a.dev, max_pasids: a.pasid });
  }
  const failure = row.then === 'attach' ? driverFailure(answers, r.members, a.domain) : null;
  if (failure !== null) {
    // __iommu_set_group_pasid stopped at the failing device and undid the others; the slot stays empty.
    r.members.slice(0, failure.at).forEach((dev) => d.children.push({ fn: 'set_dev_pasid', args: { domain: a.domain, dev, pasid: a.pasid }, ret: 0 }));
    d.children.push({ fn: 'set_dev_pasid', args: { domain: a.domain, dev: r.members[failure.at], pasid: a.pasid }, ret: failure.err as Ret });
    d.children.push(...undoCalls(p, r.members, failure.at, a.pasid, a.domain, null));
    // Why: a freed domain was still handed to the driver; the other findings of a successful attach did not happen.
    if (row.finding === 'ATTACH_FREED_DOMAIN') decideBy(d, row, r, { dev: a.dev, domain: a.domain, handle: a.handle }, { setsRet: false });
    d.ret = failure.err as Ret;
    d.rule = `iommu_attach_device_pasid: set_dev_pasid of ${r.members[failure.at]} failed ${failure.err} → the group devices undone, the error returned (§4.1)`;
    return d.ret;
  }
  if (row.then === 'attach') {
    w.emit(d, { type: 'PasidAttached', group: r.slot.context.group, dev: a.dev, pasid: a.pasid, domain: a.domain, ...(a.handle === null ? {} : { handle: a.handle }) });
    for (const dev of r.members) d.children.push({ fn: 'set_dev_pasid', args: { domain: a.domain, dev, pasid: a.pasid }, ret: 0 });
  }
  decideBy(d, row, r, { dev: a.dev, domain: a.domain, handle: a.handle });
  return row.ret;
}

export default defineCall({
  fn: 'iommu_attach_device_pasid',
  exists: [{ since: '6.2' }],
  existsFollows: ['svaDomains'],
  nested: ['set_dev_pasid', 'remove_dev_pasid'],
  raises: ['ATTACH_BUSY', 'ATTACH_PASID_OUT_OF_RANGE', 'ATTACH_PASID_ZERO', 'ATTACH_DURING_RESET', 'ATTACH_FREED_DOMAIN'],
  footprint: (rec, _p, scope) => {
    const a = rec.args;
    return { reads: [], writes: [slotResource(scope, a.dev, a.pasid), `dev:${a.dev}`, `domain:${a.domain}`, `gpasid:${a.pasid}`] };
  },
  decide: (c) => {
    const a = c.rec.args;
    attachPasid(c, { domain: a.domain, dev: a.dev, pasid: a.pasid, handle: a.handle ?? null }, c.children, c.rec.ret);
  },
});
