/**
 * An iommu_domain: allocated, attached to one or more PASIDs, freed. SVA domains also carry the
 * `users` count that iommu-sva.c keeps (binds per (dev, mm) in v6.2–v6.7, devices per mm from
 * v6.8). A domain first seen in an attach was allocated before the capture began. Pure.
 */
import type { DomainType } from '../../events/fields.js';
import { decide } from '../kit/outcome.js';
import { defineObjectKind, type ModelEvent } from '../kit/object.js';

export interface DomainContext {
  readonly domain: string;
  readonly type: DomainType | 'unknown';
  readonly mm: string | null;
  readonly attachments: number;
  readonly users: number;
}

export type DomainEvent =
  | (ModelEvent & { type: 'ALLOC'; domainType: DomainType; mm: string | null })
  | (ModelEvent & { type: 'ATTACHED' })
  | (ModelEvent & { type: 'DETACHED' })
  | (ModelEvent & { type: 'USERS'; delta: number })
  | (ModelEvent & { type: 'FREE' });

// Why: a name can be allocated again while PASID slots still hold it (a hand-written trace, or a
// capture without pointer generations); the slots keep counting, so the attachments stay.
const ALLOC = [
  { guard: 'isStillAttached', target: 'attached', actions: ['allocate', decide({ fact: 'DomainAllocated', rule: 'iommu_domain_alloc / iommu_sva_domain_alloc' })] },
  { target: 'allocated', actions: ['allocate', decide({ fact: 'DomainAllocated', rule: 'iommu_domain_alloc / iommu_sva_domain_alloc' })] },
] as const;
const USERS = { actions: ['addUsers', decide({ fact: 'SvaDomainUsersChanged', rule: 'iommu-sva.c: domain->users (a plain int) counts binds (v6.2) or devices (v6.8) (§3.4, §3.5)' })] } as const;
const DETACHED_RULE = 'iommu_detach_device_pasid removed one attachment';

export const domainKind = defineObjectKind<DomainContext, DomainEvent, { domain: string }>({
  id: 'domain',
  initial: 'allocated',
  context: ({ domain }) => ({ domain, type: 'unknown', mm: null, attachments: 0, users: 0 }),
  states: {
    allocated: {
      on: {
        ALLOC,
        ATTACHED: { target: 'attached', actions: ['attach', decide({ rule: 'iommu_attach_device_pasid stored the domain in a PASID slot' })] },
        DETACHED: { actions: ['detach', decide({ rule: DETACHED_RULE })] },
        USERS,
        FREE: { target: 'freed', actions: decide({ ret: null, fact: 'DomainFreed', rule: 'iommu_domain_free of an unattached domain' }) },
      },
    },
    attached: {
      on: {
        ALLOC,
        ATTACHED: { actions: ['attach', decide({ rule: 'one more PASID slot holds the domain' })] },
        DETACHED: [
          { guard: 'isLastAttachment', target: 'allocated', actions: ['detach', decide({ rule: DETACHED_RULE })] },
          { actions: ['detach', decide({ rule: DETACHED_RULE })] },
        ],
        USERS,
        FREE: { target: 'freed', actions: decide({ ret: null, fact: 'DomainFreed', finding: 'DOMAIN_FREE_ATTACHED', rule: 'iommu_domain_free does not check attachments: the PASID slots keep a dangling domain (A37)' }) },
      },
    },
    freed: {
      on: {
        // Why: a capture that reuses a name after a free (without importer generations) means a new domain.
        ALLOC,
        ATTACHED: { actions: ['attach', decide({ rule: 'a freed domain got attached (reported by the slot)' })] },
        DETACHED: { actions: ['detach', decide({ rule: DETACHED_RULE })] },
        USERS,
        FREE: { actions: decide({ ret: null, finding: 'DOMAIN_DOUBLE_FREE', rule: 'iommu_domain_free of a freed domain: double free' }) },
      },
    },
  },
  guards: {
    isStillAttached: ({ context }) => context.attachments > 0,
    isLastAttachment: ({ context }) => context.attachments <= 1,
  },
  updates: {
    allocate: (c, e) => (e.type === 'ALLOC' ? { ...c, type: e.domainType, mm: e.mm, users: 0 } : c),
    attach: (c) => ({ ...c, attachments: c.attachments + 1 }),
    detach: (c) => ({ ...c, attachments: Math.max(0, c.attachments - 1) }),
    addUsers: (c, e) => (e.type === 'USERS' ? { ...c, users: c.users + e.delta } : c),
  },
  facts: {
    DomainAllocated: (_e, _b, a) => ({ type: 'DomainAllocated', domain: a.domain, domain_type: a.type === 'unknown' ? 'paging' : a.type, mm: a.mm }),
    DomainFreed: (_e, b) => ({ type: 'DomainFreed', domain: b.domain }),
    SvaDomainUsersChanged: (_e, _b, a) => ({ type: 'SvaDomainUsersChanged', domain: a.domain, users: a.users }),
  },
  details: {
    DOMAIN_FREE_ATTACHED: (_e, c) => `${c.domain} is still attached to ${c.attachments} PASID slot(s)`,
    DOMAIN_DOUBLE_FREE: (_e, c) => `${c.domain} was already freed`,
  },
});
