/**
 * iommu_domain_free(domain) — drivers/iommu/iommu.c (§4): frees the domain without looking at its
 * attachments (the PASID slots then keep a dangling domain, A37); a second free is a double free. Pure.
 */
import type { Snap } from '../kit/lifecycle.js';
import { domainKind, type DomainContext } from '../device/domain.machine.js';
import { decideBy, firstCheck, type Check } from '../kit/checks.js';
import { defineCall } from '../kit/call.js';
import type { Env } from './reads.js';

const CHECKS: readonly Check<Snap<DomainContext>, 'free'>[] = [
  { when: (s) => s.value === 'freed', ret: null, finding: 'DOMAIN_DOUBLE_FREE', detail: (s) => `${s.context.domain} was already freed`, rule: 'iommu_domain_free of a freed domain: double free' },
  {
    when: (s) => s.value === 'attached',
    ret: null,
    finding: 'DOMAIN_FREE_ATTACHED',
    detail: (s) => `${s.context.domain} is still attached to ${s.context.attachments} PASID slot(s)`,
    rule: 'iommu_domain_free does not check attachments: the PASID slots keep a dangling domain (A37)',
    then: 'free',
  },
  { ret: null, rule: 'iommu_domain_free of an unattached domain', then: 'free' },
];

/** iommu_domain_free (§4); `setsRet` false when an enclosing call (unbind, bind's error path) frees it. */
export function freeDomain({ w, d }: Env, domain: string, setsRet: boolean): void {
  const snap = w.get(domainKind, domain, { domain });
  const row = firstCheck(CHECKS, snap);
  if (row.then === 'free') w.emit(d, { type: 'DomainFreed', domain });
  decideBy(d, row, snap, {}, { setsRet });
}

export default defineCall({
  fn: 'iommu_domain_free',
  exists: [{}],
  raises: ['DOMAIN_FREE_ATTACHED', 'DOMAIN_DOUBLE_FREE'],
  footprint: (rec) => ({ reads: [], writes: [`domain:${rec.args.domain}`] }),
  decide: (c) => freeDomain(c, c.rec.args.domain, true),
});
