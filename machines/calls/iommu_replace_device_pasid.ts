/**
 * iommu_replace_device_pasid(domain, dev, pasid, handle) — drivers/iommu/iommu.c, v6.15+
 * (8a9e1e773f60, §4.3): swaps the domain of an attached PASID with set_dev_pasid(new, old) on every
 * group device; nothing attached → -EINVAL, the installed handle again → WARN and -EINVAL. The checks
 * are the REPLACE transitions of the PASID slot. Pure.
 */
import { domainKind } from '../device/domain.machine.js';
import { pasidSlotKind, type PasidSlotContext } from '../device/pasidSlot.machine.js';
import { defineCall, hasFact, retFrom } from '../kit/call.js';
import { attachReads } from './iommu_attach_device_pasid.js';
import { slotChangeFootprint } from './iommu_detach_device_pasid.js';
import { groupDevices, slotOf } from './reads.js';

export default defineCall({
  fn: 'iommu_replace_device_pasid',
  exists: [{ since: '6.15' }],
  nested: ['set_dev_pasid'],
  raises: ['REPLACE_NOT_ATTACHED', 'REPLACE_SAME_HANDLE'],
  footprint: (rec, _p, scope) => slotChangeFootprint(rec.args, scope, [rec.args.domain]),
  decide: ({ w, p, d, rec }) => {
    const a = rec.args;
    const { key, group, snap } = slotOf(w, a.dev, a.pasid);
    const old = (snap.context as PasidSlotContext).domain;
    const domainFreed = w.peek(domainKind, a.domain, { domain: a.domain }).value === 'freed';
    const members = groupDevices(w, a.dev);
    const r = w.step(pasidSlotKind, key, { group, pasid: a.pasid }, { type: 'REPLACE', p, dev: a.dev, domain: a.domain, handle: a.handle ?? null, domainFreed, nullHandle: a.handle === null, ...attachReads(w, a.dev, members) }, d);
    retFrom(d, r);
    if (hasFact(r, 'PasidReplaced') && old !== null) {
      w.step(domainKind, old, { domain: old }, { type: 'DETACHED', p }, d);
      w.step(domainKind, a.domain, { domain: a.domain }, { type: 'ATTACHED', p }, d);
      for (const dev of members) d.children.push({ fn: 'set_dev_pasid', args: { domain: a.domain, dev, pasid: a.pasid, old }, ret: 0 });
    }
  },
});
