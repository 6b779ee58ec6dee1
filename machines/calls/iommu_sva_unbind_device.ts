/**
 * iommu_sva_unbind_device(handle) — drivers/iommu/iommu-sva.c (iommu-sva-lib.c before v6.2), §3: drops
 * the handle's reference; the last one detaches and frees the SVA domain per era (v6.2+) and, before
 * v5.18, releases the bond's PASID (ioasid_put v5.11–v5.17, ioasid_free with the mm's last bond
 * before). An unbind of an unbound handle is a use-after-free. Composes iommu_detach_device_pasid,
 * iommu_domain_free and ioasid_free / ioasid_put. Pure.
 */
import type { CallName } from '../../events/records.js';
import { ioasidKind } from '../ioasid/ioasid.machine.js';
import { mmKind } from '../sva/mm.machine.js';
import { sharesHandle, svaBondKind, type SvaBondContext } from '../sva/svaBond.machine.js';
import { svaHandleKind, type SvaHandleContext } from '../sva/svaHandle.machine.js';
import type { Snap } from '../kit/lifecycle.js';
import { decideBy, firstCheck, type Check } from '../kit/checks.js';
import { releaseMmPasid } from './svaChecks.js';
import { childOf, defineCall, setRet, type CallContext } from '../kit/call.js';
import { slotResource, union } from '../kit/footprint.js';
import { releaseIoasid } from './ioasid_free.js';
import { freeGlobalPasid } from './iommu_free_global_pasid.js';
import { detachPasid } from './iommu_detach_device_pasid.js';
import { addSvaDomainUsers, svaPasidFootprint } from './iommu_sva_bind_device.js';
import { freeDomain } from './iommu_domain_free.js';
import { bondKey, ioasidKey, listOf, type Env } from './reads.js';

const NESTED: readonly CallName[] = ['iommu_detach_device_pasid', 'remove_dev_pasid', 'iommu_domain_free', 'ioasid_put', 'ioasid_free'];

/** The PASID side of the last unbind of a pair before v5.18: the bond's reference goes (§3.2). */
function releaseBondPasid(env: Env, mm: string, pasid: number, mmBonds: number): void {
  const { w, p, d } = env;
  if (p.svaPasidUntilMmExit) return;
  // Intel ≤ v5.13 (intel_svm_unbind_mm): one reference per svm, dropped when the mm's last device unbinds.
  const perMm = !p.ioasidRefcount || w.get(mmKind, mm, { mm }).context.intelSvm === true;
  if (p.ioasidRefcount && !perMm) {
    releaseIoasid(env, pasid, 'PUT');
    d.children.push({ fn: 'ioasid_put', args: { ioasid: pasid } });
  } else if (mmBonds <= 1) {
    const how = p.ioasidRefcount ? 'PUT' : 'FREE';
    releaseIoasid(env, pasid, how);
    d.children.push({ fn: how === 'PUT' ? 'ioasid_put' : 'ioasid_free', args: { ioasid: pasid } });
  }
  const space = listOf(w).active;
  if (!w.has(ioasidKind.id, ioasidKey(space, pasid))) releaseMmPasid(env, mm);
}

/**
 * The PASID of an mm whose mm_pasid_drop the capture showed while bonds pinned it (v5.18-rc6+): the
 * kernel frees it at __mmdrop once the last pin goes, which is now; no record shows that free.
 */
function releasePinnedPasid(env: Env, mm: string, pasid: number): void {
  if (env.p.ioasid) releaseIoasid(env, pasid, 'FREE');
  else freeGlobalPasid(env, pasid, 0);
  releaseMmPasid(env, mm);
}

/** The domain side of an unbind (v6.2+): detach and free per era (§3.4, §3.5). */
function releaseBondDomain(env: Env, b: SvaBondContext): void {
  const { w, p, d } = env;
  if (b.domain === null || b.pasid === null) return;
  const domain = b.domain;
  if (p.svaDomainPerMm) detachInside(env, domain, b.dev, b.pasid);
  const users = addSvaDomainUsers(env, domain, -1);
  if (users > 0) return;
  if (!p.svaDomainPerMm) detachInside(env, domain, b.dev, b.pasid);
  else w.emit(d, { type: 'MmSvaDomainRemoved', mm: b.mm, domain });
  freeDomain(env, domain, false);
  d.children.push({ fn: 'iommu_domain_free', args: { domain } });
}

function detachInside(env: Env, domain: string, dev: string, pasid: number): void {
  detachPasid(env, { domain, dev, pasid });
  env.d.children.push({ fn: 'iommu_detach_device_pasid', args: { domain, dev, pasid } });
}

/** What an unbind of a handle bound before the capture may do inside: the era's teardown calls (§3.2–§3.5). */
const TEARDOWN = new Set<string>(NESTED);

/**
 * Unbind of a handle bound before the capture began: the model cannot know the bond, so the nested
 * teardown calls the capture saw are expected as they are, and a freed domain is marked freed (a
 * later use is then caught). A detach of that older attachment is not applied: the slot is unknown.
 */
function unbindUnseen(c: CallContext<'iommu_sva_unbind_device'>): void {
  const { w, p, d, children } = c;
  for (const k of children) {
    if (!TEARDOWN.has(k.fn)) continue;
    d.children.push({ fn: k.fn, args: k.args as Readonly<Record<string, unknown>> });
    if (k.fn === 'iommu_domain_free') {
      freeDomain(c, (k.args as { domain: string }).domain, false);
    }
  }
  setRet(d, null, 'iommu_sva_unbind_device returns void');
}

/** iommu_sva_unbind_device has no check of the handle (§3.4, A25). */
const HANDLE_CHECKS: readonly Check<Snap<SvaHandleContext>>[] = [
  {
    when: (h) => h.value === 'freed',
    ret: null,
    finding: 'SVA_UNBIND_FREED_HANDLE',
    detail: (h) => `${h.context.handle} (${h.context.dev ?? '?'}, ${h.context.mm ?? '?'}) was already unbound and freed`,
    rule: 'iommu_sva_unbind_device has no check: the handle was kfree()d by an earlier unbind (§3.4, A25)',
  },
  { when: (h) => h.value === 'unseen', ret: null, rule: 'iommu_sva_unbind_device of a handle bound before the capture: nothing to check' },
  { ret: null, rule: 'iommu_sva_unbind_device of a live handle' },
];

export default defineCall({
  fn: 'iommu_sva_unbind_device',
  exists: [{}],
  nested: NESTED,
  raises: ['SVA_UNBIND_FREED_HANDLE'],
  footprint: (rec, p, scope) => {
    const owner = scope.handleOwner(rec.args.handle);
    const who = owner === null ? ['dev:*', 'mm:*', 'bond:*', 'slot:*'] : [`dev:${owner.dev}`, `mm:${owner.mm}`, `bond:${owner.dev}/${owner.mm}`, slotResource(scope, owner.dev, '*')];
    return union(svaPasidFootprint(p), { reads: [], writes: ['sva_lock', 'handle:*', ...who, 'domain:*', 'gpasid:*'] });
  },
  decide: (c) => {
    const { w, p, d, rec } = c;
    const handle = rec.args.handle;
    const h = w.get(svaHandleKind, handle, { handle });
    decideBy(d, firstCheck(HANDLE_CHECKS, h), h, {});
    setRet(d, null, 'iommu_sva_unbind_device returns void');
    if (h.value === 'unseen') return unbindUnseen(c);
    if (h.value !== 'live' || h.context.dev === null || h.context.mm === null) return;
    const { dev, mm } = h.context;
    const shares = sharesHandle(p);
    const bond = w.get(svaBondKind, bondKey(dev, mm), { dev, mm, shares });
    if (bond.value !== 'bound') return;
    const b: SvaBondContext = bond.context;
    const last = b.users <= 1;
    const mmBonds = w.get(mmKind, mm, { mm }).context.bonds;
    // One bind of the pair is gone; the last one ends the bond (and the mm and device count one bond less).
    // The handle is kfree()d with its last reference: every unbind of a per-bind handle (v6.2–v6.7), the last of a shared one.
    w.emit(d, { type: 'SvaUnbound', handle, dev: b.dev, mm: b.mm, domain: b.domain, users: b.users - 1 });
    if (shares && !last) {
      // Intel v5.11–v5.17 drops its per-bind PASID reference on every unbind (see the bind).
      if (p.ioasidRefcount && b.pasid !== null && childOf(c.children, 'ioasid_put') !== undefined) {
        releaseIoasid(c, b.pasid, 'PUT');
        d.children.push({ fn: 'ioasid_put', args: { ioasid: b.pasid } });
      }
      return setRet(d, null, 'iommu_sva_unbind_device: the handle refcount does not reach 0 (§3.5)');
    }
    if (p.svaDomains) releaseBondDomain(c, b);
    if (last) {
      if (!p.svaDomains && b.pasid !== null) releaseBondPasid(c, mm, b.pasid, mmBonds);
      const after = w.get(mmKind, mm, { mm }).context;
      if (after.dropPending === true && after.bonds === 0 && after.pasid !== null) releasePinnedPasid(c, mm, after.pasid);
    }
    setRet(d, null, 'iommu_sva_unbind_device returns void');
  },
});
