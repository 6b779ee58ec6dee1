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

/** What the attach checks read about the device: group present, max_pasids (0 = skipped by the check), reset. */
function attachFacts(w: World, dev: string) {
  const d = deviceOf(w, dev);
  const c: DeviceContext = d.context;
  return { hasGroup: d.value !== 'released', maxPasids: c.maxPasids !== null && c.maxPasids > 0 ? c.maxPasids : null, resetting: c.resetting };
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
  const r = w.step(pasidSlotKind, key, { group, pasid: a.pasid }, { type: 'ATTACH', p, dev: a.dev, domain: a.domain, handle: a.handle, domainFreed, ...attachFacts(w, a.dev) }, d);
  const ret = retFrom(d, r);
  if (hasFact(r, 'PasidAttached')) {
    countAttachment(env, a.dev, a.pasid, a.domain, 'ATTACHED');
    d.children.push({ fn: 'set_dev_pasid', args: { domain: a.domain, dev: a.dev, pasid: a.pasid }, ret: 0 });
  }
  return ret;
}

/** iommu_detach_device_pasid (§4.2). */
export function detachPasid(env: Env, a: { domain: string; dev: string; pasid: number }): void {
  const { w, p, d } = env;
  const { key, group, snap } = slotOf(w, a.dev, a.pasid);
  const attached = (snap.context as PasidSlotContext).domain;
  const r = w.step(pasidSlotKind, key, { group, pasid: a.pasid }, { type: 'DETACH', p, dev: a.dev, domain: a.domain }, d);
  setRet(d, null, 'iommu_detach_device_pasid returns void');
  if (hasFact(r, 'PasidDetached') && attached !== null) countAttachment(env, a.dev, a.pasid, attached, 'DETACHED');
  // The driver op runs before the xa_erase check, attached or not; from v6.10 it is handed the
  // caller's domain as the old one, right or wrong (§4.2, A34).
  d.children.push({ fn: 'remove_dev_pasid', args: p.removeDevPasidGetsDomain ? { dev: a.dev, pasid: a.pasid, domain: a.domain } : { dev: a.dev, pasid: a.pasid } });
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
  const r = w.step(pasidSlotKind, key, { group, pasid: a.pasid }, { type: 'REPLACE', p, dev: a.dev, domain: a.domain, handle: a.handle ?? null, domainFreed, ...attachFacts(w, a.dev) }, d);
  retFrom(d, r);
  if (hasFact(r, 'PasidReplaced') && old !== null) {
    w.step(domainKind, old, { domain: old }, { type: 'DETACHED', p }, d);
    w.step(domainKind, a.domain, { domain: a.domain }, { type: 'ATTACHED', p }, d);
    d.children.push({ fn: 'set_dev_pasid', args: { domain: a.domain, dev: a.dev, pasid: a.pasid, old }, ret: 0 });
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
