/**
 * iommu_detach_device_pasid(domain, dev, pasid) — drivers/iommu/iommu.c, v6.2+ (§4.2): remove_dev_pasid
 * on every group device, then the slot is erased whatever it held; a domain other than the erased one
 * WARNs up to v6.10 and passes silently from v6.11 (14678219cf40). The checks are the DETACH
 * transitions of the PASID slot. Pure.
 */
import { domainKind } from '../device/domain.machine.js';
import { pasidSlotKind, type PasidSlotContext } from '../device/pasidSlot.machine.js';
import { defineCall, hasFact, setRet } from '../kit/call.js';
import type { Footprint, FootprintScope } from '../kit/footprint.js';
import { slotResource } from '../kit/footprint.js';
import { countAttachment } from './iommu_attach_device_pasid.js';
import { deviceOf, groupDevices, slotOf, type Env } from './reads.js';

/**
 * A detach or replace counts down the domain in the slot, not necessarily its argument (§4.2, §4.3);
 * the argument domain is read too: whether a detach of nothing is a finding depends on whether the
 * capture saw it allocated (a late capture is given the benefit of the doubt).
 */
export function slotChangeFootprint(a: { dev: string; pasid: number; domain: string }, scope: FootprintScope, also: readonly string[]): Footprint {
  const g = scope.groupOf(a.dev);
  const held = g === null ? null : scope.slotDomains(g, a.pasid);
  const domains = held === null ? ['domain:*'] : [...held, ...also].map((d) => `domain:${d}`);
  return { reads: [`domain:${a.domain}`], writes: [slotResource(scope, a.dev, a.pasid), `dev:${a.dev}`, ...domains, `gpasid:${a.pasid}`] };
}

/** iommu_detach_device_pasid (§4.2). Unbind composes it. */
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

export default defineCall({
  fn: 'iommu_detach_device_pasid',
  exists: [{ since: '6.2' }],
  nested: ['remove_dev_pasid'],
  raises: ['DETACH_WRONG_DOMAIN', 'DETACH_NOT_ATTACHED'],
  footprint: (rec, _p, scope) => slotChangeFootprint(rec.args, scope, []),
  decide: (c) => {
    const a = c.rec.args;
    detachPasid(c, { domain: a.domain, dev: a.dev, pasid: a.pasid });
  },
});
