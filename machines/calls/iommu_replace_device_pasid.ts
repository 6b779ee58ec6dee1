/**
 * iommu_replace_device_pasid(domain, dev, pasid, handle) — drivers/iommu/iommu.c, v6.15+
 * (8a9e1e773f60, §4.3): swaps the domain of an attached PASID with set_dev_pasid(new, old) on every
 * group device. It has no max_pasids loop (only attach walks the group for that). Its checks are
 * CHECKS below, in the kernel's order. Pure.
 */
import { decideBy, firstCheck, type Check } from '../kit/checks.js';
import { defineCall } from '../kit/call.js';
import type { Ret } from '../../events/records.js';
import { attachReads, driverFailure, PRECHECKS, undoCalls, type AttachReads } from './iommu_attach_device_pasid.js';
import { slotChangeFootprint } from './iommu_detach_device_pasid.js';

type ReplaceReads = AttachReads & { readonly nullHandle: boolean };

const CHECKS: readonly Check<ReplaceReads, 'replace'>[] = [
  PRECHECKS.noGroup,
  { when: (r) => r.nullHandle, ret: '-EINVAL', rule: 'iommu_replace_device_pasid: !handle → -EINVAL (§4.3)' },
  PRECHECKS.pasidZero,
  PRECHECKS.resetting,
  { when: (r) => r.slot.value === 'empty', ret: '-EINVAL', finding: 'REPLACE_NOT_ATTACHED', detail: (r) => `${r.dev} pasid ${r.pasid}: nothing is attached`, rule: 'iommu_replace_device_pasid: nothing attached → -EINVAL (§4.3)' },
  {
    when: (r) => r.handle !== null && r.handle === r.slot.context.handle,
    ret: '-EINVAL',
    finding: 'REPLACE_SAME_HANDLE',
    detail: (r) => `${r.dev} pasid ${r.pasid}: handle ${r.slot.context.handle} is already installed`,
    rule: 'iommu_replace_device_pasid: same handle as installed → WARN_ON(1), -EINVAL (§4.3)',
  },
  { when: (r) => r.domain === r.slot.context.domain, ret: 0, rule: 'iommu_replace_device_pasid: same domain → only the handle is swapped (§4.3)', then: 'replace' },
  { ret: 0, rule: 'iommu_replace_device_pasid: set_dev_pasid(new, old) on every group device (§4.3)', then: 'replace' },
];

export default defineCall({
  fn: 'iommu_replace_device_pasid',
  exists: [{ since: '6.15' }],
  existsFollows: ['replace'],
  nested: ['set_dev_pasid'],
  raises: ['REPLACE_NOT_ATTACHED', 'REPLACE_SAME_HANDLE'],
  footprint: (rec, _p, scope) => slotChangeFootprint(rec.args, scope, [rec.args.domain]),
  decide: (c) => {
    const { w, p, d, rec } = c;
    const a = rec.args;
    const handle = a.handle ?? null;
    const r: ReplaceReads = { ...attachReads(w, p, { domain: a.domain, dev: a.dev, pasid: a.pasid, handle }), nullHandle: a.handle === null };
    const row = firstCheck(CHECKS, r);
    const old = r.slot.context.domain;
    const failure = row.then === 'replace' && old !== null && old !== a.domain ? driverFailure(c.children, r.members, a.domain) : null;
    if (failure !== null && old !== null) {
      // #21 B5: the devices before the failing one are set back to the old domain; the slot keeps it.
      r.members.slice(0, failure.at).forEach((dev) => d.children.push({ fn: 'set_dev_pasid', args: { domain: a.domain, dev, pasid: a.pasid, old }, ret: 0 }));
      d.children.push({ fn: 'set_dev_pasid', args: { domain: a.domain, dev: r.members[failure.at], pasid: a.pasid, old }, ret: failure.err as Ret });
      d.children.push(...undoCalls(p, r.members, failure.at, a.pasid, a.domain, old));
      d.ret = failure.err as Ret;
      d.rule = `iommu_replace_device_pasid: set_dev_pasid of ${r.members[failure.at]} failed ${failure.err} → the devices before it set back to ${old}, the error returned (§4.3)`;
      return;
    }
    if (row.then === 'replace' && old !== null) {
      w.emit(d, { type: 'PasidReplaced', group: r.slot.context.group, dev: a.dev, pasid: a.pasid, from: old, to: a.domain, ...(handle === null ? {} : { handle }) });
      if (old !== a.domain) for (const dev of r.members) d.children.push({ fn: 'set_dev_pasid', args: { domain: a.domain, dev, pasid: a.pasid, old }, ret: 0 });
    }
    decideBy(d, row, r, { dev: a.dev, domain: a.domain, handle });
  },
});
