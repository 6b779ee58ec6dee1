/**
 * A kind with dead states keeps its objects in a DeadKindMap (machines/kit/deadStore.ts): the dead
 * ones (a record's number) outside the JS heap, the others in a Map. The world reads it as the Map it
 * replaces, so it must behave as one: the same answers, the same size, and the same iteration order
 * (an object keeps its place through death and reuse; deleted and stored again, it goes last).
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { DeadKindMap } from '../../../machines/kit/deadStore.js';
import type { Snap } from '../../../machines/kit/lifecycle.js';

type Op = { readonly op: 'live' | 'dead' | 'delete'; readonly id: string; readonly n: number };

const ids = fc.constantFrom('dom@1', 'dom@2', 'dom@3', 'sva@10', '0xffff888100000001', '7', 'ünï', 'Ω-id', '');
const ops = fc.array(fc.record({ op: fc.constantFrom<Op['op']>('live', 'live', 'dead', 'dead', 'delete'), id: ids, n: fc.nat(5) }), { maxLength: 80 });

/** What a Map given the same operations holds, and what the DeadKindMap holds, as [id, value] lists. */
function both(list: readonly Op[]): { map: Map<string, Snap<unknown>>; dead: DeadKindMap } {
  const map = new Map<string, Snap<unknown>>();
  const dead = new DeadKindMap();
  for (const { op, id, n } of list) {
    // A dead object is stored as its record's number; a live one as its snapshot.
    const stored = op === 'dead' ? (n as unknown as Snap<unknown>) : ({ value: 'live', context: { n } } as Snap<unknown>);
    if (op === 'delete') expect(dead.delete(id)).toBe(map.delete(id));
    else {
      map.set(id, stored);
      dead.set(id, stored);
    }
  }
  return { map, dead };
}

describe('DeadKindMap behaves as the Map it replaces (seed 43)', () => {
  it('for any sequence of stores, deaths, reuses and deletes, it holds what a Map holds, in the same order', () => {
    fc.assert(
      fc.property(ops, (list) => {
        const { map, dead } = both(list);
        expect([...dead]).toStrictEqual([...map]);
        expect([...dead.keys()]).toStrictEqual([...map.keys()]);
        expect(dead.size).toBe(map.size);
        for (const id of ['dom@1', 'dom@2', 'dom@3', 'sva@10', '0xffff888100000001', '7', 'ünï', 'Ω-id', '', 'absent']) {
          expect(dead.get(id)).toStrictEqual(map.get(id));
          expect(dead.has(id)).toBe(map.has(id));
        }
      }),
      { seed: 43, numRuns: 500 },
    );
  });

  it('for any sequence, a copy holds the same objects in the same order, and changing it leaves the original as it was', () => {
    fc.assert(
      fc.property(ops, ops, (first, then) => {
        const { map, dead } = both(first);
        const before = [...dead];
        const copy = dead.copy();
        expect([...copy]).toStrictEqual([...map]);
        for (const { op, id, n } of then) {
          if (op === 'delete') copy.delete(id);
          else copy.set(id, op === 'dead' ? (n as unknown as Snap<unknown>) : ({ value: 'live', context: { n } } as Snap<unknown>));
        }
        expect([...dead]).toStrictEqual(before);
      }),
      { seed: 44, numRuns: 300 },
    );
  });

  it('given many objects that die, when most come back to life, then each is found and the order is kept', () => {
    const map = new Map<string, Snap<unknown>>();
    const dead = new DeadKindMap();
    for (let i = 0; i < 5000; i++) {
      const stored = i as unknown as Snap<unknown>;
      map.set(`dom@${i}`, stored);
      dead.set(`dom@${i}`, stored);
    }
    for (let i = 0; i < 5000; i += 3) {
      const live = { value: 'allocated', context: { i } } as Snap<unknown>;
      map.set(`dom@${i}`, live);
      dead.set(`dom@${i}`, live);
    }
    expect([...dead]).toStrictEqual([...map]);
    expect(dead.get('dom@4999')).toBe(4999);
  });

  it('given objects that die and come back many times (a PASID history freed and allocated again), when their dead entries are compacted, then it still holds what a Map holds, in the same order', () => {
    // Each step stores or deletes a run of ids, so a short list (quick to shrink) makes thousands of deaths.
    const churn = fc.array(fc.record({ op: fc.constantFrom<Op['op']>('live', 'dead', 'dead', 'delete'), from: fc.integer({ min: 0, max: 150 }), count: fc.integer({ min: 1, max: 60 }), n: fc.nat(5) }), { minLength: 150, maxLength: 300 });
    fc.assert(
      fc.property(churn, (steps) => {
        const { map, dead } = both(steps.flatMap(({ op, from, count, n }) => Array.from({ length: count }, (_, j) => ({ op, id: `hist@${(from + j) % 151}`, n }))));
        expect([...dead]).toStrictEqual([...map]);
        expect(dead.size).toBe(map.size);
        for (let i = 0; i <= 150; i++) expect(dead.get(`hist@${i}`)).toStrictEqual(map.get(`hist@${i}`));
      }),
      { seed: 45, numRuns: 30 },
    );
  });

  it('given 50 objects that die 200,000 times in all, then its arrays stay the size of the 50, not of the deaths', () => {
    const dead = new DeadKindMap();
    for (let i = 0; i < 200_000; i++) {
      const id = `hist@${i % 50}`;
      dead.set(id, (Math.floor(i / 50) % 2 === 0 ? i : { value: 'held', context: { i } }) as unknown as Snap<unknown>);
    }
    expect(dead.size).toBe(50);
    expect(dead.capacity).toBeLessThanOrEqual(1 << 13);
  });
});
