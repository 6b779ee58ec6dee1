/**
 * How the call models find the kernel's objects in the world: the allocator list and ID spaces of
 * ioasid.c, a device's group and PASID slots (group->pasid_array), SVA bonds, the VT-d singletons.
 * Shared by the calls of one subsystem; each function names the kernel data it stands for. Pure.
 */
import { INVALID_IOASID, U32_MAX } from '../../events/fields.js';
import type { CallRecord } from '../../events/records.js';
import type { Decision, World } from '../kit/world.js';
import type { Profile } from '../profile.js';
import { ALLOCATOR_LIST, allocatorListKind } from '../ioasid/allocatorList.machine.js';
import { idSpaceKind, type IdSpaceContext } from '../ioasid/idSpace.machine.js';
import { deviceKind, type DeviceContext } from '../device/device.machine.js';
import { pasidSlotKind, type PasidSlotContext } from '../device/pasidSlot.machine.js';
import { domainKind } from '../device/domain.machine.js';
import type { Snap } from '../kit/lifecycle.js';

/** What a call model steps objects with: the world, the era profile and the decision it fills in. */
export interface Env {
  readonly w: World;
  readonly p: Profile;
  readonly d: Decision;
}

// ── ioasid.c (§1) ──

export { ALLOCATOR_LIST };
/** The helpers of the VT-d vcmd allocator: every vIOMMU registers the same two, so they share one ID space. */
export const VCMD_ALLOC = 'intel_vcmd_ioasid_alloc';
export const VCMD_FREE = 'intel_vcmd_ioasid_free';
/** PASID_MIN of drivers/iommu/intel (PASID 0 is reserved for requests without PASID). */
export const PASID_MIN = 1;
/** The ioasid_set of SVA PASIDs (iommu-sva-lib.c). */
export const SVA_SET = 'iommu_sva_pasid';

/**
 * Who takes an IOASID reference, as the trace shows it (B2, B3): the thread of a top-level
 * ioasid_alloc / ioasid_get; for one made inside another call, the object it was made for (the
 * private data, e.g. the mm of an SVA bind) or else that call.
 */
export function holderOf(env: Env & { rec?: CallRecord }, priv: string | null): string {
  const rec = env.rec;
  if (rec === undefined) return priv ?? 'unknown';
  if (rec.parent === undefined && (rec.fn === 'ioasid_alloc' || rec.fn === 'ioasid_get')) return `tid:${rec.tid}`;
  return priv ?? `${rec.fn}@${rec.seq}`;
}

/** Who releases an IOASID: the thread of a top-level ioasid_free / ioasid_put; null inside other calls (the trace cannot tell). */
export function releaserOf(env: Env & { rec?: CallRecord }): string | null {
  const rec = env.rec;
  if (rec !== undefined && rec.parent === undefined && (rec.fn === 'ioasid_free' || rec.fn === 'ioasid_put')) return `tid:${rec.tid}`;
  return null;
}

export const listOf = (w: World) => w.get(allocatorListKind, ALLOCATOR_LIST, {}).context;
export const spaceOf = (w: World, space: string): IdSpaceContext => w.get(idSpaceKind, space, { space }).context;
export { ioasidKey } from '../ioasid/ioasid.machine.js';
/** ioasid_t is a u32: INVALID_IOASID is (ioasid_t)-1. */
export const asNumber = (v: number | typeof INVALID_IOASID) => (v === INVALID_IOASID ? U32_MAX : v);

// ── VT-d (§2) ──

export { SCALABLE_MODE } from '../vtd/scalableMode.machine.js';
/** `&iommu->pasid_allocator` is named after its unit. */
export const vcmdOpsOf = (iommu: string) => `${iommu}/pasid_allocator`;

// ── devices and PASID slots (§4) ──

export const deviceOf = (w: World, dev: string) => w.get(deviceKind, dev, { dev });
export const slotKey = (group: string, pasid: number) => `${group}/${pasid}`;

/** The slot a device's PASID lives in (group->pasid_array is per group). */
export function slotOf(w: World, dev: string, pasid: number): { key: string; group: string; snap: Snap<PasidSlotContext> } {
  const group = deviceOf(w, dev).context.group;
  const key = slotKey(group, pasid);
  return { key, group, snap: w.get(pasidSlotKind, key, { group, pasid }) };
}

export const domainOf = (w: World, domain: string) => w.get(domainKind, domain, { domain });

/**
 * The devices the core walks with for_each_group_device (set_dev_pasid on attach/replace,
 * remove_dev_pasid on detach, §4.1–§4.3), in probe order; the given device is included even when it
 * was probed before the capture.
 */
export function groupDevices(w: World, dev: string): string[] {
  const group = deviceOf(w, dev).context.group;
  const out: string[] = [];
  let found = false;
  // Why values, not entries: no [id, snapshot] pair per device on every attach and detach; a device
  // is stored under its own name (deviceKind's address), so context.dev is its id.
  for (const snap of w.valuesOf<DeviceContext>(deviceKind.id)) {
    const id = snap.context.dev;
    if (id === dev) {
      found = true;
      out.push(id);
    } else if (snap.value === 'probed' && snap.context.group === group) out.push(id);
  }
  if (!found) out.unshift(dev);
  return out;
}

/**
 * The group devices the driver fan-out of attach, replace and detach calls: every one before
 * b3f6fcd8404f (v6.15-rc7, 6.12.93), then only those with PASID support (max_pasids > 0; an unknown
 * max_pasids is kept) (#21 A8).
 */
export function pasidMembers(w: World, p: Profile, dev: string): string[] {
  const members = groupDevices(w, dev);
  return p.attachSkipsNoPasidDevices ? members.filter((m) => deviceOf(w, m).context.maxPasids !== 0) : members;
}

// ── SVA (§3) ──

export { bondKey } from '../sva/svaBond.machine.js';

// ── the global PASID IDA (§5) ──

/** The IDA's space name for the lowest-free hints. */
export const IDA = 'iommu_global_pasid_ida';
/** Key of the pseudo-object that answers calls with no valid PASID. */
export const NO_PASID = 'none';
