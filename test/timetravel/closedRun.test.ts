import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { ClosedRun, type ClosedEntry } from '../../src/timetravel/closedRun.js';
import { OPEN } from '../../src/timetravel/live.js';

/** Keys and texts of every width UTF-8 has (ASCII ids, Latin-1, CJK, astral), some empty. */
const text = fc.string({ unit: fc.constantFrom('a', 'Z', ':', '"', '\\', '\n', '\u00e9', '\u4e2d', '\u{1f600}'), maxLength: 40 });
const entry = fc.record({
  key: text,
  from: fc.nat({ max: 2 ** 31 - 1 }),
  until: fc.oneof(fc.constant(OPEN), fc.nat({ max: 2 ** 31 - 1 })),
  snap: text,
  own: fc.boolean(),
  dead: fc.boolean(),
});
/** Runs of entries, short lists expanded so the buffers grow many times without a long shrink. */
const runs = fc.array(fc.tuple(fc.array(entry, { maxLength: 30 }), fc.integer({ min: 1, max: 200 })), { maxLength: 5 });

const plain = (e: ClosedEntry) => ({ order: e.order, key: e.key, from: e.from, until: e.until, snap: e.snap, own: e.own, dead: e.dead });

describe("ClosedRun (the index builder's closed dead-log entries, outside the JS heap)", () => {
  it('hands back, run after run, exactly the entries added since the last drain, in the order they were added', () => {
    fc.assert(
      fc.property(runs, (list) => {
        const run = new ClosedRun();
        let order = 0;
        for (const [pattern, times] of list) {
          const added: ClosedEntry[] = [];
          for (let t = 0; t < times; t++) for (const e of pattern) added.push({ ...e, order: order++ });
          for (const e of added) run.add(e);
          expect(run.length).toBe(added.length);
          expect(run.drain((entries) => entries.map(plain))).toStrictEqual(added);
          expect(run.length).toBe(0);
        }
      }),
      { seed: 5, numRuns: 100 },
    );
  });

  it('given a drained run, when entries are added again, then the earlier texts are not among them (the buffers are reused, not appended to)', () => {
    const run = new ClosedRun();
    run.add({ order: 0, key: 'domain:dom@1', from: 0, until: 5, snap: '{"value":"freed"}', own: true, dead: true });
    run.drain(() => undefined);
    run.add({ order: 1, key: 'mm:mm1', from: 2, until: OPEN, snap: '{"value":"exited"}', own: false, dead: true });
    expect(run.drain((entries) => entries.map(plain))).toStrictEqual([{ order: 1, key: 'mm:mm1', from: 2, until: OPEN, snap: '{"value":"exited"}', own: false, dead: true }]);
  });

  it('given a writer that throws, when drained, then the run is emptied all the same', () => {
    const run = new ClosedRun();
    run.add({ order: 0, key: 'k', from: 0, until: 1, snap: 's', own: false, dead: false });
    expect(() => run.drain(() => { throw new Error('disk full'); })).toThrow('disk full');
    expect(run.length).toBe(0);
  });
});
