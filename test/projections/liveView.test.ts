/**
 * The live view (the default of `state`): the whole state view without the dead objects it lists
 * (freed domains, exited mms), and how many it leaves out per kind; its text ends with one line
 * counting them.
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { anyTrace } from '../support/arbitraries.js';
import { replayCalls } from '../support/calls.js';
import { projectWorld } from '../../src/projections/projectWorld.js';
import { formatState } from '../../src/projections/formatState.js';
import { liveStateView, stateView } from '../../src/timetravel/live.js';

describe('the live state view (seed 77)', () => {
  it('is the whole view without its freed domains and exited mms, which it counts, for any trace of any era', () => {
    let left = 0;
    fc.assert(
      fc.property(anyTrace(80), ([kernel, calls]) => {
        const world = replayCalls(kernel, calls).world;
        const whole = projectWorld(world);
        const freed = whole.domains.filter((d) => d.freed).length;
        const exited = whole.mms.filter((m) => m.exited).length;
        left += freed + exited;
        expect(liveStateView(world)).toEqual({
          ...whole,
          domains: whole.domains.filter((d) => !d.freed),
          mms: whole.mms.filter((m) => !m.exited),
          notShown: { ...(freed > 0 ? { domain: freed } : {}), ...(exited > 0 ? { mm: exited } : {}) },
        });
      }),
      { seed: 77, numRuns: 300 },
    );
    // The traces had dead objects to leave out.
    expect(left).toBeGreaterThan(0);
  });

  it('with dead objects asked for, is the whole view as it is (no notShown field)', () => {
    const world = replayCalls('6.8.0', []).world;
    expect(stateView(world, true)).toEqual(projectWorld(world));
    expect('notShown' in stateView(world, true)).toBe(false);
  });
});

describe('the text of a live view', () => {
  const base = projectWorld(replayCalls('6.8.0', []).world);

  it('ends with one line counting the dead objects left out, per kind, counts grouped by thousands', () => {
    const text = formatState({ ...base, notShown: { domain: 44123, mm: 13012 } });
    expect(text.split('\n').slice(-2)).toEqual(['', 'not shown: 44,123 freed domains, 13,012 exited mms (--dead lists them)']);
  });

  it('names one dead object in the singular', () => {
    expect(formatState({ ...base, notShown: { domain: 1, mm: 1 } }).split('\n').at(-1)).toBe('not shown: 1 freed domain, 1 exited mm (--dead lists them)');
  });

  it('prints no such line when it left nothing out', () => {
    expect(formatState({ ...base, notShown: {} })).toBe(formatState(base));
  });
});
