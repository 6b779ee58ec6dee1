/**
 * One VT-d IOMMU unit through intel_iommu_init: register_pasid_allocator decides whether a vcmd
 * custom allocator is registered (§2.1), then the root table is programmed (§2.2); free_dmar_iommu
 * removes the unit and unregisters its allocator. Pure.
 */
import { decide } from '../kit/outcome.js';
import { defineObjectKind, type ModelEvent } from '../kit/object.js';

export interface VtdUnitContext {
  readonly iommu: string;
  /** The ops name of `&iommu->pasid_allocator` once registered. */
  readonly ops: string | null;
  readonly smt: boolean | null;
  /** vccap_pasid as register_pasid_allocator read it (null: never seen); free_dmar_iommu unregisters on it alone (§2.2). */
  readonly vccapPasid: boolean | null;
  /** `iommu->pasid_allocator.alloc/free` were filled in (registration attempted, even if it failed). */
  readonly helpersSet: boolean;
}

export type VtdUnitEvent =
  | (ModelEvent & { type: 'REGISTER_PASID_ALLOCATOR'; cachingMode: boolean; smSupported: boolean; vccapPasid: boolean; ops: string })
  | (ModelEvent & { type: 'REGISTERED' })
  | (ModelEvent & { type: 'REGISTRATION_FAILED' })
  | (ModelEvent & { type: 'ROOT_SET'; smt: boolean })
  | (ModelEvent & { type: 'FREE' });

/** iommu_set_root_entry from a state that moves the unit to rootProgrammed. */
const rootSet = (rule: string) =>
  ({ target: 'rootProgrammed', actions: ['setSmt', decide({ ret: null, fact: 'RootTableProgrammed', rule })] }) as const;

export const vtdUnitKind = defineObjectKind<VtdUnitContext, VtdUnitEvent, { iommu: string }>({
  id: 'vtdUnit',
  initial: 'discovered',
  context: ({ iommu }) => ({ iommu, ops: null, smt: null, vccapPasid: null, helpersSet: false }),
  states: {
    discovered: {
      on: {
        REGISTER_PASID_ALLOCATOR: [
          { guard: 'isBareMetal', target: 'noAllocator', actions: ['noteCaps', decide({ ret: null, rule: 'register_pasid_allocator: !cap_caching_mode → bare metal keeps the default allocator (§2.1)' })] },
          { guard: 'isScalableModeOff', target: 'noAllocator', actions: ['noteCaps', decide({ ret: null, rule: 'register_pasid_allocator: !sm_supported → pr_warn, no PASID allocation (§2.1)' })] },
          { guard: 'lacksVcmd', target: 'noAllocator', actions: ['noteCaps', decide({ ret: null, rule: 'register_pasid_allocator: no vcmd PASID capability (§2.1)' })] },
          { target: 'registering', actions: ['nameOps', decide({ ret: null, rule: 'register_pasid_allocator: guest with vcmd → ioasid_register_allocator(&iommu->pasid_allocator) (§2.1)' })] },
        ],
        REGISTERED: { actions: decide({ rule: 'nothing is being registered' }) },
        REGISTRATION_FAILED: { actions: decide({ rule: 'nothing is being registered' }) },
        ROOT_SET: rootSet('iommu_set_root_entry (§2.2)'),
        FREE: { target: 'removed', actions: decide({ ret: null, rule: 'free_dmar_iommu: no custom allocator to unregister' }) },
      },
    },
    registering: {
      on: {
        REGISTER_PASID_ALLOCATOR: { actions: decide({ ret: null, rule: 'already registering' }) },
        REGISTERED: { target: 'allocatorRegistered', actions: decide({ rule: 'vcmd allocator registered (§2.1)' }) },
        REGISTRATION_FAILED: {
          target: 'noAllocator',
          actions: ['dropOps', decide({ fact: 'PasidAllocatorRegistrationFailed', finding: 'VTD_ALLOCATOR_REGISTRATION_FAILED', rule: 'register_pasid_allocator: nonzero return → pr_warn "Custom PASID allocator failed, scalable mode disabled", intel_iommu_sm = 0 (§2.1)' })],
        },
        ROOT_SET: rootSet('iommu_set_root_entry (§2.2)'),
        FREE: { target: 'removed', actions: decide({ ret: null, rule: 'free_dmar_iommu' }) },
      },
    },
    allocatorRegistered: {
      on: {
        REGISTER_PASID_ALLOCATOR: { actions: decide({ ret: null, rule: 'register_pasid_allocator runs once per unit at init; a second call re-registers the same ops' }) },
        REGISTERED: { actions: decide({ rule: 'already registered' }) },
        REGISTRATION_FAILED: { actions: decide({ rule: 'already registered' }) },
        ROOT_SET: rootSet('iommu_set_root_entry after the allocator registered (§2.2)'),
        FREE: { target: 'removed', actions: decide({ ret: null, rule: 'free_dmar_iommu: ioasid_unregister_allocator(&iommu->pasid_allocator) (§2.2)' }) },
      },
    },
    noAllocator: {
      on: {
        REGISTER_PASID_ALLOCATOR: { actions: decide({ ret: null, rule: 'register_pasid_allocator already decided for this unit' }) },
        REGISTERED: { actions: decide({ rule: 'no allocator' }) },
        REGISTRATION_FAILED: { actions: decide({ rule: 'no allocator' }) },
        ROOT_SET: rootSet('iommu_set_root_entry (§2.2)'),
        FREE: { target: 'removed', actions: decide({ ret: null, rule: 'free_dmar_iommu: no custom allocator to unregister' }) },
      },
    },
    rootProgrammed: {
      on: {
        REGISTER_PASID_ALLOCATOR: [
          { guard: 'isBareMetal', actions: ['noteCaps', decide({ ret: null, rule: 'register_pasid_allocator: bare metal (§2.1)' })] },
          { guard: 'isScalableModeOff', actions: ['noteCaps', decide({ ret: null, rule: 'register_pasid_allocator: !sm_supported (§2.1)' })] },
          { guard: 'lacksVcmd', actions: ['noteCaps', decide({ ret: null, rule: 'register_pasid_allocator: no vcmd capability (§2.1)' })] },
          // Why: init_dmars registers before programming each unit; hot-add never registers. Registration after programming is still modelled.
          { target: 'registering', actions: ['nameOps', decide({ ret: null, rule: 'register_pasid_allocator after iommu_set_root_entry of this unit (init order is register, then program; §2.2)' })] },
        ],
        REGISTERED: { actions: decide({ rule: 'registered after programming' }) },
        REGISTRATION_FAILED: {
          actions: ['dropOps', decide({ fact: 'PasidAllocatorRegistrationFailed', finding: 'VTD_ALLOCATOR_REGISTRATION_FAILED', rule: 'register_pasid_allocator: nonzero return → intel_iommu_sm = 0 (§2.1)' })],
        },
        ROOT_SET: { actions: ['setSmt', decide({ ret: null, fact: 'RootTableProgrammed', rule: 'iommu_set_root_entry again (resume / re-init)' })] },
        FREE: { target: 'removed', actions: decide({ ret: null, rule: 'free_dmar_iommu (§2.2)' }) },
      },
    },
    removed: {
      on: {
        REGISTER_PASID_ALLOCATOR: { actions: decide({ ret: null, rule: 'hot-add (intel_iommu_add) never registers a PASID allocator (§2.2)' }) },
        REGISTERED: { actions: decide({ rule: 'removed' }) },
        REGISTRATION_FAILED: { actions: decide({ rule: 'removed' }) },
        ROOT_SET: rootSet('iommu_set_root_entry of a re-added unit'),
        FREE: { actions: decide({ ret: null, rule: 'already removed' }) },
      },
    },
  },
  guards: {
    isBareMetal: ({ event }) => event.type === 'REGISTER_PASID_ALLOCATOR' && !event.cachingMode,
    isScalableModeOff: ({ event }) => event.type === 'REGISTER_PASID_ALLOCATOR' && !event.smSupported,
    lacksVcmd: ({ event }) => event.type === 'REGISTER_PASID_ALLOCATOR' && !event.vccapPasid,
  },
  updates: {
    noteCaps: (c, e) => (e.type === 'REGISTER_PASID_ALLOCATOR' ? { ...c, vccapPasid: e.vccapPasid } : c),
    // Why: register_pasid_allocator fills in iommu->pasid_allocator (alloc, free, pdata) just before ioasid_register_allocator; they stay set if it fails.
    nameOps: (c, e) => (e.type === 'REGISTER_PASID_ALLOCATOR' ? { ...c, ops: e.ops, vccapPasid: e.vccapPasid, helpersSet: true } : c),
    dropOps: (c) => ({ ...c, ops: null }),
    setSmt: (c, e) => (e.type === 'ROOT_SET' ? { ...c, smt: e.smt } : c),
  },
  facts: {
    RootTableProgrammed: (_e, _b, a) => ({ type: 'RootTableProgrammed', iommu: a.iommu, smt: a.smt ?? false }),
    PasidAllocatorRegistrationFailed: (_e, b) => ({ type: 'PasidAllocatorRegistrationFailed', iommu: b.iommu }),
  },
  details: {
    VTD_ALLOCATOR_REGISTRATION_FAILED: (_e, c) => `${c.iommu}: ioasid_register_allocator(${c.ops}) failed; intel_iommu_sm = 0 for every unit`,
  },
});
