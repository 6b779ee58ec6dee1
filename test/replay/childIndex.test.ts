import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import type { CallRecord } from '../../events/records.js';
import { ChildIndex, descendantsOf, LOOKAHEAD, type Entry } from '../../src/replay/replayTrace.js';

/** Records 1..n; each may run inside an earlier one, near (the usual case) or beyond the look-ahead. */
const nestedTrace = fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 3 }), fc.integer({ min: LOOKAHEAD - 2, max: LOOKAHEAD + 3 })), { minLength: 270, maxLength: 700 }).map((back) =>
  back.map((b, i): Entry => {
    const seq = i + 1;
    const parent = b > 0 && seq - b >= 1 ? seq - b : undefined;
    return { record: { seq, ts: seq, cpu: 0, tid: 1, fn: 'set_dev_pasid', args: { domain: 'd', dev: 'x', pasid: 1 }, ...(parent ? { parent } : {}) } as CallRecord, line: seq + 1 };
  }),
);

describe('the child index (seed 808)', () => {
  it('gives every record the descendants the look-ahead scan gives, in trace order', () => {
    fc.assert(
      fc.property(nestedTrace, (entries) => {
        const index = new ChildIndex();
        entries.forEach((e, pos) => index.add(e, pos));
        entries.forEach((e, i) => {
          const got = index.take(e, i);
          const want = descendantsOf(entries, i);
          expect(got.records.map((r) => r.seq)).toEqual(want.records.map((r) => r.seq));
          expect([...got.lines]).toEqual([...want.lines]);
        });
      }),
      { seed: 808, numRuns: 300 },
    );
  });
});
