import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { OpenDeadTable } from '../../src/timetravel/openDead.js';
import { World } from '../../machines/kit/world.js';
import { profile } from '../support/calls.js';

/** A world holding dead domains dom@0 … dom@(n-1) and exited mms mm0 … mm(n-1), the objects the table's entries are of. */
function deadWorld(n: number): World {
  const w = new World(profile('6.8.0'));
  for (let i = 0; i < n; i++) {
    w.apply({ type: 'DomainAllocated', domain: `dom@${i}`, domain_type: 'dma', mm: null });
    w.apply({ type: 'DomainFreed', domain: `dom@${i}` });
    w.apply({ type: 'MmExited', mm: `mm${i}`, keepsPasid: false });
  }
  return w;
}

const POOL = 300;
type Op = { op: 'add'; key: string } | { op: 'remove'; key: string } | { op: 'take'; max: number };
const key = fc.oneof(fc.integer({ min: 0, max: POOL - 1 }).map((n) => `domain:dom@${n}`), fc.integer({ min: 0, max: POOL - 1 }).map((n) => `mm:mm${n}`));
const ops = fc.array(
  fc.oneof(
    { arbitrary: key.map((k): Op => ({ op: 'add', key: k })), weight: 6 },
    { arbitrary: key.map((k): Op => ({ op: 'remove', key: k })), weight: 3 },
    { arbitrary: fc.integer({ min: 0, max: 40 }).map((max): Op => ({ op: 'take', max })), weight: 1 },
  ),
  { maxLength: 2000 },
);

describe("OpenDeadTable (the index builder's open entries of dead objects, by the world's ordinals)", () => {
  it('answers as a Map from key to (order, from, record) under random adds, removes and takes, and takes the smallest place first', () => {
    const w = deadWorld(POOL);
    fc.assert(
      fc.property(ops, (list) => {
        const table = new OpenDeadTable(w);
        const model = new Map<string, [number, number, number]>();
        let n = 0;
        let taking = false;
        for (const o of list) {
          if (o.op === 'add') {
            // Why no add once taking began: the builder takes only at its last step, when nothing is added any more.
            if (model.has(o.key) || taking) continue;
            const v: [number, number, number] = [n, n * 3, n * 7];
            n++;
            table.add(o.key, ...v);
            model.set(o.key, v);
          } else if (o.op === 'remove') {
            const s = table.find(o.key);
            expect(s >= 0).toBe(model.has(o.key));
            if (s >= 0 && !taking) {
              table.remove(s);
              model.delete(o.key);
            }
          } else {
            taking = true;
            const got: [string, number, number, number][] = [];
            expect(table.takeFirst(o.max, (k, order, from, record) => got.push([k, order, from, record]))).toBe(got.length);
            const want = [...model].sort((a, b) => a[1][0] - b[1][0]).slice(0, o.max).map(([k, v]) => [k, ...v] as [string, number, number, number]);
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
      { seed: 11, numRuns: 60 },
    );
  });

  it('given an object that came back to life and died again, when looked up, then its entry is found under the same key (the ordinal survives death and reuse)', () => {
    const w = deadWorld(3);
    const table = new OpenDeadTable(w);
    table.add('domain:dom@1', 0, 5, 9);
    w.apply({ type: 'DomainAllocated', domain: 'dom@1', domain_type: 'dma', mm: null });
    expect(table.orderAt(table.find('domain:dom@1'))).toBe(0);
    w.apply({ type: 'DomainFreed', domain: 'dom@1' });
    expect(table.keyAt(table.find('domain:dom@1'))).toBe('domain:dom@1');
  });

  it('given a key the world does not keep compactly, when added, then it is refused (the table keys nothing by itself)', () => {
    const table = new OpenDeadTable(deadWorld(1));
    expect(() => table.add('domain:dom@99', 0, 0, 0)).toThrow(/not stored compactly/);
    expect(table.find('domain:dom@99')).toBe(-1);
  });

  it('given an entry whose object the world no longer holds dead at the end, when taken, then the table says so instead of writing a wrong key', () => {
    const w = deadWorld(2);
    const table = new OpenDeadTable(w);
    table.add('domain:dom@0', 0, 0, 0);
    w.apply({ type: 'DomainAllocated', domain: 'dom@0', domain_type: 'dma', mm: null });
    expect(() => table.takeFirst(10, () => undefined)).toThrow(/name no dead object/);
  });
});
