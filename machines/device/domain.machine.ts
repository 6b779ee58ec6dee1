/**
 * An IOMMU domain, driven by facts: allocated (iommu_domain_alloc / iommu_sva_domain_alloc), attached
 * to PASID slots, freed (iommu_domain_free). It counts its attachments and, for an SVA domain, its
 * users (iommu-sva.c domain->users: binds in v6.2, devices in v6.8+). Freed domains are kept so a
 * later use is caught. The calls that decide are machines/calls/iommu_domain_*.ts. Pure.
 */
import type { DomainType } from '../../events/fields.js';
import { setup } from 'xstate';
import { assignsOf, defineObject, factTypes, type FactGuards, type FactUpdates } from '../kit/object.js';

export interface DomainContext {
  readonly domain: string;
  /** 'unknown' until the capture shows its allocation. */
  readonly type: DomainType | 'unknown';
  readonly mm: string | null;
  readonly attachments: number;
  readonly users: number;
  /** Per-IOMMU references VT-d dropped for it in wrong-domain detaches it was never attached by (#21 B10). */
  readonly vtdDrops: number;
  /** v5.2–v5.17 aux domains: the default PASID (null: none, or the capture did not show it) and the aux devices. */
  readonly auxPasid: number | null;
  readonly auxDevs: readonly string[];
  /** The default PASID was freed with the last aux device; VT-d does not reset domain->default_pasid. */
  readonly auxPasidFreed: boolean;
}

const one = (domain: string) => [{ id: domain, input: { domain } }];

// Why: a name can be allocated again while PASID slots still hold it (a hand-written trace, or a
// capture without pointer generations); the slots keep counting, so the attachments stay.
const ON_ANY = {
  PasidDetached: { actions: 'detach' },
  PasidReplaced: [{ guard: 'isReplacedBy', target: 'attached', actions: 'attach' }, { actions: 'detach' }],
  SvaDomainUsersChanged: { actions: 'setUsers' },
  VtdDomainRefDropped: { actions: 'dropVtdRef' },
  AuxDomainAttached: { actions: 'auxAttach' },
  AuxDomainDetached: { actions: 'auxDetach' },
} as const;

const guards = {
  isStillAttached: ({ context }) => context.attachments > 0,
  isLastAttachment: ({ context }) => context.attachments <= 1,
  isReplacedBy: ({ context, event }) => event.type === 'PasidReplaced' && event.to === context.domain,
} satisfies FactGuards<DomainContext>;

const updates = {
  allocate: (c, f) => (f.type === 'DomainAllocated' ? { ...c, type: f.domain_type, mm: f.mm, users: 0, vtdDrops: 0, auxPasid: null, auxDevs: [], auxPasidFreed: false } : c),
  dropVtdRef: (c) => ({ ...c, vtdDrops: c.vtdDrops + 1 }),
  auxAttach: (c, f) =>
    // A new default PASID comes only with the domain's first aux attach; later ones reuse the number, freed or not.
    f.type === 'AuxDomainAttached' ? { ...c, auxDevs: [...c.auxDevs, f.dev], ...(f.pasid === undefined ? {} : { auxPasid: f.pasid, auxPasidFreed: false }) } : c,
  auxDetach: (c, f) => {
    if (f.type !== 'AuxDomainDetached') return c;
    const i = c.auxDevs.indexOf(f.dev);
    const auxDevs = i < 0 ? c.auxDevs : [...c.auxDevs.slice(0, i), ...c.auxDevs.slice(i + 1)];
    return { ...c, auxDevs, auxPasidFreed: f.last ? true : c.auxPasidFreed };
  },
  attach: (c) => ({ ...c, attachments: c.attachments + 1 }),
  detach: (c) => ({ ...c, attachments: Math.max(0, c.attachments - 1) }),
  setUsers: (c, f) => (f.type === 'SvaDomainUsersChanged' ? { ...c, users: f.users } : c),
} satisfies FactUpdates<DomainContext>;

const domainSetup = setup({ types: factTypes<DomainContext, { domain: string }>(), guards });
export const domainMachine = domainSetup.extend({ actions: assignsOf(domainSetup.assign, updates) }).createMachine({
  id: 'domain',
  initial: 'allocated',
  context: ({ input: { domain } }) => ({ domain, type: 'unknown', mm: null, attachments: 0, users: 0, vtdDrops: 0, auxPasid: null, auxDevs: [], auxPasidFreed: false }),
  states: {
    allocated: {
      on: {
        DomainAllocated: { actions: 'allocate' },
        PasidAttached: { target: 'attached', actions: 'attach' },
        DomainFreed: { target: 'freed' },
        ...ON_ANY,
      },
    },
    attached: {
      on: {
        DomainAllocated: { actions: 'allocate' },
        PasidAttached: { actions: 'attach' },
        PasidDetached: [{ guard: 'isLastAttachment', target: 'allocated', actions: 'detach' }, { actions: 'detach' }],
        PasidReplaced: [
          { guard: 'isReplacedBy', actions: 'attach' },
          { guard: 'isLastAttachment', target: 'allocated', actions: 'detach' },
          { actions: 'detach' },
        ],
        SvaDomainUsersChanged: { actions: 'setUsers' },
        VtdDomainRefDropped: { actions: 'dropVtdRef' },
        AuxDomainAttached: { actions: 'auxAttach' },
        AuxDomainDetached: { actions: 'auxDetach' },
        DomainFreed: { target: 'freed' },
      },
    },
    freed: {
      on: {
        // Why: a capture that reuses a name after a free (without importer generations) means a new domain.
        DomainAllocated: [{ guard: 'isStillAttached', target: 'attached', actions: 'allocate' }, { target: 'allocated', actions: 'allocate' }],
        PasidAttached: { actions: 'attach' },
        ...ON_ANY,
        PasidReplaced: [{ guard: 'isReplacedBy', actions: 'attach' }, { actions: 'detach' }],
      },
    },
  },
});

export const domainKind = defineObject({
  machine: domainMachine,
  guards,
  updates,
  // Why: kept only so a later use is caught (attach or free of a freed domain): stored shared (machines/kit/world.ts).
  dead: { states: ['freed'], self: 'domain' },
  address: {
    DomainAllocated: (f) => one(f.domain),
    DomainFreed: (f) => one(f.domain),
    PasidAttached: (f) => one(f.domain),
    PasidDetached: (f) => one(f.domain),
    // The old domain loses the slot, the new one gains it; a same-domain replace only swaps the handle.
    PasidReplaced: (f) => (f.from === f.to ? [] : [...one(f.from), ...one(f.to)]),
    SvaDomainUsersChanged: (f) => one(f.domain),
    VtdDomainRefDropped: (f) => one(f.domain),
    AuxDomainAttached: (f) => one(f.domain),
    AuxDomainDetached: (f) => one(f.domain),
  },
});
