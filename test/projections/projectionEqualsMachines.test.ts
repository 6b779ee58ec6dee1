import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { anyTrace } from '../support/arbitraries.js';
import { replayCalls } from '../support/calls.js';
import { projectWorld } from '../../src/projections/projectWorld.js';
import { foldFacts } from '../../src/projections/foldFacts.js';

describe('projections (seed 7)', () => {
  it('the view folded from the log equals the view of the machines, for any trace of any era', () => {
    fc.assert(
      fc.property(anyTrace(60), ([kernel, calls]) => {
        const r = replayCalls(kernel, calls);
        expect(foldFacts(r.log.all(), r.profile)).toEqual(projectWorld(r.world));
      }),
      { seed: 7, numRuns: 300 },
    );
  });
});
