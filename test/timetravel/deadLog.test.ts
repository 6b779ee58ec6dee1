import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { DeadLog, OPEN } from '../../src/timetravel/live.js';
import { DiskDead, writeDeadRun, type DeadRow } from '../../src/timetravel/sidecar.js';

/**
 * A dead log as a replay fills it: per object, consecutive spans [from, until) of its states, the
 * last one possibly open; entries closed (and so written) in the order their spans end.
 */
const anyLog = fc
  .array(
    fc.record({
      kind: fc.constantFrom('domain', 'mm', 'svaHandle', 'pasid'),
      // Ids that sort differently as strings and as numbers, and a shared prefix.
      id: fc.constantFrom('1', '2', '10', '9', 'a', 'a:b', 'b', '0x1f'),
      gaps: fc.array(fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 1, max: 6 })), { minLength: 1, maxLength: 6 }),
      open: fc.boolean(),
      start: fc.integer({ min: 0, max: 30 }),
    }),
    { maxLength: 40 },
  )
  .map((objs) => {
    const d = new DeadLog();
    const seen = new Set<string>();
    for (const o of objs) {
      const key = `${o.kind}:${o.id}`;
      if (seen.has(key)) continue;
      seen.add(key);
      let at = o.start;
      o.gaps.forEach(([gap, len], j) => {
        at += gap;
        const last = j === o.gaps.length - 1;
        d.push(key, { value: 'freed', context: { key, at } }, at, last && o.open ? OPEN : at + len);
        at += len;
      });
    }
    return d;
  });

/** The log written the way the index builder writes it: closed entries in runs of `run`, in order of their end, open ones last. */
function written(d: DeadLog, run: number, blockSize: number): DiskDead {
  const order = [...d.keys.keys()].sort((a, b) => (d.until[a] === OPEN ? Infinity : d.until[a]) - (d.until[b] === OPEN ? Infinity : d.until[b]));
  const parts: Buffer[] = [];
  let pos = 0;
  const rows: DeadRow[] = [];
  for (let r = 0; r * run < order.length; r++) {
    rows.push(
      ...writeDeadRun(d, order.slice(r * run, (r + 1) * run), r, blockSize, (b) => {
        parts.push(b);
        pos += b.length;
        return pos - b.length;
      }),
    );
  }
  return new DiskDead(Buffer.concat(parts), rows);
}

describe('the dead log in the index (runs sorted by kind and id, read block by block)', () => {
  it('answers every lookup and every kind, at every position, as the in-memory log does, in the same order', () => {
    fc.assert(
      fc.property(anyLog, fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 5 }), (d, run, blockSize) => {
        const disk = written(d, run, blockSize);
        const kinds = new Set(d.kinds());
        expect(new Set(disk.kinds())).toEqual(kinds);
        for (let at = 0; at <= 70; at++) {
          for (const kind of ['domain', 'mm', 'svaHandle', 'pasid']) {
            expect([...disk.visibleOf(kind, at)], `${kind} at ${at}`).toEqual([...d.visibleOf(kind, at)]);
            for (const id of ['1', '2', '10', '9', 'a', 'a:b', 'b', '0x1f', '3']) expect(disk.lookup(kind, id, at), `${kind}:${id} at ${at}`).toEqual(d.lookup(kind, id, at));
          }
        }
      }),
      { seed: 1414, numRuns: 200 },
    );
  });

  it('a lookup decodes only the block of its kind whose ids and span can hold it', () => {
    // Given 1000 freed domains (open) and 1000 exited mms, in one run of 200 blocks of 10,
    const d = new DeadLog();
    for (let i = 0; i < 1000; i++) d.push(`domain:${String(i).padStart(4, '0')}`, { value: 'freed', context: { i } }, i, OPEN);
    for (let i = 0; i < 1000; i++) d.push(`mm:${i}`, { value: 'exited', context: null }, i, i + 1);
    const disk = written(d, 2000, 10);
    // when one domain is looked up where it is visible, one block is decoded;
    expect(disk.lookup('domain', '0500', 700)).toEqual({ value: 'freed', context: { i: 500 } });
    expect(disk.blocksDecoded).toBe(1);
    // before its span starts, its block is skipped by the directory's span alone;
    expect(disk.lookup('domain', '0507', 400)).toBeUndefined();
    expect(disk.blocksDecoded).toBe(1);
    // an absent id costs the one block whose id range holds it,
    expect(disk.lookup('domain', '0600x', 700)).toBeUndefined();
    expect(disk.blocksDecoded).toBe(2);
    // and none when no block's range holds it (mm ids sort as strings: '999' is the last).
    expect(disk.lookup('mm', '99999', 999)).toBeUndefined();
    expect(disk.blocksDecoded).toBe(2);
  });
});
