/**
 * iommu_aux_attach_device(domain, dev) — drivers/iommu/iommu.c, v5.2–v5.17 (aux domains: added in
 * the v5.2 IOMMU pull, removed by 8652d875939b in v5.18), VT-d intel_iommu_aux_attach_device →
 * aux_domain_add_dev: only an unmanaged domain can be an aux domain (is_aux_domain, -EPERM); the
 * domain's first aux attach allocates its default PASID with ioasid_alloc(NULL, PASID_MIN,
 * pci_max_pasids - 1, …), and INVALID_IOASID is pr_err "Can't allocate default pasid", -ENODEV.
 * Later attaches reuse domain->default_pasid, which the last detach freed without resetting it: a
 * re-attach after that programs a PASID the allocator may have handed to someone else (#21 C5).
 * The nested ioasid_alloc is decided by the IOASID model on its own; this call reads its return. Pure.
 */
import { INVALID_IOASID } from '../../events/fields.js';
import type { Snap } from '../kit/lifecycle.js';
import type { DomainContext } from '../device/domain.machine.js';
import { decideBy, firstCheck, type Check } from '../kit/checks.js';
import { childOf, defineCall } from '../kit/call.js';
import { domainOf } from './reads.js';

interface AuxAttachReads {
  readonly dev: string;
  readonly domain: Snap<DomainContext>;
  /** What the nested ioasid_alloc returned, when the capture shows it. */
  readonly allocated: number | typeof INVALID_IOASID | undefined;
}

const first = (r: AuxAttachReads) => r.domain.context.auxPasid === null || r.domain.context.auxPasid <= 0;

const CHECKS: readonly Check<AuxAttachReads, 'attach'>[] = [
  {
    when: (r) => r.domain.value === 'freed',
    ret: 0,
    finding: 'ATTACH_FREED_DOMAIN',
    detail: (r) => `${r.dev}: ${r.domain.context.domain} was freed (aux attach)`,
    rule: 'iommu_aux_attach_device programs a freed domain (use-after-free, C5)',
    then: 'attach',
  },
  {
    when: (r) => r.domain.context.type !== 'unknown' && r.domain.context.type !== 'unmanaged',
    ret: '-EPERM',
    finding: 'AUX_ATTACH_NOT_AUX',
    detail: (r) => `${r.domain.context.domain} is a ${r.domain.context.type} domain`,
    rule: 'intel_iommu_aux_attach_device: !is_aux_domain (not IOMMU_DOMAIN_UNMANAGED) → -EPERM (C5)',
  },
  {
    when: (r) => first(r) && r.allocated === INVALID_IOASID,
    ret: '-ENODEV',
    finding: 'AUX_ATTACH_NO_PASID',
    detail: (r) => `no default PASID for ${r.domain.context.domain} on ${r.dev}`,
    rule: 'aux_domain_add_dev: ioasid_alloc returned INVALID_IOASID → pr_err "Can\'t allocate default pasid", -ENODEV (C5)',
  },
  {
    when: (r) => !first(r) && r.domain.context.auxDevs.length === 0 && r.domain.context.auxPasidFreed,
    ret: 0,
    finding: 'AUX_REATTACH_FREED_PASID',
    detail: (r) => `${r.domain.context.domain} reuses its default PASID ${r.domain.context.auxPasid}, freed at its last aux detach`,
    rule: 'aux_domain_add_dev allocates only while domain->default_pasid <= 0, and the last unlink frees it without resetting it (C5)',
    then: 'attach',
  },
  { ret: 0, rule: 'aux_domain_add_dev: the default PASID set up for the device (C5)', then: 'attach' },
];

export default defineCall({
  fn: 'iommu_aux_attach_device',
  exists: [{ until: '5.18' }],
  existsFollows: ['auxDomains'],
  raises: ['AUX_ATTACH_NOT_AUX', 'AUX_ATTACH_NO_PASID', 'AUX_REATTACH_FREED_PASID'],
  footprint: (rec) => ({ reads: [], writes: [`domain:${rec.args.domain}`, `dev:${rec.args.dev}`] }),
  decide: ({ w, d, rec, children }) => {
    const domain = domainOf(w, rec.args.domain);
    const ret = childOf(children, 'ioasid_alloc')?.ret;
    const allocated = typeof ret === 'number' || ret === INVALID_IOASID ? ret : undefined;
    const r: AuxAttachReads = { dev: rec.args.dev, domain, allocated };
    const row = firstCheck(CHECKS, r);
    if (row.then === 'attach') {
      const fresh = first(r) && typeof allocated === 'number';
      w.emit(d, { type: 'AuxDomainAttached', domain: rec.args.domain, dev: rec.args.dev, ...(fresh ? { pasid: allocated } : {}) });
    }
    decideBy(d, row, r, { dev: rec.args.dev, domain: rec.args.domain });
  },
});
