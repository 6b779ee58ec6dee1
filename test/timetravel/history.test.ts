import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import fc from 'fast-check';
import { anyTrace } from '../support/arbitraries.js';
import { profile } from '../support/calls.js';
import { projectWorld } from '../../src/projections/projectWorld.js';
import { buildIndex, seekIndex, type TravelIndex } from '../../src/timetravel/index.js';
import { describe as describeObject, diffViews, flattenView } from '../../src/timetravel/diffViews.js';
import { historyOf } from '../../src/timetravel/history.js';
import { memoryTimeline } from '../../src/timetravel/timeline.js';
import { entriesOf, withNested } from './support.js';

/** The specification of an item's states: the whole world projected right before and right after the record, then filtered. */
function oracle(index: TravelIndex, tokens: ReadonlySet<string>) {
  const pick = (v: ReturnType<typeof projectWorld>) => flattenView(v).filter((o) => o.refs.some((r) => tokens.has(r))).map((o) => ({ label: o.label, state: describeObject(o) }));
  return memoryTimeline(index).touching(tokens, index.entries.length - 1).map((t) => {
    const before = projectWorld(seekIndex(index, t - 1).replay.world);
    const after = projectWorld(seekIndex(index, t).replay.world);
    return { seq: index.entries[t].record.seq, before: pick(before), after: pick(after), changes: diffViews(before, after).filter((c) => c.refs.some((k) => tokens.has(k))) };
  });
}

describe('history (seed 9101)', () => {
  beforeAll(() => fc.configureGlobal({ ...fc.readConfigureGlobal(), baseSize: 'large' }));
  afterAll(() => fc.resetConfigureGlobal());

  it("shows each record's selected objects before and after exactly as projecting the whole world there does", () => {
    fc.assert(
      fc.property(anyTrace(300), fc.constantFrom(1, 16, 100), ([kernel, calls], k) => {
        const index = buildIndex(entriesOf(withNested(calls)), profile(kernel), k);
        for (const token of ['pasid:1', 'pasid:2', 'dev:0000:6a:01.0', 'domain:dom1', 'mm:mm1', 'ops:ops1']) {
          const tokens = new Set([token]);
          const got = historyOf(index, tokens).map((h) => ({ seq: h.seq, before: h.before, after: h.after, changes: h.changes }));
          expect(got, token).toEqual(oracle(index, tokens));
        }
      }),
      { seed: 9101, numRuns: 25 },
    );
  }, 240_000);
});
