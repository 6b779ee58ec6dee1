/**
 * iommu_attach_device_pasid(domain, dev, pasid, handle) — drivers/iommu/iommu.c, v6.2+ (§4.1). The
 * checks, in the kernel's order, are the ATTACH transitions of the PASID slot
 * (machines/device/pasidSlot.machine.ts); this model feeds them what the kernel reads: the group,
 * whether it is being reset, the smallest max_pasids of the group's devices (for_each_group_device,
 * c404f55c26fc; devices with max_pasids 0 skipped, b3f6fcd8404f) and whether the domain was freed.
 * On success set_dev_pasid runs on every group device and the slot stores the domain. Pure.
 */
import type { Ret } from '../../events/records.js';
import { deviceKind } from '../device/device.machine.js';
import { domainKind } from '../device/domain.machine.js';
import { pasidSlotKind } from '../device/pasidSlot.machine.js';
import { globalPasidKind } from '../global/globalPasid.machine.js';
import { defineCall, hasFact, retFrom } from '../kit/call.js';
import { slotResource } from '../kit/footprint.js';
import { deviceOf, groupDevices, slotOf, type Env } from './reads.js';

/** What the attach checks read: group present, reset, and the smallest max_pasids > 0 among the group's devices. */
export function attachReads(w: Env['w'], dev: string, members: readonly string[]) {
  const d = deviceOf(w, dev);
  let maxPasids: number | null = null;
  for (const id of members) {
    const m = deviceOf(w, id).context.maxPasids;
    if (m !== null && m > 0 && (maxPasids === null || m < maxPasids)) maxPasids = m;
  }
  return { hasGroup: d.value !== 'released', maxPasids, resetting: d.context.resetting };
}

/** Keeps the counts of the domain, the device and the global PASID in step with a slot change. */
export function countAttachment({ w, p, d }: Env, dev: string, pasid: number, domain: string, how: 'ATTACHED' | 'DETACHED'): void {
  w.step(domainKind, domain, { domain }, { type: how, p }, d);
  w.step(deviceKind, dev, { dev }, { type: how, p }, d);
  w.step(globalPasidKind, String(pasid), { pasid }, { type: how, p }, d);
}

/** iommu_attach_device_pasid (§4.1); returns the call's return. Bind composes it for the SVA domain. */
export function attachPasid(env: Env, a: { domain: string; dev: string; pasid: number; handle: string | null }): Ret | undefined {
  const { w, p, d } = env;
  const { key, group } = slotOf(w, a.dev, a.pasid);
  const domainFreed = w.peek(domainKind, a.domain, { domain: a.domain }).value === 'freed';
  const members = groupDevices(w, a.dev);
  const r = w.step(pasidSlotKind, key, { group, pasid: a.pasid }, { type: 'ATTACH', p, dev: a.dev, domain: a.domain, handle: a.handle, domainFreed, ...attachReads(w, a.dev, members) }, d);
  const ret = retFrom(d, r);
  if (hasFact(r, 'PasidAttached')) {
    countAttachment(env, a.dev, a.pasid, a.domain, 'ATTACHED');
    for (const dev of members) d.children.push({ fn: 'set_dev_pasid', args: { domain: a.domain, dev, pasid: a.pasid }, ret: 0 });
  }
  return ret;
}

export default defineCall({
  fn: 'iommu_attach_device_pasid',
  exists: [{ since: '6.2' }],
  nested: ['set_dev_pasid'],
  raises: ['ATTACH_BUSY', 'ATTACH_PASID_OUT_OF_RANGE', 'ATTACH_PASID_ZERO', 'ATTACH_DURING_RESET', 'ATTACH_FREED_DOMAIN'],
  footprint: (rec, _p, scope) => {
    const a = rec.args;
    return { reads: [], writes: [slotResource(scope, a.dev, a.pasid), `dev:${a.dev}`, `domain:${a.domain}`, `gpasid:${a.pasid}`] };
  },
  decide: (c) => {
    const a = c.rec.args;
    attachPasid(c, { domain: a.domain, dev: a.dev, pasid: a.pasid, handle: a.handle ?? null });
  },
});
