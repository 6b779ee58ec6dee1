/**
 * iommu_sva_domain_alloc(dev, mm) — drivers/iommu/iommu-sva.c, v6.2+ (§3.4, §3.5): a new SVA domain for
 * an mm (static from v6.11: then only seen nested in a bind). Pure.
 */
import { defineCall, modelName, recordedName, setRet } from '../kit/call.js';
import { allocDomain } from './iommu_domain_alloc.js';

export default defineCall({
  fn: 'iommu_sva_domain_alloc',
  exists: [{ since: '6.2' }],
  existsFollows: ['svaDomains'],
  footprint: (rec) => ({ reads: [], writes: [`domain:${recordedName(rec) ?? modelName('sva-dom', rec.seq)}`] }),
  decide: (c) => {
    if (c.rec.ret === null) return setRet(c.d, undefined, 'allocation failure (-ENOMEM) is the environment, not a rule');
    const name = recordedName(c.rec) ?? modelName('sva-dom', c.rec.seq);
    allocDomain(c, name, 'sva', c.rec.args.mm);
    setRet(c.d, name, 'iommu_sva_domain_alloc returns the new SVA domain');
  },
});
