/**
 * iommu_detach_device_pasid(domain, dev, pasid) — drivers/iommu/iommu.c, v6.2+ (§4.2): the driver's
 * removal runs on every group device, then the slot is erased whatever it held. A domain other than
 * the erased one WARNs up to v6.10 and passes the core silently from v6.11 (14678219cf40); nothing
 * attached WARNs the same way (A35). From v6.10 (97e57733d8e3) the driver is handed the caller's
 * domain, so a freed one is used after its free (#21 B6) and a wrong one is what the driver tears
 * down with (#21 B10, per vendor). The removal is remove_dev_pasid up to v6.13 and the blocked
 * domain's set_dev_pasid with the domain as the old one from v6.14 (647b7aad1949). Its checks are
 * CHECKS below; it returns void. Pure.
 */
import type { Snap } from '../kit/lifecycle.js';
import { domainKind, type DomainContext } from '../device/domain.machine.js';
import { pasidSlotKind, type PasidSlotContext } from '../device/pasidSlot.machine.js';
import { decideBy, firstCheck, type Check } from '../kit/checks.js';
import { defineCall, setRet } from '../kit/call.js';
import type { Footprint, FootprintScope } from '../kit/footprint.js';
import { slotResource } from '../kit/footprint.js';
import type { ExpectedChild } from '../kit/world.js';
import type { Profile } from '../profile.js';
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
  readonly p: Profile;
  readonly dev: string;
  readonly pasid: number;
  readonly domain: string;
  readonly slot: Snap<PasidSlotContext>;
  /** The caller's domain. */
  readonly named: Snap<DomainContext>;
  /** Neither the device's probe nor the domain's allocation is in the capture: it may predate it. */
  readonly unseenHistory: boolean;
}

/** VT-d v6.10+ before 79ea2feb917b: the removal drops a per-IOMMU reference of the domain it is handed. */
const vtdCountsNamedDomain = (p: Profile) => p.vendor === 'intel' && p.removeDevPasidGetsDomain && !p.vtdRemoveChecksDomain;
/** The per-IOMMU reference count VT-d holds for a domain: its PASID attachments less the references wrongly dropped. */
const vtdRefs = (d: DomainContext) => d.attachments - d.vtdDrops;

/** What the driver does with a wrong domain, per vendor (v6.10+, when it is handed the caller's domain). */
function driverConsequence(r: DetachReads): string {
  const held = r.slot.context.domain ?? '?';
  if (!r.p.removeDevPasidGetsDomain) return '';
  switch (r.p.vendor) {
    case 'intel':
      return r.p.vtdRemoveChecksDomain
        ? `; VT-d WARNs once and returns without tearing ${held} down (79ea2feb917b)`
        : `; VT-d WARNs once, drops a reference of ${r.domain} on the IOMMU and tears down the PASID entry of ${held}, whose state stays`;
    case 'smmuv3':
      return `; SMMUv3 removes the PASID as if ${r.domain} were attached (its bond and ASID, not ${held}'s)`;
    case 'amd':
      return `; AMD finds no entry of the PASID on ${r.domain} and removes nothing: ${held} keeps translating the PASID after the core erased it`;
    default:
      return '; the driver tears down with the wrong domain (VT-d: a NULL dereference or refcount corruption; set host.iommu)';
  }
}

const FREED_RULE = 'iommu_detach_device_pasid hands the domain to the driver (v6.10+: the caller\'s; before, the one in the slot), which reads it after its free (§4.2, #21 B6)';

const CHECKS: readonly Check<DetachReads, 'erase'>[] = [
  // The slot still holds the freed domain (A37): the driver uses it in every era.
  {
    when: (r) => r.slot.value === 'attached' && r.slot.context.domain === r.domain && r.named.value === 'freed',
    ret: null,
    finding: 'DETACH_FREED_DOMAIN',
    detail: (r) => `${r.dev} pasid ${r.pasid}: ${r.domain} was freed while attached`,
    rule: FREED_RULE,
    then: 'erase',
  },
  {
    when: (r) => r.named.value === 'freed' && r.p.removeDevPasidGetsDomain,
    ret: null,
    finding: 'DETACH_FREED_DOMAIN',
    detail: (r) => `${r.dev} pasid ${r.pasid}: ${r.domain} was freed; ${r.slot.value === 'empty' ? 'nothing is attached' : `${r.slot.context.domain} is attached`}`,
    rule: FREED_RULE,
    then: 'erase',
  },
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
    detail: (r) => `${r.dev} pasid ${r.pasid}: detached with ${r.domain} but ${r.slot.context.domain} is attached${driverConsequence(r)}`,
    rule: 'iommu_detach_device_pasid: erased domain ≠ passed domain (WARN_ON v6.2–v6.10; the core is silent from v6.11 and the driver gets the wrong domain from v6.10; §4.2)',
    then: 'erase',
  },
  { ret: null, rule: 'iommu_detach_device_pasid: the driver removes the PASID on every group device, slot erased (§4.2)', then: 'erase' },
];

/** The NULL dereference in VT-d's domain_detach_iommu (#21 B10), when the removal finds the domain holds no reference. */
const REFCOUNT: Check<{ dev: string; pasid: number; domain: string; wrong: boolean }> = {
  finding: 'VTD_DOMAIN_REFCOUNT_CORRUPT',
  detail: (r) =>
    r.wrong
      ? `${r.dev} pasid ${r.pasid}: ${r.domain} holds no reference on the IOMMU, so domain_detach_iommu dereferences NULL at once`
      : `${r.dev} pasid ${r.pasid}: a wrong-domain detach dropped the last reference of ${r.domain} on the IOMMU, so domain_detach_iommu dereferences NULL`,
  rule: 'VT-d domain_detach_iommu: xa_load of the domain\'s per-IOMMU info returns NULL (v6.10+ before 79ea2feb917b; CVE-2026-53281; §4.2)',
};

/** The driver's removal of one group device's PASID as the core calls it in this era. */
export function removalCall(p: Profile, dev: string, pasid: number, domain: string): ExpectedChild {
  // v6.14+ (647b7aad1949): blocked_domain->ops->set_dev_pasid(blocked, dev, pasid, old = domain).
  if (p.removalViaBlockedDomain) return { fn: 'set_dev_pasid', args: { dev, pasid, old: domain }, ret: 0 };
  // From v6.10 the driver is handed the caller's domain as the old one, right or wrong (A34).
  return { fn: 'remove_dev_pasid', args: p.removeDevPasidGetsDomain ? { dev, pasid, domain } : { dev, pasid } };
}

/** iommu_detach_device_pasid (§4.2). Unbind composes it. */
export function detachPasid({ w, p, d }: Env, a: { domain: string; dev: string; pasid: number }): void {
  const device = deviceOf(w, a.dev);
  const group = device.context.group;
  const slot = w.get(pasidSlotKind, slotKey(group, a.pasid), { group, pasid: a.pasid });
  const named = w.get(domainKind, a.domain, { domain: a.domain });
  const unseenHistory = device.value === 'preexisting' && named.context.type === 'unknown';
  const r: DetachReads = { p, ...a, slot, named, unseenHistory };
  const row = firstCheck(CHECKS, r);
  const members = pasidMembers(w, p, a.dev);
  // group->pasid_array is per group: a detach through another device of the group ends the attachment of the device that made it.
  if (row.then === 'erase' && slot.value === 'attached') w.emit(d, { type: 'PasidDetached', group, dev: slot.context.dev ?? a.dev, pasid: a.pasid, domain: slot.context.domain ?? '' });
  decideBy(d, row, r, { dev: a.dev, domain: a.domain }, { setsRet: false });
  if (vtdCountsNamedDomain(p) && row.then === 'erase') {
    const wrong = row.finding === 'DETACH_WRONG_DOMAIN';
    // The removal of each group device drops one reference of the named domain (domain_detach_iommu).
    const refs = vtdRefs(named.context);
    if (wrong ? refs <= 0 : named.context.vtdDrops > 0 && refs <= 0) decideBy(d, REFCOUNT, { ...a, wrong }, { dev: a.dev, domain: a.domain }, { setsRet: false });
    else if (wrong) w.emit(d, { type: 'VtdDomainRefDropped', domain: a.domain });
  }
  setRet(d, null, 'iommu_detach_device_pasid returns void');
  // The removal runs before xa_erase whatever the slot holds, even nothing (§4.2, A35).
  for (const dev of members) d.children.push(removalCall(p, dev, a.pasid, a.domain));
}

export default defineCall({
  fn: 'iommu_detach_device_pasid',
  exists: [{ since: '6.2' }],
  existsFollows: ['svaDomains'],
  nested: ['remove_dev_pasid', 'set_dev_pasid'],
  raises: ['DETACH_WRONG_DOMAIN', 'DETACH_NOT_ATTACHED', 'DETACH_FREED_DOMAIN', 'VTD_DOMAIN_REFCOUNT_CORRUPT'],
  // Why: on VT-d a wrong-domain detach also counts down the named domain (#21 B10).
  footprint: (rec, p, scope) => slotChangeFootprint(rec.args, scope, p.vendor === 'intel' ? [rec.args.domain] : []),
  decide: (c) => {
    const a = c.rec.args;
    detachPasid(c, { domain: a.domain, dev: a.dev, pasid: a.pasid });
  },
});
