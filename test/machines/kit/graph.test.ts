/**
 * Model-based tests with xstate/graph for the IOASID-allocator and VT-d machines: with a hand-written
 * list of representative events per kind (for a few eras), the shortest paths reach every state, and
 * stepping the kind's fast path along the simple/shortest paths takes every transition candidate
 * (so every guard is both reachable and decisive).
 */
import { describe, it, expect } from 'vitest';
import { getShortestPaths, getSimplePaths } from 'xstate/graph';
import type { AnyStateMachine } from 'xstate';
import { allocatorListKind, allocatorRegistrationKind, idSpaceKind, ioasidKind, scalableModeKind, vtdUnitKind } from '../../../machines/index.js';
import type { Lifecycle, MachineEvent, Snap, TransitionConfig } from '../../../machines/kit/lifecycle.js';
import type { Outcome } from '../../../machines/kit/outcome.js';
import { profileFor, type Profile } from '../../../machines/profile.js';

const ERAS = ['5.10.0', '5.15.0', '6.1.0'].map((k) => profileFor(k) as Profile);

interface Case {
  readonly kind: Lifecycle<unknown, MachineEvent, unknown>;
  readonly input: unknown;
  readonly events: (p: Profile) => MachineEvent[];
  /** Traversal depth: simple paths only for the small machines. */
  readonly simple: boolean;
}

const CASES: Case[] = [
  {
    kind: allocatorListKind as never,
    input: {},
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
    input: { ops: 'opsA' },
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
    input: { space: 'S' },
    simple: false,
    events: (p) => [
      { type: 'CREATE', p, ops: 'opsA', alloc: 'a', free: 'f' },
      { type: 'JOIN', p, ops: 'opsB' },
      { type: 'UNREGISTER', p, ops: 'opsA' },
      { type: 'UNREGISTER', p, ops: 'opsB' },
      { type: 'UNREGISTER', p, ops: 'opsZ' },
      { type: 'ID_TAKEN', p },
      { type: 'ID_RELEASED', p },
      { type: 'ALLOC_FAILED', p, hostFailure: false, belowPasidMin: false },
      { type: 'ALLOC_FAILED', p, hostFailure: true, belowPasidMin: false },
      { type: 'ALLOC_FAILED', p, hostFailure: true, belowPasidMin: true },
    ] as unknown as MachineEvent[],
  },
  {
    kind: ioasidKind as never,
    input: { space: 'S', ioasid: 1 },
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
    input: {},
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
    input: { iommu: 'dmar0' },
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
];

/** Counters are clamped and lists reduced to small sets so the traversal is finite. */
const serializeState = (s: { value: unknown; context: unknown }) =>
  JSON.stringify([s.value, JSON.parse(JSON.stringify(s.context, (_k, v) => (typeof v === 'number' ? Math.min(v, 2) : Array.isArray(v) ? [...new Set(v.map((x) => JSON.stringify(x)))].sort().slice(0, 3) : v)))]);

/** Every transition candidate, keyed by state, event type and its decided rules. */
function allCandidates(kind: Case['kind']): Map<string, { guard: string | undefined }> {
  const out = new Map<string, { guard: string | undefined }>();
  for (const [state, config] of Object.entries(kind.spec.states)) {
    for (const [type, t] of Object.entries(config.on)) {
      for (const c of (Array.isArray(t) ? t : [t]) as TransitionConfig[]) {
        const actions = Array.isArray(c.actions) ? c.actions : [c.actions];
        const rules = actions.flatMap((a) => (typeof a === 'object' && a.type === 'decide' ? [(a.params as Outcome).rule] : []));
        out.set(`${state} | ${type} | ${rules.join(' + ')}`, { guard: c.guard });
      }
    }
  }
  return out;
}

function takenAlong(kind: Case['kind'], input: unknown, events: readonly MachineEvent[], into: Set<string>): void {
  let snap: Snap<unknown> = kind.initial(input);
  for (const e of events) {
    const r = kind.step(snap, e);
    into.add(`${snap.value} | ${e.type} | ${r.outcomes.map((o) => o.rule).join(' + ')}`);
    snap = r.snap;
  }
}

describe.each(CASES.map((c) => [c.kind.id, c] as const))('%s machine (xstate/graph)', (_id, c) => {
  const machine = c.kind.machine as AnyStateMachine;

  it.each(ERAS.map((p) => [p.kernel, p] as const))('shortest paths reach every state (%s)', (_k, p) => {
    const paths = getShortestPaths(machine, { input: c.input, events: c.events(p), serializeState: serializeState as never });
    const reached = new Set(paths.map((path) => path.state.value as string));
    expect([...reached].sort()).toEqual([...c.kind.stateNames].sort());
  });

  it('every transition candidate (so every guard) is taken by some path, in some era', () => {
    const taken = new Set<string>();
    for (const p of ERAS) {
      const opts = { input: c.input, events: c.events(p), serializeState: serializeState as never };
      const paths = c.simple ? getSimplePaths(machine, opts) : getShortestPaths(machine, opts);
      // Each path, extended by every event once more, so the last state's candidates are tried too.
      for (const path of paths) {
        const events = path.steps.map((s) => s.event as MachineEvent);
        for (const e of c.events(p)) takenAlong(c.kind, c.input, [...events, e], taken);
      }
    }
    const missing = [...allCandidates(c.kind).keys()].filter((k) => !taken.has(k));
    expect(missing, `${c.kind.id}: transitions no path takes`).toEqual([]);
  });
});
