/**
 * Model-based tests with xstate/graph for every object kind: with a hand-written list of
 * representative events per kind (facts, for the fact-driven kinds; for the deciding kinds the
 * events of the eras that flip their guards), the shortest paths reach every
 * state, and stepping the kind's fast path along the simple/shortest paths plus one more event takes
 * every transition candidate (so every guard is both reachable and decisive). A candidate that no
 * single era can take is listed per kind as a finding about the machine, and the test holds the list
 * exact, so a machine change that makes it reachable (or strands another) shows up here.
 */
import { describe, it, expect } from 'vitest';
import { getShortestPaths, getSimplePaths } from 'xstate/graph';
import type { AnyStateMachine } from 'xstate';
import {
  allocatorListKind, allocatorRegistrationKind, deviceKind, domainKind, globalPasidKind, idSpaceKind, ioasidHolderKind, ioasidKind, ioasidOwnerKind, mmKind,
  pasidSlotKind, scalableModeKind, svaBondKind, svaHandleKind, vtdUnitKind,
} from '../../../machines/index.js';
import { globalPasidHistoryKind } from '../../../machines/global/globalPasidHistory.machine.js';
import type { Snap, TransitionConfig } from '../../../machines/kit/lifecycle.js';
import type { FactEvent, FactKind } from '../../../machines/kit/object.js';
import { profileFor, type Profile } from '../../../machines/profile.js';


interface Case {
  readonly kind: FactKind;
  /** What the traversal proves about the machine (the describe title). */
  readonly proves: string;
  /** Kernels whose profiles make every guard both true and false somewhere. */
  readonly eras: readonly string[];
  /** One object per input (e.g. PASID 0 and PASID 1): some guards read the input, not the events. */
  readonly inputs: readonly unknown[];
  readonly events: (p: Profile) => FactEvent[];
  /** Traversal depth: simple paths only for the small machines. */
  readonly simple: boolean;
  /** Candidates (`state | EVENT | #index guard`) no path of any single era takes: findings about the machine. */
  readonly unreachable?: readonly string[];
}

const CASES: Case[] = [
  {
    kind: allocatorListKind,
    proves: 'entries are appended and removed (the last one back to the default), the active entry switches, orphans are remembered',
    eras: ['5.15.0'],
    inputs: [{}],
    simple: false,
    events: () => [
      { type: 'AllocatorRegistered', ops: 'opsA', alloc: 'a', free: 'f', pdata: null, role: 'active', space: 'A' },
      { type: 'AllocatorRegistered', ops: 'opsB', alloc: 'b', free: 'f', pdata: null, role: 'standby', space: 'B' },
      { type: 'AllocatorUnregistered', ops: 'opsA', space: 'A', removed: true },
      { type: 'AllocatorSwitched', from: 'A', to: 'B' },
      { type: 'IoasidOrphaned', space: 'A', ioasid: 3 },
    ],
  },
  {
    kind: allocatorRegistrationKind,
    proves: 'a registration joins as active, shared or standby; a standby is promoted; the -EEXIST re-registration leaves its node dangling; unregistering or a corrupt unlink drops it',
    eras: ['5.15.0'],
    inputs: [{ ops: 'opsA' }],
    simple: false,
    events: () => {
      const reg = { type: 'AllocatorRegistered', ops: 'opsA', alloc: 'a', free: 'f', pdata: null, space: 'S1' } as const;
      return [
        { ...reg, role: 'active' as const },
        { ...reg, role: 'shared' as const },
        { ...reg, role: 'standby' as const },
        { type: 'AllocatorSwitched', from: 'S0', to: 'S1' },
        { type: 'AllocatorListNodeDangling', ops: 'opsA' },
        { type: 'AllocatorUnregistered', ops: 'opsA', space: 'S1', removed: false },
        { type: 'AllocatorListCorrupted', ops: 'opsA', space: 'S1' },
      ];
    },
  },
  {
    kind: idSpaceKind,
    proves: 'an entry is created or joined, a sharer (or its head) leaves, the last member retires it; outstanding IDs are counted',
    eras: ['5.15.0'],
    inputs: [{ space: 'S' }],
    simple: false,
    events: () => [
      { type: 'AllocatorRegistered', ops: 'opsA', alloc: 'a', free: 'f', pdata: null, role: 'active', space: 'S' },
      { type: 'AllocatorRegistered', ops: 'opsB', alloc: 'a', free: 'f', pdata: null, role: 'shared', space: 'S' },
      { type: 'AllocatorUnregistered', ops: 'opsA', space: 'S', removed: false },
      { type: 'AllocatorUnregistered', ops: 'opsB', space: 'S', removed: false },
      { type: 'AllocatorUnregistered', ops: 'opsB', space: 'S', removed: true },
      { type: 'IoasidAllocated', space: 'S', ioasid: 1, set: null, private: null, refs: 1 },
      { type: 'IoasidFreed', space: 'S', ioasid: 1 },
    ],
  },
  {
    kind: ioasidKind,
    proves: 'an ID is allocated, referenced, given data, freed or orphaned',
    eras: ['5.15.0'],
    inputs: [{ space: 'S', ioasid: 1 }],
    simple: false,
    events: () => [
      { type: 'IoasidAllocated', space: 'S', ioasid: 1, set: 'setA', private: 'mm1', refs: 1 },
      { type: 'IoasidGot', space: 'S', ioasid: 1, refs: 2 },
      { type: 'IoasidPut', space: 'S', ioasid: 1, refs: 1 },
      { type: 'IoasidDataSet', space: 'S', ioasid: 1, data: null },
      { type: 'IoasidFreed', space: 'S', ioasid: 1 },
      { type: 'IoasidOrphaned', space: 'S', ioasid: 1 },
    ],
  },
  {
    kind: ioasidOwnerKind,
    proves: 'holders are added to a generation, become earlier holders when the number is released, and a new allocation starts a new generation',
    eras: ['5.15.0'],
    inputs: [{ space: 'S', ioasid: 1 }],
    simple: false,
    events: () => [
      { type: 'IoasidHolderAdded', space: 'S', ioasid: 1, holder: 'tid:1', fresh: true },
      { type: 'IoasidHolderAdded', space: 'S', ioasid: 1, holder: 'tid:2', fresh: false },
      { type: 'IoasidHoldersReleased', space: 'S', ioasid: 1, at: 5 },
    ],
  },
  {
    kind: ioasidHolderKind,
    proves: 'a holder counts the IDs it holds and is dropped with its last one',
    eras: ['5.15.0'],
    inputs: [{ holder: 'tid:1' }],
    simple: false,
    events: () => [
      { type: 'IoasidHolderAdded', space: 'S', ioasid: 1, holder: 'tid:1', fresh: true },
      { type: 'IoasidHoldersReleased', space: 'S', ioasid: 1, at: 5 },
    ],
  },
  {
    kind: scalableModeKind,
    proves: 'SMT root tables are remembered and scalable mode is switched off once',
    eras: ['5.15.0'],
    inputs: [{}],
    simple: false,
    events: () => [
      { type: 'RootTableProgrammed', iommu: 'dmar0', smt: true },
      { type: 'RootTableProgrammed', iommu: 'dmar1', smt: true },
      { type: 'ScalableModeDisabled', iommu: null },
    ],
  },
  {
    kind: vtdUnitKind,
    proves: 'the pasid-allocator registration is skipped or attempted once, succeeds or fails; root programming and removal move the unit from any state',
    eras: ['5.15.0'],
    inputs: [{ iommu: 'dmar0' }],
    simple: false,
    events: () => [
      { type: 'PasidAllocatorSkipped', iommu: 'dmar0', vccap_pasid: true },
      { type: 'PasidAllocatorRegistering', iommu: 'dmar0', ops: 'dmar0/pasid_allocator' },
      { type: 'PasidAllocatorRegistered', iommu: 'dmar0' },
      { type: 'PasidAllocatorRegistrationFailed', iommu: 'dmar0' },
      { type: 'RootTableProgrammed', iommu: 'dmar0', smt: true },
      { type: 'DmarUnitFreed', iommu: 'dmar0' },
    ],
  },
  {
    kind: deviceKind,
    proves: 'probe, release and re-probe move it; attachments, new and last SVA bonds and a reset are counted (a rebind is not a new bond)',
    eras: ['6.8.0'],
    inputs: [{ dev: 'd0' }],
    simple: false,
    events: () => [
      { type: 'DeviceProbed', dev: 'd0', max_pasids: 8, group: 'g0' },
      { type: 'DeviceReleased', dev: 'd0' },
      { type: 'PasidAttached', group: 'g0', dev: 'd0', pasid: 1, domain: 'dom1' },
      { type: 'PasidDetached', group: 'g0', dev: 'd0', pasid: 1, domain: 'dom1' },
      { type: 'SvaBound', handle: 'h1', dev: 'd0', mm: 'mm1', pasid: 1, domain: null, users: 1 },
      { type: 'SvaBound', handle: 'h1', dev: 'd0', mm: 'mm1', pasid: 1, domain: null, users: 2 },
      { type: 'SvaUnbound', handle: 'h1', dev: 'd0', mm: 'mm1', domain: null, users: 0 },
      { type: 'SvaUnbound', handle: 'h1', dev: 'd0', mm: 'mm1', domain: null, users: 1 },
      { type: 'GroupResetStarted', group: 'g0', dev: 'd0' },
      { type: 'GroupResetDone', group: 'g0', dev: 'd0' },
      { type: 'DeviceMaxPasidsInferred', dev: 'd0', max_pasids: 4 },
    ],
  },
  {
    kind: pasidSlotKind,
    proves: 'an attach fills the slot, a replace swaps domain and handle, a detach empties it',
    eras: ['6.15.0'],
    inputs: [{ group: 'g0', pasid: 1 }],
    simple: true,
    events: () => [
      { type: 'PasidAttached', group: 'g0', dev: 'd0', pasid: 1, domain: 'dom1', handle: 'h1' },
      { type: 'PasidReplaced', group: 'g0', dev: 'd0', pasid: 1, from: 'dom1', to: 'dom2', handle: 'h2' },
      { type: 'PasidDetached', group: 'g0', dev: 'd0', pasid: 1, domain: 'dom2' },
    ],
  },
  {
    kind: domainKind,
    proves: 'a detach returns to allocated only with the last attachment; a replace moves one attachment from the old domain to the new; a freed name allocated again is a new domain that keeps the slots still holding it',
    eras: ['6.8.0'],
    inputs: [{ domain: 'dom1' }],
    simple: false,
    events: () => [
      { type: 'DomainAllocated', domain: 'dom1', domain_type: 'sva', mm: 'mm1' },
      { type: 'PasidAttached', group: 'g0', dev: 'd0', pasid: 1, domain: 'dom1' },
      { type: 'PasidDetached', group: 'g0', dev: 'd0', pasid: 1, domain: 'dom1' },
      { type: 'PasidReplaced', group: 'g0', dev: 'd0', pasid: 1, from: 'dom2', to: 'dom1' },
      { type: 'PasidReplaced', group: 'g0', dev: 'd0', pasid: 1, from: 'dom1', to: 'dom2' },
      { type: 'SvaDomainUsersChanged', domain: 'dom1', users: 1 },
      { type: 'VtdDomainRefDropped', domain: 'dom1' },
      { type: 'AuxDomainAttached', domain: 'dom1', dev: 'd0', pasid: 1 },
      { type: 'AuxDomainDetached', domain: 'dom1', dev: 'd0', last: true },
      { type: 'DomainFreed', domain: 'dom1' },
    ],
  },
  {
    kind: mmKind,
    proves: 'a PASID is assigned, released and kept or dropped at exit; new and last bonds and the v6.8 domain list are counted',
    eras: ['6.8.0'],
    inputs: [{ mm: 'mm1' }],
    simple: false,
    events: () => [
      { type: 'MmPasidAssigned', mm: 'mm1', pasid: 1 },
      { type: 'MmPasidAssigned', mm: 'mm1', pasid: 100, intel_svm: true },
      { type: 'MmPasidReleased', mm: 'mm1', pasid: 1 },
      { type: 'SvaBound', handle: 'h1', dev: 'd0', mm: 'mm1', pasid: 1, domain: null, users: 1 },
      { type: 'SvaBound', handle: 'h1', dev: 'd0', mm: 'mm1', pasid: 1, domain: null, users: 2 },
      { type: 'SvaUnbound', handle: 'h1', dev: 'd0', mm: 'mm1', domain: null, users: 0 },
      { type: 'SvaUnbound', handle: 'h1', dev: 'd0', mm: 'mm1', domain: null, users: 1 },
      { type: 'MmSvaDomainAdded', mm: 'mm1', domain: 'dom1' },
      { type: 'MmSvaDomainRemoved', mm: 'mm1', domain: 'dom1' },
      { type: 'MmExited', mm: 'mm1' },
      { type: 'MmExited', mm: 'mm1', keepsPasid: true },
    ],
  },
  {
    kind: svaBondKind,
    proves: 'a second bind shares the handle (≤ v6.1, v6.8+) or adds one (v6.2–v6.7); the last unbind ends the bond',
    eras: ['6.2.0'],
    inputs: [{ dev: 'd0', mm: 'mm1', shares: true }, { dev: 'd0', mm: 'mm1', shares: false }],
    simple: false,
    events: () => [
      { type: 'SvaBound', handle: 'h1', dev: 'd0', mm: 'mm1', pasid: 1, domain: 'dom1', users: 1 },
      { type: 'SvaBound', handle: 'h2', dev: 'd0', mm: 'mm1', pasid: 1, domain: 'dom1', users: 2 },
      { type: 'SvaUnbound', handle: 'h1', dev: 'd0', mm: 'mm1', domain: 'dom1', users: 1 },
      { type: 'SvaUnbound', handle: 'h2', dev: 'd0', mm: 'mm1', domain: 'dom1', users: 0 },
    ],
  },
  {
    kind: svaHandleKind,
    proves: 'a handle is bound, freed by the unbind that drops its last reference and reused',
    eras: ['6.2.0'],
    inputs: [{ handle: 'h1' }],
    simple: false,
    events: () => [
      { type: 'SvaBound', handle: 'h1', dev: 'd0', mm: 'mm1', pasid: 1, domain: null, users: 1 },
      { type: 'SvaUnbound', handle: 'h1', dev: 'd0', mm: 'mm1', domain: null, users: 0 },
    ],
  },
  {
    kind: globalPasidKind,
    proves: 'allocated and freed; attachments counted only while allocated',
    eras: ['6.6.0'],
    inputs: [{ pasid: 1 }],
    simple: false,
    events: () => [
      { type: 'GlobalPasidAllocated', pasid: 1, dev: 'd0', mm: null },
      { type: 'GlobalPasidFreed', pasid: 1 },
      { type: 'PasidAttached', group: 'g0', dev: 'd0', pasid: 1, domain: 'dom1' },
      { type: 'PasidDetached', group: 'g0', dev: 'd0', pasid: 1, domain: 'dom1' },
    ],
  },
  {
    kind: globalPasidHistoryKind,
    proves: 'holders move on with each allocation; a free keeps the still-attached groups as stale until they detach',
    eras: ['6.6.0'],
    inputs: [{ pasid: 1 }],
    simple: false,
    events: () => [
      { type: 'GlobalPasidAllocated', pasid: 1, dev: 'd0', mm: null, holder: 'tid:1' },
      { type: 'GlobalPasidAllocated', pasid: 1, dev: 'd1', mm: null, holder: 'tid:2' },
      { type: 'GlobalPasidFreed', pasid: 1, by: 'tid:1' },
      { type: 'PasidAttached', group: 'g0', dev: 'd0', pasid: 1, domain: 'dom1' },
      { type: 'PasidDetached', group: 'g0', dev: 'd0', pasid: 1, domain: 'dom1' },
    ],
  },
];

/** Counters are clamped and lists reduced to small sets so the traversal is finite. */
const clamp = (v: number) => Math.max(-2, Math.min(v, 2));
const serializeState = (s: { value: unknown; context: unknown }) =>
  JSON.stringify([s.value, JSON.parse(JSON.stringify(s.context, (_k, v) => (typeof v === 'number' ? clamp(v) : Array.isArray(v) ? [...new Set(v.map((x) => JSON.stringify(x)))].sort().slice(0, 3) : v)))]);

const candidatesOf = (kind: Case['kind'], state: string, type: string): readonly TransitionConfig[] => {
  const t = kind.config.states[state]?.on?.[type];
  return t === undefined ? [] : [t].flat();
};
const updatesOf = (c: TransitionConfig): readonly string[] => (c.actions === undefined ? [] : typeof c.actions === 'string' ? [c.actions] : c.actions);
/** A candidate by its index in the compiled list (rules may repeat, e.g. two detaches with one rule). */
const keyOf = (state: string, type: string, i: number, c: TransitionConfig) => `${state} | ${type} | #${i}${c.guard === undefined ? '' : ` ${c.guard}`}`;

/** Every transition candidate, keyed by state, event type and index, with its updates. */
function allCandidates(kind: Case['kind']): Map<string, string> {
  const out = new Map<string, string>();
  for (const [state, config] of Object.entries(kind.config.states)) {
    for (const type of Object.keys(config.on ?? {})) {
      candidatesOf(kind, state, type).forEach((c, i) => out.set(keyOf(state, type, i, c), [c.target === undefined ? 'stay' : `→ ${c.target}`, ...updatesOf(c)].join(' + ')));
    }
  }
  return out;
}

/** Steps the fast path and records which candidate each step took (the first whose guard holds, as XState picks). */
function takenAlong(kind: Case['kind'], input: unknown, events: readonly FactEvent[], into: Set<string>): void {
  let snap: Snap<unknown> = kind.initial(input);
  for (const e of events) {
    const next = kind.step(snap, e);
    const cands = candidatesOf(kind, snap.value, e.type);
    const i = cands.findIndex((c) => c.guard === undefined || kind.holds(c.guard, snap, e));
    if (i >= 0) {
      const c = cands[i]!;
      // The table and the config must agree on the candidate; a mismatch is a kit bug, not a coverage gap.
      expect(next.value, keyOf(snap.value, e.type, i, c)).toBe(c.target ?? snap.value);
      into.add(keyOf(snap.value, e.type, i, c));
    }
    snap = next;
  }
}

describe.each(CASES.map((c) => [c.kind.id, c.proves, c] as const))('%s machine (xstate/graph): %s', (_id, _proves, c) => {
  const machine: AnyStateMachine = c.kind.machine;
  const eras = c.eras.map((k) => profileFor(k) as Profile);
  const pathsOf = (p: Profile, input: unknown, simple: boolean) => {
    const opts = { input, events: c.events(p), serializeState };
    return simple ? getSimplePaths(machine, opts) : getShortestPaths(machine, opts);
  };

  it.each(eras.map((p) => [p.kernel, p] as const))('shortest paths reach every state (%s)', (_k, p) => {
    const reached = new Set(c.inputs.flatMap((input) => pathsOf(p, input, false).map((path) => path.state.value as string)));
    expect([...reached].sort()).toEqual([...c.kind.stateNames].sort());
  });

  const unreachable = c.unreachable ?? [];
  const title = unreachable.length === 0
    ? `every transition candidate (so every guard) is taken by some path plus one event, in some era of ${c.eras.join(' / ')}`
    : `every transition candidate is taken by some path plus one event, in some era of ${c.eras.join(' / ')}, except those no single-era trace can take: ${unreachable.join('; ')}`;
  it(title, () => {
    const taken = new Set<string>();
    for (const p of eras) {
      for (const input of c.inputs) {
        // Each path, extended by every event once more, so the last state's candidates are tried too.
        for (const path of pathsOf(p, input, c.simple)) {
          const events: FactEvent[] = path.steps.map((s) => s.event);
          for (const e of c.events(p)) takenAlong(c.kind, input, [...events, e], taken);
        }
      }
    }
    const all = allCandidates(c.kind);
    for (const k of unreachable) expect(all.has(k), `${c.kind.id}: ${k} is not a candidate`).toBe(true);
    const missing = [...all.keys()].filter((k) => !taken.has(k)).map((k) => `${k} (${all.get(k)})`);
    expect(missing, `${c.kind.id}: transitions no path takes`).toEqual(unreachable.map((k) => `${k} (${all.get(k)})`));
  });
});
