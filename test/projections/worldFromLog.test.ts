/**
 * The world is the fold of the facts: the fact-driven objects rebuilt from the event log alone, by
 * applying every fact to an empty world, equal the live world's, for any trace of any era. This is
 * what lets a replay be checked against its own log, and what time travel restores from.
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { anyTrace } from '../support/arbitraries.js';
import { replayCalls } from '../support/calls.js';
import { World } from '../../machines/kit/world.js';
import { FACT_DRIVEN } from '../../machines/objects.js';
import type { Fact, FactBody } from '../../events/facts.js';

const factDrivenObjects = (w: World) =>
  FACT_DRIVEN.map((k) => [k.id, [...w.entriesOf(k.id)].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))] as const);

describe('the world rebuilt from the log (seed 31)', () => {
  it('equals the live world for every fact-driven object, for any trace of any era', () => {
    fc.assert(
      fc.property(anyTrace(60), ([kernel, calls]) => {
        const r = replayCalls(kernel, calls);
        const rebuilt = new World(r.profile);
        for (const { seq: _seq, ...body } of r.log.all() as Fact[]) rebuilt.apply(body as FactBody);
        expect(factDrivenObjects(rebuilt)).toEqual(factDrivenObjects(r.world));
      }),
      { seed: 31, numRuns: 300 },
    );
  });
});
