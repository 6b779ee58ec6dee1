/**
 * iommu_aux_detach_device(domain, dev) — drivers/iommu/iommu.c, v5.2–v5.17, VT-d
 * aux_domain_remove_dev: unlinks the device; with the domain's last aux device the default PASID is
 * freed (ioasid_free up to v5.10, ioasid_put v5.11–v5.17, nested and decided by the IOASID model)
 * while domain->default_pasid keeps the number (#21 C5). Pure.
 */
import { decideBy, firstCheck, type Check } from '../kit/checks.js';
import { defineCall, setRet } from '../kit/call.js';
import { domainOf } from './reads.js';

interface AuxDetachReads {
  readonly dev: string;
  readonly domain: string;
  readonly devs: readonly string[];
  /** The capture saw the domain allocated or aux-attached (a late capture gets the benefit of the doubt). */
  readonly seen: boolean;
}

const CHECKS: readonly Check<AuxDetachReads, 'detach'>[] = [
  { when: (r) => !r.devs.includes(r.dev) && !r.seen, ret: null, rule: 'iommu_aux_detach_device of an aux attach that may predate the capture' },
  {
    when: (r) => !r.devs.includes(r.dev),
    ret: null,
    finding: 'AUX_DETACH_NOT_ATTACHED',
    detail: (r) => `${r.domain} is not aux-attached to ${r.dev}`,
    rule: 'iommu_aux_detach_device of a (domain, device) pair that is not aux-attached (C5)',
  },
  { ret: null, rule: 'aux_domain_remove_dev: the device unlinked; the last one frees the default PASID (C5)', then: 'detach' },
];

export default defineCall({
  fn: 'iommu_aux_detach_device',
  exists: [{ until: '5.18' }],
  existsFollows: ['auxDomains'],
  raises: ['AUX_DETACH_NOT_ATTACHED'],
  footprint: (rec) => ({ reads: [], writes: [`domain:${rec.args.domain}`, `dev:${rec.args.dev}`] }),
  decide: ({ w, d, rec }) => {
    const dom = domainOf(w, rec.args.domain).context;
    const r: AuxDetachReads = { dev: rec.args.dev, domain: rec.args.domain, devs: dom.auxDevs, seen: dom.type !== 'unknown' || dom.auxPasid !== null };
    const row = firstCheck(CHECKS, r);
    if (row.then === 'detach') w.emit(d, { type: 'AuxDomainDetached', domain: rec.args.domain, dev: rec.args.dev, last: dom.auxDevs.length === 1 });
    decideBy(d, row, r, { dev: rec.args.dev, domain: rec.args.domain }, { setsRet: false });
    setRet(d, null, 'iommu_aux_detach_device returns void');
  },
});
