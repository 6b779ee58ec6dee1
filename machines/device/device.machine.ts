/**
 * A device as the IOMMU core sees it: probed with its max_pasids (0 = no PASID, §4.5), released.
 * Counts the PASIDs attached and SVA bonds held through it, so release can tell what it leaves
 * behind. A device first seen in another call was probed before the capture began (`preexisting`:
 * its max_pasids is unknown and range checks are skipped). Pure.
 */
import { decide } from '../kit/outcome.js';
import { defineObjectKind, type ModelEvent } from '../kit/object.js';

export interface DeviceContext {
  readonly dev: string;
  readonly group: string;
  /** null while unknown (the probe happened before the capture). */
  readonly maxPasids: number | null;
  readonly attached: number;
  readonly bonds: number;
  /** A PCI reset is in progress (group->resetting_domain). */
  readonly resetting: boolean;
}

export type DeviceEvent =
  | (ModelEvent & { type: 'PROBE'; maxPasids: number; group: string })
  | (ModelEvent & { type: 'RELEASE' })
  | (ModelEvent & { type: 'ATTACHED' })
  | (ModelEvent & { type: 'DETACHED' })
  | (ModelEvent & { type: 'BOND_ADDED' })
  | (ModelEvent & { type: 'BOND_REMOVED' })
  | (ModelEvent & { type: 'SVA_BIND_CHECK'; groupSize: number })
  | (ModelEvent & { type: 'RESET_PREPARE' })
  | (ModelEvent & { type: 'RESET_DONE' });

const COUNTERS = {
  ATTACHED: { actions: ['attach', decide({ rule: 'a PASID of this device got a domain' })] },
  DETACHED: { actions: ['detach', decide({ rule: 'a PASID of this device lost its domain' })] },
  BOND_ADDED: { actions: ['bond', decide({ rule: 'an SVA bond of this device' })] },
  BOND_REMOVED: { actions: ['unbond', decide({ rule: 'an SVA bond of this device went away' })] },
  RESET_PREPARE: { actions: ['startReset', decide({ ret: 0, fact: 'GroupResetStarted', rule: 'pci_dev_reset_iommu_prepare: the group blocks attach until done (§4.1)' })] },
  RESET_DONE: { actions: ['endReset', decide({ ret: null, fact: 'GroupResetDone', rule: 'pci_dev_reset_iommu_done' })] },
} as const;

/** The device-level checks of iommu_sva_bind_device, in the kernel's order (§3.1, §3.4). */
const SVA_BIND_CHECKS = [
  { guard: 'isSharedGroup', actions: decide({ ret: '-EINVAL', finding: 'SVA_BIND_GROUP_NOT_SINGLETON', rule: 'iommu_sva_bind_device: the group must hold exactly one device → -EINVAL (v5.11–v6.1, §3.1)' }) },
  { guard: 'lacksPasidEopnotsupp', actions: decide({ ret: '-EOPNOTSUPP', finding: 'SVA_BIND_NO_PASID_SUPPORT', rule: 'iommu_sva_bind_device: !dev->iommu->max_pasids → -EOPNOTSUPP (v6.2–v6.5, §3.4)' }) },
  { actions: decide({ rule: 'iommu_sva_bind_device: the device may bind' }) },
] as const;

const RELEASE = [
  { guard: 'holdsPasids', target: 'released', actions: decide({ ret: null, fact: 'DeviceReleased', finding: 'DEVICE_RELEASED_WITH_PASIDS', rule: 'iommu_release_device tears the device down whatever its PASIDs still hold' }) },
  { target: 'released', actions: decide({ ret: null, fact: 'DeviceReleased', rule: 'iommu_release_device' }) },
] as const;

const PROBE = { target: 'probed', actions: ['probe', decide({ ret: 0, fact: 'DeviceProbed', rule: 'iommu_probe_device: max_pasids = min(device PASID width, IOMMU limit) (§4.5)' })] } as const;

export const deviceKind = defineObjectKind<DeviceContext, DeviceEvent, { dev: string }>({
  id: 'device',
  initial: 'preexisting',
  context: ({ dev }) => ({ dev, group: dev, maxPasids: null, attached: 0, bonds: 0, resetting: false }),
  states: {
    preexisting: {
      on: {
        PROBE,
        RELEASE,
        SVA_BIND_CHECK: SVA_BIND_CHECKS,
        ...COUNTERS,
      },
    },
    probed: {
      on: {
        PROBE: { actions: ['probe', decide({ ret: 0, fact: 'DeviceProbed', rule: 'iommu_probe_device again: max_pasids recomputed (§4.5)' })] },
        RELEASE,
        SVA_BIND_CHECK: SVA_BIND_CHECKS,
        ...COUNTERS,
      },
    },
    released: {
      on: {
        PROBE,
        RELEASE: { actions: decide({ ret: null, rule: 'already released' }) },
        SVA_BIND_CHECK: { actions: decide({ ret: '-ENODEV', finding: 'ATTACH_NO_PASID_SUPPORT', rule: 'iommu_sva_bind_device: the device has no IOMMU group any more → -ENODEV (§3.1)' }) },
        ...COUNTERS,
      },
    },
  },
  guards: {
    holdsPasids: ({ context }) => context.attached > 0 || context.bonds > 0,
    isSharedGroup: ({ event }) => event.type === 'SVA_BIND_CHECK' && event.p.svaSingletonGroup && event.groupSize > 1,
    lacksPasidEopnotsupp: ({ context, event }) => event.p.svaZeroMaxPasidsEopnotsupp && context.maxPasids === 0,
  },
  updates: {
    probe: (c, e) => (e.type === 'PROBE' ? { ...c, maxPasids: e.maxPasids, group: e.group } : c),
    attach: (c) => ({ ...c, attached: c.attached + 1 }),
    detach: (c) => ({ ...c, attached: Math.max(0, c.attached - 1) }),
    bond: (c) => ({ ...c, bonds: c.bonds + 1 }),
    unbond: (c) => ({ ...c, bonds: Math.max(0, c.bonds - 1) }),
    startReset: (c) => ({ ...c, resetting: true }),
    endReset: (c) => ({ ...c, resetting: false }),
  },
  facts: {
    DeviceProbed: (_e, _b, a) => ({ type: 'DeviceProbed', dev: a.dev, max_pasids: a.maxPasids ?? 0, group: a.group }),
    DeviceReleased: (_e, b) => ({ type: 'DeviceReleased', dev: b.dev }),
    GroupResetStarted: (_e, b) => ({ type: 'GroupResetStarted', group: b.group }),
    GroupResetDone: (_e, b) => ({ type: 'GroupResetDone', group: b.group }),
  },
  details: {
    SVA_BIND_GROUP_NOT_SINGLETON: (e, c) => `${c.dev} shares group ${c.group} with ${e.type === 'SVA_BIND_CHECK' ? e.groupSize - 1 : '?'} other device(s)`,
    SVA_BIND_NO_PASID_SUPPORT: (_e, c) => `${c.dev} has max_pasids 0`,
    ATTACH_NO_PASID_SUPPORT: (_e, c) => `${c.dev} was released`,
    DEVICE_RELEASED_WITH_PASIDS: (_e, c) => `${c.dev} still has ${c.attached} attached PASID(s) and ${c.bonds} SVA bond(s)`,
  },
});
