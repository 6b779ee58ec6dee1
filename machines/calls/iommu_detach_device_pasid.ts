/**
 * iommu_detach_device_pasid(domain, dev, pasid) — drivers/iommu/iommu.c, v6.2+ (§4.2): remove_dev_pasid
 * runs on every group device, then the slot is erased whatever it held. A domain other than the
 * erased one WARNs up to v6.10 and passes silently from v6.11 (14678219cf40); nothing attached WARNs
 * the same way (A35). Its checks are CHECKS below; it returns void. Pure.
 */
import type { Snap } from '../kit/lifecycle.js';
import { domainKind } from '../device/domain.machine.js';
import { pasidSlotKind, type PasidSlotContext } from '../device/pasidSlot.machine.js';
import { decideBy, firstCheck, type Check } from '../kit/checks.js';
import { defineCall, setRet } from '../kit/call.js';
import type { Footprint, FootprintScope } from '../kit/footprint.js';
import { slotResource } from '../kit/footprint.js';
import { deviceOf, pasidMembers, slotKey, type Env } from './reads.js';

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

interface DetachReads {
  readonly dev: string;
  readonly pasid: number;
  readonly domain: string;
  readonly slot: Snap<PasidSlotContext>;
  /** Neither the device's probe nor the domain's allocation is in the capture: it may predate it. */
  readonly unseenHistory: boolean;
}

const CHECKS: readonly Check<DetachReads, 'erase'>[] = [
  // Why: a capture that begins late must not turn every detach of an older attachment into A35.
  { when: (r) => r.slot.value === 'empty' && r.unseenHistory, ret: null, rule: 'iommu_detach_device_pasid of a PASID that may have been attached before the capture began' },
  {
    when: (r) => r.slot.value === 'empty',
    ret: null,
    finding: 'DETACH_NOT_ATTACHED',
    detail: (r) => `${r.dev} pasid ${r.pasid}: nothing is attached (detached with ${r.domain})`,
    rule: 'iommu_detach_device_pasid: xa_erase returns NULL ≠ domain (WARN_ON before v6.11, silent after; §4.2)',
  },
  {
    when: (r) => r.domain !== r.slot.context.domain,
    ret: null,
    finding: 'DETACH_WRONG_DOMAIN',
    detail: (r) => `${r.dev} pasid ${r.pasid}: detached with ${r.domain} but ${r.slot.context.domain} is attached`,
    rule: 'iommu_detach_device_pasid: erased domain ≠ passed domain (WARN_ON v6.2–v6.10; silent and the wrong old domain reaches the driver from v6.11; §4.2)',
    then: 'erase',
  },
  { ret: null, rule: 'iommu_detach_device_pasid: remove_dev_pasid on every group device, slot erased (§4.2)', then: 'erase' },
];

/** iommu_detach_device_pasid (§4.2). Unbind composes it. */
export function detachPasid({ w, p, d }: Env, a: { domain: string; dev: string; pasid: number }): void {
  const group = deviceOf(w, a.dev).context.group;
  const slot = w.get(pasidSlotKind, slotKey(group, a.pasid), { group, pasid: a.pasid });
  const unseenHistory = deviceOf(w, a.dev).value === 'preexisting' && w.get(domainKind, a.domain, { domain: a.domain }).context.type === 'unknown';
  const r: DetachReads = { ...a, slot, unseenHistory };
  const row = firstCheck(CHECKS, r);
  // group->pasid_array is per group: a detach through another device of the group ends the attachment of the device that made it.
  if (row.then === 'erase') w.emit(d, { type: 'PasidDetached', group, dev: slot.context.dev ?? a.dev, pasid: a.pasid, domain: slot.context.domain ?? '' });
  decideBy(d, row, r, { dev: a.dev, domain: a.domain }, { setsRet: false });
  setRet(d, null, 'iommu_detach_device_pasid returns void');
  // __iommu_remove_group_pasid runs before xa_erase whatever the slot holds, even nothing (§4.2, A35).
  // From v6.10 the driver is handed the caller's domain as the old one, right or wrong (A34).
  for (const dev of pasidMembers(w, p, a.dev)) {
    d.children.push({ fn: 'remove_dev_pasid', args: p.removeDevPasidGetsDomain ? { dev, pasid: a.pasid, domain: a.domain } : { dev, pasid: a.pasid } });
  }
}

export default defineCall({
  fn: 'iommu_detach_device_pasid',
  exists: [{ since: '6.2' }],
  existsFollows: ['svaDomains'],
  nested: ['remove_dev_pasid'],
  raises: ['DETACH_WRONG_DOMAIN', 'DETACH_NOT_ATTACHED'],
  footprint: (rec, _p, scope) => slotChangeFootprint(rec.args, scope, []),
  decide: (c) => {
    const a = c.rec.args;
    detachPasid(c, { domain: a.domain, dev: a.dev, pasid: a.pasid });
  },
});
