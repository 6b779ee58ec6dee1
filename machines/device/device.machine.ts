/**
 * A device behind an IOMMU, driven by facts: preexisting (probed before the capture began), probed,
 * released. It knows its group, its max_pasids (the PASID width the core allows it, §4.5), how many
 * of its PASIDs hold a domain and how many SVA bonds it has, and whether a PCI reset is in progress.
 * The calls that decide are machines/calls/iommu_probe_device.ts and friends. Pure.
 */
import { setup } from 'xstate';
import { assignsOf, defineObject, factTypes, type FactGuards, type FactUpdates } from '../kit/object.js';

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

const one = (dev: string) => [{ id: dev, input: { dev } }];

const COUNTERS = {
  PasidAttached: { actions: 'attach' },
  PasidDetached: { actions: 'detach' },
  // A new bond has its first user; the last unbind of the pair leaves none (svaBond).
  SvaBound: { guard: 'isNewBond', actions: 'bond' },
  SvaUnbound: { guard: 'isBondGone', actions: 'unbond' },
  GroupResetStarted: { actions: 'startReset' },
  GroupResetDone: { actions: 'endReset' },
  DeviceMaxPasidsInferred: { actions: 'inferMax' },
} as const;

const PROBED = { target: 'probed', actions: 'probe' } as const;

const guards = {
  isNewBond: ({ event }) => event.type === 'SvaBound' && event.users === 1,
  isBondGone: ({ event }) => event.type === 'SvaUnbound' && event.users <= 0,
} satisfies FactGuards<DeviceContext>;

const updates = {
  probe: (c, f) => (f.type === 'DeviceProbed' ? { ...c, maxPasids: f.max_pasids, group: f.group } : c),
  attach: (c) => ({ ...c, attached: c.attached + 1 }),
  detach: (c) => ({ ...c, attached: Math.max(0, c.attached - 1) }),
  bond: (c) => ({ ...c, bonds: c.bonds + 1 }),
  unbond: (c) => ({ ...c, bonds: Math.max(0, c.bonds - 1) }),
  startReset: (c) => ({ ...c, resetting: true }),
  endReset: (c) => ({ ...c, resetting: false }),
  // Why: a bound the capture gives (a probe) is the truth; the inferred one only fills an unknown.
  inferMax: (c, f) => (f.type === 'DeviceMaxPasidsInferred' && c.maxPasids === null ? { ...c, maxPasids: f.max_pasids } : c),
} satisfies FactUpdates<DeviceContext>;

const deviceSetup = setup({ types: factTypes<DeviceContext, { dev: string }>(), guards });
export const deviceMachine = deviceSetup.extend({ actions: assignsOf(deviceSetup.assign, updates) }).createMachine({
  id: 'device',
  initial: 'preexisting',
  context: ({ input: { dev } }) => ({ dev, group: dev, maxPasids: null, attached: 0, bonds: 0, resetting: false }),
  states: {
    preexisting: { on: { DeviceProbed: PROBED, DeviceReleased: { target: 'released' }, ...COUNTERS } },
    probed: { on: { DeviceProbed: { actions: 'probe' }, DeviceReleased: { target: 'released' }, ...COUNTERS } },
    released: { on: { DeviceProbed: PROBED, ...COUNTERS } },
  },
});

export const deviceKind = defineObject({
  machine: deviceMachine,
  guards,
  updates,
  address: {
    DeviceProbed: (f) => one(f.dev),
    DeviceReleased: (f) => one(f.dev),
    PasidAttached: (f) => one(f.dev),
    PasidDetached: (f) => one(f.dev),
    SvaBound: (f) => one(f.dev),
    SvaUnbound: (f) => one(f.dev),
    GroupResetStarted: (f) => one(f.dev),
    GroupResetDone: (f) => one(f.dev),
    DeviceMaxPasidsInferred: (f) => one(f.dev),
  },
});
