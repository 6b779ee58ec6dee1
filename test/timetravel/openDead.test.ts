import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { OpenDeadTable } from '../../src/timetravel/openDead.js';

type Op = { op: 'add'; key: string } | { op: 'remove'; key: string } | { op: 'take'; max: number };

/** Keys from a small pool (so removes and re-adds hit), some long, some sharing prefixes. */
const key = fc.oneof(
  fc.integer({ min: 0, max: 300 }).map((n) => `domain:dom@${n}`),
  fc.integer({ min: 0, max: 300 }).map((n) => `mm:0xffff8881${n.toString(16).padStart(8, '0')}`),
  fc.string({ unit: fc.constantFrom('a', 'b', ':', '\u00e9'), maxLength: 6 }),
);
const ops = fc.array(
  fc.oneof(
    { arbitrary: key.map((k): Op => ({ op: 'add', key: k })), weight: 6 },
    { arbitrary: key.map((k): Op => ({ op: 'remove', key: k })), weight: 3 },
    { arbitrary: fc.integer({ min: 0, max: 40 }).map((max): Op => ({ op: 'take', max })), weight: 1 },
  ),
  { maxLength: 6000 },
);

describe('OpenDeadTable (the index builder\'s open entries of dead objects, outside the JS heap)', () => {
  it('answers as a Map from key to (order, from, record) under random adds, removes and takes, and takes the first added first', () => {
    fc.assert(
      fc.property(ops, (list) => {
        const table = new OpenDeadTable();
        const model = new Map<string, [number, number, number]>();
        let n = 0;
        for (const o of list) {
          if (o.op === 'add') {
            if (model.has(o.key)) continue;
            const v: [number, number, number] = [n, n * 3, n * 7];
            n++;
            table.add(o.key, ...v);
            model.set(o.key, v);
          } else if (o.op === 'remove') {
            const s = table.find(o.key);
            expect(s >= 0).toBe(model.has(o.key));
            if (s >= 0) {
              table.remove(s);
              model.delete(o.key);
            }
          } else {
            const got: [string, number, number, number][] = [];
            expect(table.takeFirst(o.max, (k, order, from, record) => got.push([k, order, from, record]))).toBe(got.length);
            const want = [...model].slice(0, o.max).map(([k, v]) => [k, ...v] as [string, number, number, number]);
            expect(got).toEqual(want);
            for (const [k] of got) model.delete(k);
          }
          expect(table.size).toBe(model.size);
        }
        for (const [k, [order, from, record]] of model) {
          const s = table.find(k);
          expect([table.keyAt(s), table.orderAt(s), table.fromAt(s), table.recordAt(s)]).toEqual([k, order, from, record]);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('reclaims the space of removed entries: a long churn of one small set keeps its arrays small', () => {
    const table = new OpenDeadTable();
    for (let i = 0; i < 200_000; i++) {
      const k = `globalPasidHistory:${i % 50}`;
      const s = table.find(k);
      if (s >= 0) table.remove(s);
      table.add(k, i, i, i);
    }
    expect(table.size).toBe(50);
    expect(table.capacity).toBeLessThanOrEqual(1 << 13);
    const got: number[] = [];
    table.takeFirst(100, (_k, order) => got.push(order));
    expect(got).toEqual(Array.from({ length: 50 }, (_, j) => 200_000 - 50 + j));
  });
});
