/**
 * iommu_domain_alloc(type, dev) — drivers/iommu/iommu.c (§4): a new domain, named by the capture
 * (its pointer) or after the record's seq. A NULL return is an allocation failure: the environment,
 * not a rule. Pure.
 */
import type { DomainType } from '../../events/fields.js';
import { defineCall, modelName, recordedName, setRet } from '../kit/call.js';
import type { Env } from './reads.js';

/** A new domain's name: the capture's, or one derived from the seq (scenario files). */
export function allocDomain({ w, d }: Env, name: string, type: DomainType, mm: string | null): void {
  w.emit(d, { type: 'DomainAllocated', domain: name, domain_type: type, mm });
}

export default defineCall({
  fn: 'iommu_domain_alloc',
  exists: [{}],
  footprint: (rec) => ({ reads: [], writes: [`domain:${recordedName(rec) ?? modelName('dom', rec.seq)}`] }),
  decide: (c) => {
    if (c.rec.ret === null) return setRet(c.d, undefined, 'allocation failure (-ENOMEM) is the environment, not a rule');
    const name = recordedName(c.rec) ?? modelName('dom', c.rec.seq);
    allocDomain(c, name, c.rec.args.type, null);
    setRet(c.d, name, 'iommu_domain_alloc returns the new domain');
  },
});
