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
  allocatorListKind, allocatorRegistrationKind, deviceKind, domainKind, globalPasidKind, idSpaceKind, ioasidKind, mmKind,
  pasidSlotKind, scalableModeKind, svaBondKind, svaHandleKind, vtdUnitKind,
} from '../../../machines/index.js';
import { globalPasidHistoryKind } from '../../../machines/global/globalPasidHistory.machine.js';
import type { Lifecycle, MachineEvent, Snap, TransitionConfig } from '../../../machines/kit/lifecycle.js';
import type { Outcome } from '../../../machines/kit/outcome.js';
import { profileFor, type Profile } from '../../../machines/profile.js';

/** The IOASID/VT-d eras; the other kinds name the kernels that flip their guards. */
const IOASID_ERAS = ['5.10.0', '5.15.0', '6.1.0'];

interface Case {
  readonly kind: Lifecycle<unknown, MachineEvent, unknown>;
  /** What the traversal proves about the machine (the describe title). */
  readonly proves: string;
  /** Kernels whose profiles make every guard both true and false somewhere. */
  readonly eras: readonly string[];
  /** One object per input (e.g. PASID 0 and PASID 1): some guards read the input, not the events. */
  readonly inputs: readonly unknown[];
  readonly events: (p: Profile) => MachineEvent[];
  /** Traversal depth: simple paths only for the small machines. */
  readonly simple: boolean;
  /** Candidates (`state | EVENT | #index guard`) no path of any single era takes: findings about the machine. */
  readonly unreachable?: readonly string[];
}

const CASES: Case[] = [
  {
    kind: allocatorListKind as never,
    proves: 'entries are added and removed, and unregister tells the listed allocator from another',
    eras: IOASID_ERAS,
    inputs: [{}],
    simple: false,
    events: (p) => [
      { type: 'ENTRY_ADDED', p, space: 'A' },
      { type: 'ENTRY_ADDED', p, space: 'B' },
      { type: 'ENTRY_REMOVED', p, space: 'A', orphans: [] },
      { type: 'ENTRY_REMOVED', p, space: 'B', orphans: [1] },
      { type: 'UNREGISTER', p, matches: true },
      { type: 'UNREGISTER', p, matches: false },
    ] as unknown as MachineEvent[],
  },
  {
    kind: allocatorRegistrationKind as never,
    proves: 'register tells the entry head, an empty list with or without outstanding IDs, a shared helper space and a new space apart',
    eras: IOASID_ERAS,
    inputs: [{ ops: 'opsA' }],
    simple: false,
    events: (p) => {
      const reg = { type: 'REGISTER', p, alloc: 'a', free: 'f', pdata: null, listEmpty: false, defaultOutstanding: 0, isEntryHead: false, sameHelpersSpace: null, newSpace: 'S2' };
      return [
        { ...reg, isEntryHead: true },
        { ...reg, listEmpty: true, defaultOutstanding: 1 },
        { ...reg, listEmpty: true },
        { ...reg, sameHelpersSpace: 'S1' },
        reg,
        { type: 'PROMOTE', p },
        { type: 'DROP', p },
      ] as unknown as MachineEvent[];
    },
  },
  {
    kind: idSpaceKind as never,
    proves: 'unregister tells the creator, a joiner and a stranger apart, and allocation failures tell host and pasid-min failures apart',
    eras: IOASID_ERAS,
    inputs: [{ space: 'S' }],
    simple: false,
    events: (p) => [
      { type: 'CREATE', p, ops: 'opsA', alloc: 'a', free: 'f' },
      { type: 'JOIN', p, ops: 'opsB' },
      { type: 'UNREGISTER', p, ops: 'opsA' },
      { type: 'UNREGISTER', p, ops: 'opsB' },
      { type: 'UNREGISTER', p, ops: 'opsZ' },
      { type: 'UNREGISTER', p, ops: 'opsA', dangling: true },
      { type: 'OPS_USED', p, what: 'alloc' },
      { type: 'ID_TAKEN', p },
      { type: 'ID_RELEASED', p },
      { type: 'ALLOC_FAILED', p, hostFailure: false, belowPasidMin: false },
      { type: 'ALLOC_FAILED', p, hostFailure: true, belowPasidMin: false },
      { type: 'ALLOC_FAILED', p, hostFailure: true, belowPasidMin: true },
    ] as unknown as MachineEvent[],
  },
  {
    kind: ioasidKind as never,
    proves: 'alloc, free, get/put (vcmd or not), find by set and end-of-trace ownership each decide',
    eras: IOASID_ERAS,
    inputs: [{ space: 'S', ioasid: 1 }],
    simple: false,
    events: (p) => [
      { type: 'ALLOC', p, set: null, private: null, orphanAliased: false },
      { type: 'ALLOC', p, set: 'setA', private: 'mm1', orphanAliased: false },
      { type: 'ALLOC', p, set: null, private: null, orphanAliased: true },
      { type: 'FREE', p, vcmd: false },
      { type: 'FREE', p, vcmd: true },
      { type: 'GET', p },
      { type: 'PUT', p, vcmd: false },
      { type: 'PUT', p, vcmd: true },
      { type: 'FREE', p, vcmd: false, releasedAt: 3 },
      { type: 'PUT', p, vcmd: false, releasedAt: 3 },
      { type: 'SET_DATA', p, data: null },
      { type: 'FIND', p, set: null },
      { type: 'FIND', p, set: 'setB' },
      { type: 'ORPHAN', p },
      { type: 'END', p, ownedByMm: false },
      { type: 'END', p, ownedByMm: true },
    ] as unknown as MachineEvent[],
  },
  {
    kind: scalableModeKind as never,
    proves: 'root programming tells ECAP.SMTS and the recorded mode apart',
    eras: IOASID_ERAS,
    inputs: [{}],
    simple: false,
    events: (p) => [
      { type: 'ROOT_PROGRAMMED', p, iommu: 'dmar0', ecapSmts: true, recordedSmt: null },
      { type: 'ROOT_PROGRAMMED', p, iommu: 'dmar1', ecapSmts: false, recordedSmt: null },
      { type: 'ROOT_PROGRAMMED', p, iommu: 'dmar0', ecapSmts: true, recordedSmt: false },
      { type: 'ROOT_PROGRAMMED', p, iommu: 'dmar1', ecapSmts: false, recordedSmt: true },
      { type: 'DISABLE', p, iommu: null },
    ] as unknown as MachineEvent[],
  },
  {
    kind: vtdUnitKind as never,
    proves: 'the pasid-allocator registration checks caching mode, scalable mode and the vcmd capability',
    eras: IOASID_ERAS,
    inputs: [{ iommu: 'dmar0' }],
    simple: false,
    events: (p) => {
      const reg = { type: 'REGISTER_PASID_ALLOCATOR', p, cachingMode: true, smSupported: true, vccapPasid: true, ops: 'dmar0/pasid_allocator' };
      return [
        { ...reg, cachingMode: false },
        { ...reg, smSupported: false },
        { ...reg, vccapPasid: false },
        reg,
        { type: 'REGISTERED', p },
        { type: 'REGISTRATION_FAILED', p },
        { type: 'ROOT_SET', p, smt: true },
        { type: 'FREE', p },
      ] as unknown as MachineEvent[];
    },
  },
  {
    kind: deviceKind as never,
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
    ] as unknown as MachineEvent[],
  },
  {
    kind: pasidSlotKind as never,
    proves: 'an attach fills the slot, a replace swaps domain and handle, a detach empties it',
    eras: ['6.15.0'],
    inputs: [{ group: 'g0', pasid: 1 }],
    simple: true,
    events: () => [
      { type: 'PasidAttached', group: 'g0', dev: 'd0', pasid: 1, domain: 'dom1', handle: 'h1' },
      { type: 'PasidReplaced', group: 'g0', dev: 'd0', pasid: 1, from: 'dom1', to: 'dom2', handle: 'h2' },
      { type: 'PasidDetached', group: 'g0', dev: 'd0', pasid: 1, domain: 'dom2' },
    ] as unknown as MachineEvent[],
  },
  {
    kind: domainKind as never,
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
    ] as unknown as MachineEvent[],
  },
  {
    kind: mmKind as never,
    proves: 'the PASID request checks the range (≤ v6.5 callers) and the kept PASID against the device range; exit tells live bonds apart',
    eras: ['5.15.0', '6.2.0', '6.6.0'],
    inputs: [{ mm: 'mm1' }],
    simple: false,
    events: (p) => [
      { type: 'NEED_PASID', p, min: 1, max: 15, checkRange: true, acceptMax: 10, intelWidth: false },
      { type: 'NEED_PASID', p, min: 0, max: 15, checkRange: true, acceptMax: 10, intelWidth: false },
      { type: 'NEED_PASID', p, min: 0, max: 15, checkRange: false, acceptMax: 10, intelWidth: false },
      { type: 'NEED_PASID', p, min: 1, max: 15, checkRange: false, acceptMax: 10, intelWidth: true },
      { type: 'PASID_ASSIGNED', p, pasid: 1, intelSvm: false },
      { type: 'PASID_ASSIGNED', p, pasid: 100, intelSvm: true },
      { type: 'PASID_RELEASED', p },
      { type: 'BOND_ADDED', p },
      { type: 'BOND_REMOVED', p },
      { type: 'DOMAIN_ADDED', p, domain: 'dom1' },
      { type: 'DOMAIN_REMOVED', p, domain: 'dom1' },
      { type: 'EXIT', p },
    ] as unknown as MachineEvent[],
  },
  {
    kind: svaBondKind as never,
    proves: 'a second bind shares the handle (vendor bond, v6.8+), hands out a new one (v6.2–v6.7) or fails -EBUSY (v6.8-rc1..rc5); unbind tells the last user apart',
    eras: ['5.15.0', '6.2.0', '6.8.0-rc3', '6.9.0'],
    inputs: [{ dev: 'd0', mm: 'mm1' }],
    simple: false,
    events: (p) => [
      { type: 'BIND', p, handle: 'h1', pasid: 1, domain: 'dom1' },
      { type: 'BIND', p, handle: 'h2', pasid: 1, domain: 'dom1' },
      { type: 'UNBIND', p, handle: 'h1' },
      { type: 'UNBIND', p, handle: 'h2' },
      { type: 'END', p },
    ] as unknown as MachineEvent[],
  },
  {
    kind: svaHandleKind as never,
    proves: 'a handle is bound, freed by its last unbind and reused; an unbind after the free is a use-after-free',
    eras: ['6.2.0'],
    inputs: [{ handle: 'h1' }],
    simple: false,
    events: (p) => [
      { type: 'BOUND', p, dev: 'd0', mm: 'mm1' },
      { type: 'UNBIND', p },
      { type: 'RELEASE', p },
    ] as unknown as MachineEvent[],
  },
  {
    kind: globalPasidKind as never,
    proves: 'allocated and freed; attachments counted only while allocated',
    eras: ['6.6.0'],
    inputs: [{ pasid: 1 }],
    simple: false,
    events: () => [
      { type: 'GlobalPasidAllocated', pasid: 1, dev: 'd0', mm: null },
      { type: 'GlobalPasidFreed', pasid: 1 },
      { type: 'PasidAttached', group: 'g0', dev: 'd0', pasid: 1, domain: 'dom1' },
      { type: 'PasidDetached', group: 'g0', dev: 'd0', pasid: 1, domain: 'dom1' },
    ] as unknown as MachineEvent[],
  },
  {
    kind: globalPasidHistoryKind as never,
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
    ] as unknown as MachineEvent[],
  },
];

/** Counters are clamped and lists reduced to small sets so the traversal is finite. */
const clamp = (v: number) => Math.max(-2, Math.min(v, 2));
const serializeState = (s: { value: unknown; context: unknown }) =>
  JSON.stringify([s.value, JSON.parse(JSON.stringify(s.context, (_k, v) => (typeof v === 'number' ? clamp(v) : Array.isArray(v) ? [...new Set(v.map((x) => JSON.stringify(x)))].sort().slice(0, 3) : v)))]);

const candidatesOf = (kind: Case['kind'], state: string, type: string): readonly TransitionConfig[] => {
  const t = kind.spec.states[state]?.on[type];
  return t === undefined ? [] : ((Array.isArray(t) ? t : [t]) as TransitionConfig[]);
};
const rulesOf = (c: TransitionConfig) =>
  (c.actions === undefined ? [] : Array.isArray(c.actions) ? c.actions : [c.actions]).flatMap((a) => (typeof a === 'object' && a.type === 'decide' ? [(a.params as Outcome).rule] : []));
/** A candidate by its index in the compiled list (rules may repeat, e.g. two detaches with one rule). */
const keyOf = (state: string, type: string, i: number, c: TransitionConfig) => `${state} | ${type} | #${i}${c.guard === undefined ? '' : ` ${c.guard}`}`;

/** Every transition candidate, keyed by state, event type and index, with its decided rules. */
function allCandidates(kind: Case['kind']): Map<string, string> {
  const out = new Map<string, string>();
  for (const [state, config] of Object.entries(kind.spec.states)) {
    for (const type of Object.keys(config.on)) {
      candidatesOf(kind, state, type).forEach((c, i) => out.set(keyOf(state, type, i, c), rulesOf(c).join(' + ')));
    }
  }
  return out;
}

/** Steps the fast path and records which candidate each step took (the first whose guard holds, as XState picks). */
function takenAlong(kind: Case['kind'], input: unknown, events: readonly MachineEvent[], into: Set<string>): void {
  let snap: Snap<unknown> = kind.initial(input);
  for (const e of events) {
    const r = kind.step(snap, e);
    const cands = candidatesOf(kind, snap.value, e.type);
    const i = cands.findIndex((c) => c.guard === undefined || kind.spec.guards[c.guard]!({ context: snap.context, event: e }));
    if (i >= 0) {
      const c = cands[i]!;
      // The table and the config must agree on the candidate; a mismatch is a kit bug, not a coverage gap.
      expect(r.outcomes.map((o) => o.rule), keyOf(snap.value, e.type, i, c)).toEqual(rulesOf(c));
      into.add(keyOf(snap.value, e.type, i, c));
    }
    snap = r.snap;
  }
}

describe.each(CASES.map((c) => [c.kind.id, c.proves, c] as const))('%s machine (xstate/graph): %s', (_id, _proves, c) => {
  const machine = c.kind.machine as AnyStateMachine;
  const eras = c.eras.map((k) => profileFor(k) as Profile);
  const pathsOf = (p: Profile, input: unknown, simple: boolean) => {
    const opts = { input, events: c.events(p), serializeState: serializeState as never };
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
          const events = path.steps.map((s) => s.event as MachineEvent);
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
