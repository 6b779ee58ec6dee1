/**
 * The bond of one (device, mm): unbound or bound, with its handle, domain and count of binds.
 * Decides what another bind of the same pair does per era (§3.1–§3.5): the vendor bond or the
 * per-handle refcount returns the same handle; v6.2–v6.7 hand out a new handle each time (domain
 * users count them); v6.8-rc1..rc5 fail -EBUSY (A27). `unbound` is not stored. Pure.
 */
import { decide } from '../kit/outcome.js';
import { defineObjectKind, type ModelEvent } from '../kit/object.js';

export interface SvaBondContext {
  readonly dev: string;
  readonly mm: string;
  readonly pasid: number | null;
  readonly domain: string | null;
  /** Live handles of this pair (one when handles are shared). */
  readonly handles: readonly string[];
  /** Binds not yet unbound. */
  readonly users: number;
}

export type SvaBondEvent =
  | (ModelEvent & { type: 'BIND'; handle: string; pasid: number; domain: string | null })
  | (ModelEvent & { type: 'UNBIND'; handle: string })
  | (ModelEvent & { type: 'END' });

export interface SvaBondInput {
  readonly dev: string;
  readonly mm: string;
}

const sharesHandle = (e: SvaBondEvent) => !e.p.svaDomains || e.p.svaHandleRefcount;

export const svaBondKind = defineObjectKind<SvaBondContext, SvaBondEvent, SvaBondInput>({
  id: 'svaBond',
  initial: 'unbound',
  absent: 'unbound',
  context: ({ dev, mm }) => ({ dev, mm, pasid: null, domain: null, handles: [], users: 0 }),
  states: {
    unbound: {
      on: {
        BIND: { target: 'bound', actions: ['bindNew', decide({ fact: 'SvaBound', rule: 'iommu_sva_bind_device: a new bond of (dev, mm) (§3)' })] },
        UNBIND: { actions: decide({ ret: null, rule: 'no bond of this pair (the handle decides what that means)' }) },
        END: { actions: decide({ rule: 'not bound' }) },
      },
    },
    bound: {
      on: {
        BIND: [
          { guard: 'isBusyRegression', actions: decide({ ret: '-EBUSY', finding: 'SVA_BIND_TWICE_BUSY', rule: 'iommu_sva_bind_device v6.8-rc1..rc5: no per-handle refcount, the second attach of the same (dev, pasid) fails -EBUSY (A27, fixed by 65d4418c5002)' }) },
          { guard: 'sharesHandle', actions: ['bindAgain', decide({ fact: 'SvaBound', rule: 'iommu_sva_bind_device: the bond exists → its refcount goes up and the same handle is returned (§3.1, §3.5)' })] },
          { actions: ['bindNewHandle', decide({ fact: 'SvaBound', rule: 'iommu_sva_bind_device v6.2–v6.7: the SVA domain is found, domain->users++ and a new handle is returned (§3.4)' })] },
        ],
        END: { actions: decide({ finding: 'SVA_BOND_LEAKED', rule: 'bound and never unbound by the end of the trace (A26)' }) },
        UNBIND: [
          { guard: 'isLastUser', target: 'unbound', actions: ['unbind', decide({ ret: null, fact: 'SvaUnbound', rule: 'iommu_sva_unbind_device: the last bind of the pair is gone (§3.4, §3.5)' })] },
          { actions: ['unbind', decide({ ret: null, fact: 'SvaUnbound', rule: 'iommu_sva_unbind_device: one bind of the pair is gone (§3.4, §3.5)' })] },
        ],
      },
    },
  },
  guards: {
    isBusyRegression: ({ event }) => event.p.svaDomainPerMm && !event.p.svaHandleRefcount,
    sharesHandle: ({ event }) => sharesHandle(event),
    isLastUser: ({ context }) => context.users <= 1,
  },
  updates: {
    bindNew: (c, e) => (e.type === 'BIND' ? { ...c, pasid: e.pasid, domain: e.domain, handles: [e.handle], users: 1 } : c),
    bindAgain: (c) => ({ ...c, users: c.users + 1 }),
    bindNewHandle: (c, e) => (e.type === 'BIND' ? { ...c, handles: [...c.handles, e.handle], users: c.users + 1 } : c),
    unbind: (c, e) =>
      e.type === 'UNBIND'
        ? { ...c, users: c.users - 1, handles: sharesHandle(e) && c.users > 1 ? c.handles : c.handles.filter((h) => h !== e.handle) }
        : c,
  },
  facts: {
    SvaBound: (e, _b, a) => ({
      type: 'SvaBound',
      handle: e.type === 'BIND' && a.handles.includes(e.handle) ? e.handle : a.handles[0] ?? '',
      dev: a.dev,
      mm: a.mm,
      pasid: a.pasid ?? 0,
      domain: a.domain,
      users: a.users,
    }),
    SvaUnbound: (e, b, a) => ({ type: 'SvaUnbound', handle: e.type === 'UNBIND' ? e.handle : '', dev: b.dev, mm: b.mm, domain: b.domain, users: a.users }),
  },
  details: {
    SVA_BIND_TWICE_BUSY: (_e, c) => `${c.dev} is already bound to ${c.mm} (pasid ${c.pasid})`,
    SVA_BOND_LEAKED: (_e, c) => `${c.dev} is still bound to ${c.mm} (pasid ${c.pasid}, ${c.users} bind(s), handle ${c.handles.join(', ')})`,
  },
});
