import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { walkStates, type Step } from '../../src/report/walk.js';
import { buildIndex, seekIndex } from '../../src/timetravel/index.js';
import { projectWorld } from '../../src/projections/projectWorld.js';
import { diffViews, flattenView, type ViewObject } from '../../src/timetravel/diffViews.js';
import { Replay } from '../../src/replay/replay.js';
import { stepEntries, type Entry } from '../../src/replay/replayTrace.js';
import { profileFor, type Profile } from '../../machines/profile.js';
import { anyTrace } from '../support/arbitraries.js';
import { entriesOf, withNested } from '../timetravel/support.js';
import { readTrace, SAMPLES, RACES } from './support.js';

/** The shown state after every record, rebuilt from the walk's changes alone (what the report's page does). */
function replayed(initial: readonly ViewObject[], steps: readonly Step[]): Map<string, string>[] {
  const state = new Map(initial.map((o) => [o.key, `${o.label}: ${o.summary}`]));
  return steps.map((s) => {
    for (const c of s.changes) {
      const o = s.after.get(c.key);
      if (o === undefined) state.delete(c.key);
      else state.set(c.key, `${o.label}: ${o.summary}`);
    }
    return new Map(state);
  });
}

const shown = (objects: readonly ViewObject[]) => new Map(objects.map((o) => [o.key, `${o.label}: ${o.summary}`]));

function walk(entries: readonly Entry[], profile: Profile, exactBudget?: number) {
  const steps: Step[] = [];
  const result = walkStates(entries, profile, (s) => steps.push(s), { exactBudget });
  return { steps, result };
}

function expectCutStates(entries: readonly Entry[], profile: Profile): void {
  const { steps, result } = walk(entries, profile, Infinity);
  expect(result.mode).toBe('exact');
  const index = buildIndex(entries, profile, 8);
  const states = replayed(result.initial, steps);
  for (let t = 0; t < entries.length; t++) {
    const before = projectWorld(seekIndex(index, t - 1).replay.world);
    const after = projectWorld(seekIndex(index, t).replay.world);
    expect(states[t], `seq ${entries[t].record.seq}`).toEqual(shown(flattenView(after)));
    expect(steps[t].changes.map((c) => c.text), `seq ${entries[t].record.seq}`).toEqual(diffViews(before, after).map((c) => c.text));
  }
}

describe('walkStates (the state after every record, in one pass)', () => {
  for (const path of [...SAMPLES, ...RACES, 'test/fixtures/travel-v6.8.jsonl']) {
    it(`gives state --at and diff of every seq of ${path}`, () => {
      const t = readTrace(path);
      expectCutStates(t.entries, t.profile);
    });
  }

  it('gives state --at and diff of every seq of random traces with nested records, in every era', () => {
    fc.assert(
      fc.property(anyTrace(), ([kernel, calls]) => {
        expectCutStates(entriesOf(withNested(calls)), profileFor(kernel) as Profile);
      }),
      { numRuns: 40 },
    );
  });

  it('without a budget shows each record with its nested records applied, and flags the records where state --at differs', () => {
    const t = readTrace('test/fixtures/travel-v6.8.jsonl');
    const { steps, result } = walk(t.entries, t.profile, 0);
    expect(result.mode).toBe('full-call');
    const full = new Replay({ profile: t.profile, validateFacts: false });
    const views: ViewObject[][] = [];
    stepEntries(full, t.entries, () => views.push(flattenView(projectWorld(full.world))));
    const states = replayed(result.initial, steps);
    const index = buildIndex(t.entries, t.profile, 8);
    let flagged = 0;
    for (let i = 0; i < t.entries.length; i++) {
      expect(states[i]).toEqual(shown(views[i]));
      if (steps[i].exact) expect(states[i]).toEqual(shown(flattenView(projectWorld(seekIndex(index, i).replay.world))));
      else flagged++;
    }
    expect(flagged).toBe(result.inexact);
    expect(flagged).toBeGreaterThan(0);
  });
});
