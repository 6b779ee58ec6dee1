/**
 * Call models of the IOMMU core's device, domain and PASID-attach functions (iommu.c, §4): each
 * feeds the slot machine what the kernel reads (group, max_pasids, reset, the domain's state), then
 * keeps the domain, device and global-PASID counts in step. Pure.
 */
import type { DomainType } from '../../events/fields.js';
import type { Ret } from '../../events/records.js';
import type { Decision, World } from '../kit/world.js';
import type { Profile } from '../profile.js';
import { deviceKind, type DeviceContext } from '../device/device.machine.js';
import { domainKind } from '../device/domain.machine.js';
import { pasidSlotKind, type PasidSlotContext } from '../device/pasidSlot.machine.js';
import { globalPasidKind } from '../global/globalPasid.machine.js';
import { hasFact } from './ioasid.calls.js';
import { modelName, recordedName, retFrom, setRet, type CallModel } from './callContext.js';

interface Env {
  readonly w: World;
  readonly p: Profile;
  readonly d: Decision;
}

export const deviceOf = (w: World, dev: string) => w.peek(deviceKind, dev, { dev });
export const slotKey = (group: string, pasid: number) => `${group}/${pasid}`;

/** The slot a device's PASID lives in (group->pasid_array is per group). */
export function slotOf(w: World, dev: string, pasid: number): { key: string; group: string; snap: ReturnType<World['peek']> } {
  const group = deviceOf(w, dev).context.group;
  const key = slotKey(group, pasid);
  return { key, group, snap: w.peek(pasidSlotKind, key, { group, pasid }) };
}

/**
 * What the attach checks read: group present, reset, and the smallest max_pasids > 0 among the
 * probed devices of the group: iommu_attach_device_pasid checks `pasid >= max_pasids` for every
 * group device (for_each_group_device, c404f55c26fc, §4.1), not only the one passed in. Devices
 * with max_pasids 0 are skipped (b3f6fcd8404f; see the report about v6.9–v6.15).
 */
function attachFacts(w: World, dev: string, members: readonly string[]) {
  const d = deviceOf(w, dev);
  let maxPasids: number | null = null;
  for (const id of members) {
    const m = deviceOf(w, id).context.maxPasids;
    if (m !== null && m > 0 && (maxPasids === null || m < maxPasids)) maxPasids = m;
  }
  return { hasGroup: d.value !== 'released', maxPasids, resetting: d.context.resetting };
}

/**
 * The devices the core walks with for_each_group_device (set_dev_pasid on attach/replace,
 * remove_dev_pasid on detach, §4.1–§4.3), in probe order; the given device is included even when it
 * was probed before the capture.
 */
export function groupDevices(w: World, dev: string): string[] {
  const group = deviceOf(w, dev).context.group;
  const out: string[] = [];
  for (const [id, snap] of w.entriesOf<DeviceContext>(deviceKind.id)) if (id === dev || (snap.value === 'probed' && snap.context.group === group)) out.push(id);
  return out.includes(dev) ? out : [dev, ...out];
}

/** Keeps the counts of the domain, the device and the global PASID in step with a slot change. */
function countAttachment({ w, p, d }: Env, dev: string, pasid: number, domain: string, how: 'ATTACHED' | 'DETACHED'): void {
  w.step(domainKind, domain, { domain }, { type: how, p }, d);
  w.step(deviceKind, dev, { dev }, { type: how, p }, d);
  w.step(globalPasidKind, String(pasid), { pasid }, { type: how, p }, d);
}

/** iommu_attach_device_pasid (§4.1); returns the call's return. */
export function attachPasid(env: Env, a: { domain: string; dev: string; pasid: number; handle: string | null }): Ret | undefined {
  const { w, p, d } = env;
  const { key, group } = slotOf(w, a.dev, a.pasid);
  const domainFreed = w.peek(domainKind, a.domain, { domain: a.domain }).value === 'freed';
  const members = groupDevices(w, a.dev);
  const r = w.step(pasidSlotKind, key, { group, pasid: a.pasid }, { type: 'ATTACH', p, dev: a.dev, domain: a.domain, handle: a.handle, domainFreed, ...attachFacts(w, a.dev, members) }, d);
  const ret = retFrom(d, r);
  if (hasFact(r, 'PasidAttached')) {
    countAttachment(env, a.dev, a.pasid, a.domain, 'ATTACHED');
    for (const dev of members) d.children.push({ fn: 'set_dev_pasid', args: { domain: a.domain, dev, pasid: a.pasid }, ret: 0 });
  }
  return ret;
}

/** iommu_detach_device_pasid (§4.2). */
export function detachPasid(env: Env, a: { domain: string; dev: string; pasid: number }): void {
  const { w, p, d } = env;
  const { key, group, snap } = slotOf(w, a.dev, a.pasid);
  const attached = (snap.context as PasidSlotContext).domain;
  const unseenHistory = deviceOf(w, a.dev).value === 'preexisting' && w.peek(domainKind, a.domain, { domain: a.domain }).context.type === 'unknown';
  const r = w.step(pasidSlotKind, key, { group, pasid: a.pasid }, { type: 'DETACH', p, dev: a.dev, domain: a.domain, unseenHistory }, d);
  setRet(d, null, 'iommu_detach_device_pasid returns void');
  // group->pasid_array is per group: a detach through another device of the group ends the attachment of the device that made it.
  const owner = (snap.context as PasidSlotContext).dev ?? a.dev;
  if (hasFact(r, 'PasidDetached') && attached !== null) countAttachment(env, owner, a.pasid, attached, 'DETACHED');
  // __iommu_remove_group_pasid runs before xa_erase whatever the slot holds, even nothing (§4.2, A35).
  // From v6.10 the driver is handed the caller's domain as the old one, right or wrong (A34).
  for (const dev of groupDevices(w, a.dev)) {
    d.children.push({ fn: 'remove_dev_pasid', args: p.removeDevPasidGetsDomain ? { dev, pasid: a.pasid, domain: a.domain } : { dev, pasid: a.pasid } });
  }
}

export const iommu_probe_device: CallModel<'iommu_probe_device'> = ({ w, p, d, rec }) => {
  const a = rec.args;
  retFrom(d, w.step(deviceKind, a.dev, { dev: a.dev }, { type: 'PROBE', p, maxPasids: a.max_pasids, group: a.group ?? a.dev }, d));
};

export const iommu_release_device: CallModel<'iommu_release_device'> = ({ w, p, d, rec }) => {
  retFrom(d, w.step(deviceKind, rec.args.dev, { dev: rec.args.dev }, { type: 'RELEASE', p }, d));
};

/** A new domain's name: the capture's, or one derived from the seq (scenario files). */
export function allocDomain({ w, p, d }: Env, name: string, type: DomainType, mm: string | null): void {
  w.step(domainKind, name, { domain: name }, { type: 'ALLOC', p, domainType: type, mm }, d);
}

export const iommu_domain_alloc: CallModel<'iommu_domain_alloc'> = (c) => {
  if (c.rec.ret === null) return setRet(c.d, undefined, 'allocation failure (-ENOMEM) is the environment, not a rule');
  const name = recordedName(c.rec) ?? modelName('dom', c.rec.seq);
  allocDomain(c, name, c.rec.args.type, null);
  setRet(c.d, name, 'iommu_domain_alloc returns the new domain');
};

export const iommu_sva_domain_alloc: CallModel<'iommu_sva_domain_alloc'> = (c) => {
  if (c.rec.ret === null) return setRet(c.d, undefined, 'allocation failure (-ENOMEM) is the environment, not a rule');
  const name = recordedName(c.rec) ?? modelName('sva-dom', c.rec.seq);
  allocDomain(c, name, 'sva', c.rec.args.mm);
  setRet(c.d, name, 'iommu_sva_domain_alloc returns the new SVA domain');
};

export const iommu_domain_free: CallModel<'iommu_domain_free'> = ({ w, p, d, rec }) => {
  retFrom(d, w.step(domainKind, rec.args.domain, { domain: rec.args.domain }, { type: 'FREE', p }, d));
};

export const iommu_attach_device_pasid: CallModel<'iommu_attach_device_pasid'> = (c) => {
  const a = c.rec.args;
  attachPasid(c, { domain: a.domain, dev: a.dev, pasid: a.pasid, handle: a.handle ?? null });
};

export const iommu_detach_device_pasid: CallModel<'iommu_detach_device_pasid'> = (c) => {
  const a = c.rec.args;
  detachPasid(c, { domain: a.domain, dev: a.dev, pasid: a.pasid });
};

export const iommu_replace_device_pasid: CallModel<'iommu_replace_device_pasid'> = (c) => {
  const { w, p, d, rec } = c;
  const a = rec.args;
  const { key, group, snap } = slotOf(w, a.dev, a.pasid);
  const old = (snap.context as PasidSlotContext).domain;
  const domainFreed = w.peek(domainKind, a.domain, { domain: a.domain }).value === 'freed';
  const members = groupDevices(w, a.dev);
  const r = w.step(pasidSlotKind, key, { group, pasid: a.pasid }, { type: 'REPLACE', p, dev: a.dev, domain: a.domain, handle: a.handle ?? null, domainFreed, nullHandle: a.handle === null, ...attachFacts(w, a.dev, members) }, d);
  retFrom(d, r);
  if (hasFact(r, 'PasidReplaced') && old !== null) {
    w.step(domainKind, old, { domain: old }, { type: 'DETACHED', p }, d);
    w.step(domainKind, a.domain, { domain: a.domain }, { type: 'ATTACHED', p }, d);
    for (const dev of members) d.children.push({ fn: 'set_dev_pasid', args: { domain: a.domain, dev, pasid: a.pasid, old }, ret: 0 });
  }
};

/** Driver ops seen outside a core call are observed only: the core call that made them carries the rules. */
export const set_dev_pasid: CallModel<'set_dev_pasid'> = ({ d }) => setRet(d, undefined, 'driver op observed outside a core call');
export const remove_dev_pasid: CallModel<'remove_dev_pasid'> = ({ d }) => setRet(d, undefined, 'driver op observed outside a core call');

export const pci_dev_reset_iommu_prepare: CallModel<'pci_dev_reset_iommu_prepare'> = ({ w, p, d, rec }) => {
  retFrom(d, w.step(deviceKind, rec.args.dev, { dev: rec.args.dev }, { type: 'RESET_PREPARE', p }, d));
};

export const pci_dev_reset_iommu_done: CallModel<'pci_dev_reset_iommu_done'> = ({ w, p, d, rec }) => {
  retFrom(d, w.step(deviceKind, rec.args.dev, { dev: rec.args.dev }, { type: 'RESET_DONE', p }, d));
};
