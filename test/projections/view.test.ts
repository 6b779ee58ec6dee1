import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { sortBy } from '../../src/projections/view.js';

/** The order sortBy promises: a stable sort comparing the keys (two numbers as numbers, anything else as text). */
function byComparingKeys<T>(items: T[], key: (t: T) => string | number): T[] {
  return [...items].sort((a, b) => {
    const x = key(a);
    const y = key(b);
    return typeof x === 'number' && typeof y === 'number' ? x - y : String(x) < String(y) ? -1 : String(x) > String(y) ? 1 : 0;
  });
}

describe('sortBy (every list of a state view)', () => {
  it('orders by the key as comparing the keys pairwise does, stably, in place', () => {
    // Keys that tie, strings that sort apart from their numbers ('10' < '9'), and (never made by a projection) a mix.
    const key = fc.oneof(fc.constantFrom('9', '10', 'dom@4', 'dom@40', 'a\u0000b', ''), fc.integer({ min: -3, max: 12 }));
    const lists = fc.oneof(
      fc.array(fc.record({ k: fc.constantFrom('9', '10', 'dom@4', 'dom@40', 'a\u0000b', '') }), { maxLength: 40 }),
      fc.array(fc.record({ k: fc.oneof(fc.integer({ min: -3, max: 12 }), fc.constantFrom(-0, 0.5, Infinity, -Infinity)) }), { maxLength: 40 }),
      fc.array(fc.record({ k: key }), { maxLength: 12 }),
    );
    fc.assert(
      fc.property(lists, (items: { k: string | number }[]) => {
        const tagged = items.map((x, i) => ({ ...x, i }));
        const expected = byComparingKeys(tagged, (t) => t.k);
        const sorted = sortBy(tagged, (t) => t.k);
        expect(sorted).toBe(tagged);
        expect(sorted.map((t) => t.i)).toEqual(expected.map((t) => t.i));
      }),
      { seed: 23, numRuns: 500 },
    );
  });
});
