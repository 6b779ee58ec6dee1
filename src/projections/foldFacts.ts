/**
 * The state view rebuilt from the facts alone (the event log), with no machine involved: the
 * projection side of event sourcing. `apply` is an exhaustive switch over fact types. Deterministic.
 */
import type { Fact } from '../../events/facts.js';
import type { Profile } from '../../machines/profile.js';
import { groupPasidKey, sortBy, spaceIdKey, type StateView } from './view.js';

interface Entry { space: string; alloc: string; free: string; members: string[]; head: string | null }
interface Ioasid { space: string; ioasid: number; set: string | null; private: string | null; refs: number; orphaned: boolean }
interface Domain { domain: string; type: string; mm: string | null; users: number; attachments: number; freed: boolean }

export class FactFold {
  #active = 'default';
  #entries: Entry[] = [];
  #ioasids = new Map<string, Ioasid>();
  #registrations = new Map<string, { role: string; space: string }>();
  #scalableMode = true;
  #smtRoots = new Set<string>();
  #rootTables = new Map<string, boolean>();
  #devices = new Map<string, { group: string; max_pasids: number | null; released: boolean }>();
  #resetting = new Set<string>();
  #slots = new Map<string, { group: string; pasid: number; dev: string; domain: string }>();
  #domains = new Map<string, Domain>();
  #bonds = new Map<string, { dev: string; mm: string; pasid: number | null; domain: string | null; users: number }>();
  #handles = new Map<string, { dev: string; mm: string }>();
  #mms = new Map<string, { pasid: number | null; exited: boolean }>();
  #globalPasids = new Map<number, { dev: string | null; mm: string | null }>();

  constructor(readonly profile: Profile) {}

  #domain(name: string): Domain {
    let d = this.#domains.get(name);
    if (!d) this.#domains.set(name, (d = { domain: name, type: 'unknown', mm: null, users: 0, attachments: 0, freed: false }));
    return d;
  }

  #mm(name: string) {
    let m = this.#mms.get(name);
    if (!m) this.#mms.set(name, (m = { pasid: null, exited: false }));
    return m;
  }

  apply(f: Fact): void {
    switch (f.type) {
      case 'AllocatorRegistered':
        if (f.role === 'shared') this.#entries.find((e) => e.space === f.space)?.members.push(f.ops);
        else this.#entries.push({ space: f.space, alloc: f.alloc, free: f.free, members: [f.ops], head: f.ops });
        this.#registrations.set(f.ops, { role: f.role, space: f.space });
        return;
      case 'AllocatorUnregistered': {
        const entry = this.#entries.find((e) => e.space === f.space);
        if (f.removed) {
          this.#entries = this.#entries.filter((e) => e.space !== f.space);
          for (const m of entry?.members ?? []) this.#registrations.delete(m);
        } else if (entry) {
          entry.members = entry.members.filter((m) => m !== f.ops);
          this.#registrations.delete(f.ops);
        }
        return;
      }
      case 'AllocatorSwitched':
        this.#active = f.to;
        for (const [ops, r] of this.#registrations) if (r.space === f.to && r.role === 'standby') this.#registrations.set(ops, { ...r, role: 'active' });
        return;
      case 'IoasidAllocated':
        this.#ioasids.set(spaceIdKey(f.space, f.ioasid), { space: f.space, ioasid: f.ioasid, set: f.set, private: f.private, refs: f.refs, orphaned: false });
        return;
      case 'IoasidFreed':
        this.#ioasids.delete(spaceIdKey(f.space, f.ioasid));
        return;
      case 'IoasidGot':
      case 'IoasidPut': {
        const i = this.#ioasids.get(spaceIdKey(f.space, f.ioasid));
        if (i) i.refs = f.refs;
        return;
      }
      case 'IoasidDataSet': {
        const i = this.#ioasids.get(spaceIdKey(f.space, f.ioasid));
        if (i) i.private = f.data;
        return;
      }
      case 'IoasidOrphaned': {
        const i = this.#ioasids.get(spaceIdKey(f.space, f.ioasid));
        if (i) i.orphaned = true;
        return;
      }
      case 'PasidAllocatorRegistrationFailed':
        return;
      case 'RootTableProgrammed':
        this.#rootTables.set(f.iommu, f.smt);
        if (f.smt) this.#smtRoots.add(f.iommu);
        return;
      case 'ScalableModeDisabled':
        this.#scalableMode = false;
        return;
      case 'DeviceProbed':
        this.#devices.set(f.dev, { group: f.group, max_pasids: f.max_pasids, released: false });
        return;
      case 'DeviceReleased': {
        const d = this.#devices.get(f.dev);
        this.#devices.set(f.dev, { group: d?.group ?? f.dev, max_pasids: d?.max_pasids ?? null, released: true });
        return;
      }
      case 'GroupResetStarted':
        this.#resetting.add(f.group);
        return;
      case 'GroupResetDone':
        this.#resetting.delete(f.group);
        return;
      case 'DomainAllocated':
        this.#domains.set(f.domain, { domain: f.domain, type: f.domain_type, mm: f.mm, users: 0, attachments: this.#domains.get(f.domain)?.attachments ?? 0, freed: false });
        return;
      case 'DomainFreed':
        this.#domain(f.domain).freed = true;
        return;
      case 'PasidAttached':
        this.#slots.set(groupPasidKey(f.group, f.pasid), { group: f.group, pasid: f.pasid, dev: f.dev, domain: f.domain });
        this.#domain(f.domain).attachments++;
        return;
      case 'PasidDetached': {
        this.#slots.delete(groupPasidKey(f.group, f.pasid));
        const d = this.#domain(f.domain);
        d.attachments = Math.max(0, d.attachments - 1);
        return;
      }
      case 'PasidReplaced': {
        const s = this.#slots.get(groupPasidKey(f.group, f.pasid));
        if (s) s.domain = f.to;
        const from = this.#domain(f.from);
        from.attachments = Math.max(0, from.attachments - 1);
        this.#domain(f.to).attachments++;
        return;
      }
      case 'SvaDomainUsersChanged':
        this.#domain(f.domain).users = f.users;
        return;
      case 'MmPasidAssigned':
        this.#mm(f.mm).pasid = f.pasid;
        return;
      case 'MmPasidReleased':
        this.#mm(f.mm).pasid = null;
        return;
      case 'MmExited': {
        const m = this.#mm(f.mm);
        m.exited = true;
        if (f.keepsPasid !== true) m.pasid = null;
        return;
      }
      case 'SvaBound':
        this.#bonds.set(`${f.dev}\u0000${f.mm}`, { dev: f.dev, mm: f.mm, pasid: f.pasid, domain: f.domain, users: f.users });
        this.#handles.set(f.handle, { dev: f.dev, mm: f.mm });
        return;
      case 'SvaUnbound': {
        const key = `${f.dev}\u0000${f.mm}`;
        if (f.users <= 0) this.#bonds.delete(key);
        else {
          const b = this.#bonds.get(key);
          if (b) b.users = f.users;
        }
        // Same rule as the handle machine's RELEASE: per-bind handles (v6.2–v6.7) go at every unbind, shared ones with the last.
        const p = this.profile;
        if (f.users <= 0 || (p.svaDomains && !p.svaHandleRefcount)) this.#handles.delete(f.handle);
        return;
      }
      case 'GlobalPasidAllocated':
        this.#globalPasids.set(f.pasid, { dev: f.dev, mm: f.mm });
        return;
      case 'GlobalPasidFreed':
        this.#globalPasids.delete(f.pasid);
        return;
    }
  }

  view(): StateView {
    const ioasids = sortBy([...this.#ioasids.entries()], ([k]) => k).map(([, i]) => ({ ...i }));
    const outstanding: Record<string, number[]> = {};
    for (const i of ioasids) if (!i.orphaned) (outstanding[i.space] ??= []).push(i.ioasid);
    return {
      kernel: this.profile.kernel,
      era: this.profile.era,
      allocator: { active: this.#active, entries: this.#entries.map((e) => ({ ...e, members: [...e.members] })), outstanding },
      ioasids,
      registrations: sortBy([...this.#registrations].map(([ops, r]) => ({ ops, role: r.role, space: r.space })), (r) => r.ops),
      vtd: {
        scalableMode: this.#scalableMode,
        smtRoots: [...this.#smtRoots].sort(),
        rootTables: sortBy([...this.#rootTables].map(([iommu, smt]) => ({ iommu, smt })), (u) => u.iommu),
      },
      devices: sortBy([...this.#devices].map(([dev, d]) => ({ dev, ...d })), (d) => d.dev),
      resetting: [...this.#resetting].sort(),
      slots: sortBy([...this.#slots.values()].map((s) => ({ ...s })), (s) => groupPasidKey(s.group, s.pasid)),
      domains: sortBy([...this.#domains.values()].map((d) => ({ ...d })), (d) => d.domain),
      bonds: sortBy([...this.#bonds.values()].map((b) => ({ ...b })), (b) => `${b.dev}\u0000${b.mm}`),
      handles: sortBy([...this.#handles].map(([handle, h]) => ({ handle, ...h })), (h) => h.handle),
      mms: sortBy([...this.#mms].filter(([, m]) => m.pasid !== null || m.exited).map(([mm, m]) => ({ mm, ...m })), (m) => m.mm),
      globalPasids: sortBy([...this.#globalPasids].map(([pasid, g]) => ({ pasid, ...g })), (g) => g.pasid),
    };
  }
}

/** Folds a whole log. */
export function foldFacts(facts: Iterable<Fact>, profile: Profile): StateView {
  const fold = new FactFold(profile);
  for (const f of facts) fold.apply(f);
  return fold.view();
}
