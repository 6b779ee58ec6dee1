/**
 * iommu_aux_get_pasid(domain, dev) — drivers/iommu/iommu.c, v5.2–v5.17, VT-d
 * intel_iommu_aux_get_pasid: domain->default_pasid > 0 ? default_pasid : -EINVAL. The number stays
 * after the last aux detach freed it, so a driver can still read (and program) a freed PASID (#21 C5). Pure.
 */
import { decideBy, firstCheck, type Check } from '../kit/checks.js';
import { defineCall, setRet } from '../kit/call.js';
import type { DomainContext } from '../device/domain.machine.js';
import { domainOf } from './reads.js';

type Reads = DomainContext & { readonly dev: string };

const CHECKS: readonly Check<Reads>[] = [
  // Why: aux-attached while the capture did not show the allocation: the number is unknown.
  { when: (r) => r.auxPasid === null && r.auxDevs.length > 0, rule: 'iommu_aux_get_pasid: the default PASID was allocated where the capture did not see it' },
  { when: (r) => r.auxPasid === null && r.type === 'unknown', rule: 'iommu_aux_get_pasid of a domain the capture never saw' },
  {
    when: (r) => r.auxPasid === null,
    ret: '-EINVAL',
    finding: 'AUX_GET_PASID_NONE',
    detail: (r) => `${r.domain} has no default PASID (never aux-attached)`,
    rule: 'intel_iommu_aux_get_pasid: default_pasid <= 0 → -EINVAL (C5)',
  },
  { rule: 'intel_iommu_aux_get_pasid: the domain\'s default PASID (C5)' },
];

export default defineCall({
  fn: 'iommu_aux_get_pasid',
  exists: [{ until: '5.18' }],
  existsFollows: ['auxDomains'],
  raises: ['AUX_GET_PASID_NONE'],
  footprint: (rec) => ({ reads: [`domain:${rec.args.domain}`], writes: [] }),
  decide: ({ w, d, rec }) => {
    const r: Reads = { ...domainOf(w, rec.args.domain).context, dev: rec.args.dev };
    const row = firstCheck(CHECKS, r);
    decideBy(d, row, r, { dev: rec.args.dev, domain: rec.args.domain });
    if (row.ret === undefined) setRet(d, r.auxPasid ?? undefined, row.rule);
  },
});
