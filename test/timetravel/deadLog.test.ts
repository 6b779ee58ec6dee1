import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { DeadLog, OPEN } from '../../src/timetravel/live.js';
import { DiskDead, entriesOfLog, IndexCorrupt, memoryEmitter, shapesOfLine, sortedIndices, templateLines, templateOfLine, writeDeadRun, type DeadRow, type EmitBlock } from '../../src/timetravel/sidecar.js';

/**
 * A snapshot's context: with the kind's own-id field holding the id (a block keeps it as a template
 * shared by the entries that differ only by id: numeric ids as numbers, the rest as strings), or,
 * for a kind without one or an id that is not its number ('0x1f'), as it is.
 */
function contextOf(kind: string, id: string, key: string, at: number): Record<string, unknown> {
  switch (kind) {
    case 'domain':
      return { domain: id, at };
    case 'mm':
      return { mm: id, bonds: at % 2, domains: [] };
    case 'globalPasidHistory':
      return { pasid: /^[0-9]+$/.test(id) || id === '0x1f' ? Number(id) : id, at: at % 3 };
    default:
      return { key, at };
  }
}

/**
 * A dead log as a replay fills it: per object, consecutive spans [from, until) of its states, the
 * last one possibly open; entries closed (and so written) in the order their spans end.
 */
const anyLog = fc
  .array(
    fc.record({
      kind: fc.constantFrom('domain', 'mm', 'svaHandle', 'pasid', 'globalPasidHistory'),
      // Ids that sort differently as strings and as numbers, and a shared prefix.
      id: fc.constantFrom('1', '2', '10', '9', 'a', 'a:b', 'b', '0x1f'),
      gaps: fc.array(fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 1, max: 6 })), { minLength: 1, maxLength: 6 }),
      open: fc.boolean(),
      start: fc.integer({ min: 0, max: 30 }),
      // Each span's state: a dead one of some kind (domain and svaHandle: freed, mm: exited, globalPasidHistory: released) or a live one.
      states: fc.array(fc.constantFrom('freed', 'exited', 'released', 'live'), { minLength: 6, maxLength: 6 }),
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
        d.push(key, { value: o.states[j], context: contextOf(o.kind, o.id, key, at) }, at, last && o.open ? OPEN : at + len);
        at += len;
      });
    }
    return d;
  });

/** The log written the way the index builder writes it: closed entries in runs of `run`, in order of their end, open ones last. */
function written(d: DeadLog, run: number, blockSize: number): DiskDead {
  const w = writtenLog(d, run, blockSize);
  return DiskDead.fromBytes(w.bytes, w.rows, w.filters);
}

/** The bytes, directory rows and filters of `written`. */
function writtenLog(d: DeadLog, run: number, blockSize: number): { bytes: Buffer; rows: DeadRow[]; filters: [number, number][] } {
  const order = [...d.keys.keys()].sort((a, b) => (d.until[a] === OPEN ? Infinity : d.until[a]) - (d.until[b] === OPEN ? Infinity : d.until[b]));
  const out = memoryEmitter();
  const rows: DeadRow[] = [];
  const filters: [number, number][] = [];
  for (let r = 0; r * run < order.length; r++) {
    const w = writeDeadRun(entriesOfLog(d, order.slice(r * run, (r + 1) * run)), r, blockSize, out.emit);
    rows.push(...w.rows);
    filters.push(w.filter);
  }
  return { bytes: out.bytes(), rows, filters };
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

  it('a listing of the live entries equals the in-memory log\'s at every position and decodes no block of dead entries', () => {
    fc.assert(
      fc.property(anyLog, fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 5 }), (d, run, blockSize) => {
        const w = writtenLog(d, run, blockSize);
        for (let at = 0; at <= 70; at++) {
          // A fresh reader per position: its blocks decoded are those this listing read.
          const disk = DiskDead.fromBytes(w.bytes, w.rows, w.filters);
          let liveRows = 0;
          for (const kind of ['domain', 'mm', 'svaHandle', 'pasid', 'globalPasidHistory']) {
            const byId = (es: Iterable<readonly [string, unknown]>) => [...es].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
            expect(byId(disk.visibleLiveOf(kind, at)), `${kind} at ${at}`).toEqual(byId(d.visibleLiveOf(kind, at)));
            liveRows += w.rows.filter((r) => r[1] === kind && r[8] === 0 && r[6] <= at && (r[7] === OPEN || at < r[7])).length;
          }
          expect(disk.blocksDecoded, `at ${at}`).toBe(liveRows);
        }
      }),
      { seed: 1415, numRuns: 200 },
    );
  });

  it('a block holds only dead entries or only live ones, as its directory row says', () => {
    // Given three domains: one freed, one live, one live then freed, in one run of blocks of 10,
    const d = new DeadLog();
    d.push('domain:1', { value: 'freed', context: { domain: '1' } }, 0, OPEN);
    d.push('domain:2', { value: 'allocated', context: { domain: '2' } }, 0, OPEN);
    d.push('domain:3', { value: 'allocated', context: { domain: '3' } }, 0, 4);
    d.push('domain:3', { value: 'freed', context: { domain: '3' } }, 4, OPEN);
    const out = memoryEmitter();
    const w = writeDeadRun(entriesOfLog(d, [...d.keys.keys()]), 0, 10, out.emit);
    // then the live entries (2, and 3 before 4) are one block flagged 0 and the dead ones (1, and 3 from 4) one flagged 1, each sorted by id.
    expect(w.rows.map((r) => [r[1], r[2], r[3], r[5], r[8]])).toEqual([
      ['domain', '2', '3', 2, 0],
      ['domain', '1', '3', 2, 1],
    ]);
  });

  it('a long live part of a run is cut into bands by span start, so a listing reads only the bands begun by its position', () => {
    // Given 100 live domains, domain (37 × i mod 100) settled from position i (ids not in span order), in one run of blocks of 5 (bands of 4 blocks: 20 entries),
    const id = (i: number) => String((37 * i) % 100).padStart(2, '0');
    const d = new DeadLog();
    for (let i = 0; i < 100; i++) d.push(`domain:${id(i)}`, { value: 'allocated', context: { i } }, i, OPEN);
    const w = writtenLog(d, 100, 5);
    const disk = DiskDead.fromBytes(w.bytes, w.rows, w.filters);
    // when the live domains at position 10 are listed, only the first band's 4 blocks are decoded (sorted by id alone, 10 of the 20 blocks would hold one visible there);
    expect([...disk.visibleLiveOf('domain', 10)].map(([x]) => x).sort()).toEqual(Array.from({ length: 11 }, (_, i) => id(i)).sort());
    expect(disk.blocksDecoded).toBe(4);
    // and every domain is still found by a lookup.
    for (let i = 0; i < 100; i++) expect(disk.lookup('domain', id(i), 99)).toEqual({ value: 'allocated', context: { i } });
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
    // an absent id inside a block's id range is turned away by the run's filter,
    expect(disk.lookup('domain', '0600x', 700)).toBeUndefined();
    expect(disk.blocksDecoded).toBe(1);
    // and one that no block's range holds costs nothing either (mm ids sort as strings: '999' is the last).
    expect(disk.lookup('mm', '99999', 999)).toBeUndefined();
    expect(disk.blocksDecoded).toBe(1);
  });

  it('a lookup reads only the runs whose filter may hold its object', () => {
    // Given 20 runs of 500 freed domains each, all open (visible at every position),
    const d = new DeadLog();
    for (let i = 0; i < 10_000; i++) d.push(`domain:d${i}`, { value: 'freed', context: { i } }, 0, OPEN);
    const disk = written(d, 500, 100);
    // when each of 200 domains is looked up once, each is found;
    for (let i = 0; i < 10_000; i += 50) expect(disk.lookup('domain', `d${i}`, 5)).toEqual({ value: 'freed', context: { i } });
    // and the other 19 runs, whose id ranges all hold it, are mostly passed over: about one block per lookup, not 20.
    expect(disk.blocksDecoded).toBeLessThan(200 * 1.5);
    // An absent id reads a block in a run only when its filter errs (about 2 % of runs).
    const before = disk.blocksDecoded;
    for (let i = 0; i < 200; i++) expect(disk.lookup('domain', `d${i}x`, 5)).toBeUndefined();
    expect(disk.blocksDecoded - before).toBeLessThan(200 * 20 * 0.05);
  });

  it('a block that disagrees with the directory is refused with an error naming the index file', () => {
    // Given one run of 10 freed domains whose directory row claims one entry more than its block holds,
    const d = new DeadLog();
    for (let i = 0; i < 10; i++) d.push(`domain:${i}`, { value: 'freed', context: { i } }, 0, OPEN);
    const out = memoryEmitter();
    const w = writeDeadRun(entriesOfLog(d, [...d.keys.keys()]), 0, 100, out.emit);
    const rows = w.rows.map((r): DeadRow => [r[0], r[1], r[2], r[3], r[4], r[5] + 1, r[6], r[7], r[8]]);
    const disk = DiskDead.fromBytes(out.bytes(), rows, [w.filter], '/traces/big.jsonl.idx');
    // when a lookup reads that block, it throws rather than answer, and the error names the file and the fix.
    let caught: unknown;
    try {
      disk.lookup('domain', '5', 1);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(IndexCorrupt);
    const error = (caught as IndexCorrupt).error;
    expect(error.code).toBe('INDEX_CORRUPT');
    expect(error.file).toBe('/traces/big.jsonl.idx');
    expect(error.message).toMatch(/holds 10 entries, the directory says 11/);
  });

  /** Ten freed domains in one run, written through `edit`, which may change a template block's text (as written: a valid checksum). */
  function damaged(edit: (text: string) => string): DiskDead {
    const d = new DeadLog();
    for (let i = 0; i < 10; i++) d.push(`domain:${i}`, { value: 'freed', context: { domain: String(i), at: i } }, 0, OPEN);
    const out = memoryEmitter();
    // Block type 4: a dead-log block's templates (the type byte of format 9).
    const emit: EmitBlock = (type, payload, level) => out.emit(type, (type as number) === 4 ? edit(String(payload)) : payload, level);
    const w = writeDeadRun(entriesOfLog(d, [...d.keys.keys()]), 0, 100, emit);
    return DiskDead.fromBytes(out.bytes(), w.rows, [w.filter], '/traces/big.jsonl.idx');
  }

  function refusal(read: () => unknown): { code: string; file?: string; message: string } {
    try {
      read();
    } catch (e) {
      expect(e).toBeInstanceOf(IndexCorrupt);
      return (e as IndexCorrupt).error;
    }
    throw new Error('not refused');
  }

  it('a block whose template line is damaged is refused as INDEX_CORRUPT naming the block and the line', () => {
    // Given a templates block whose third template line is cut short (its checksum written over the cut text),
    const disk = damaged((text) => text.split('\n').map((l, i) => (i === 3 ? l.slice(0, 5) : l)).join('\n'));
    // when a lookup reads the domain whose template is on that line, it throws rather than answer;
    const error = refusal(() => disk.lookup('domain', '2', 1));
    expect(error.code).toBe('INDEX_CORRUPT');
    expect(error.file).toBe('/traces/big.jsonl.idx');
    expect(error.message).toMatch(/the dead-log block at byte \d+ has an unreadable template on line 4/);
    // and so does a kind's iteration, which reads every template visible there.
    expect(refusal(() => damaged((text) => text.split('\n').map((l, i) => (i === 3 ? l.slice(0, 5) : l)).join('\n')).visibleOf('domain', 1)).code).toBe('INDEX_CORRUPT');
  });

  it('a block whose shapes line or template count is damaged is refused as INDEX_CORRUPT', () => {
    // Given a templates block whose first line (the field lists) is not a list of lists,
    const noShapes = damaged((text) => `{"x":1}${text.slice(text.indexOf('\n'))}`);
    expect(refusal(() => noShapes.lookup('domain', '0', 1)).message).toMatch(/has an unreadable shapes line/);
    // and one that lost its last template line (its keys name a template it does not hold).
    const short = damaged((text) => text.slice(0, text.lastIndexOf('\n')));
    expect(refusal(() => short.visibleOf('domain', 1)).message).toMatch(/does not hold the templates its keys name/);
  });

  it('a template line reads back as the JSON of its template, key order included', () => {
    // Any snapshot-like value: a state and a context of any fields (absent ones and __proto__ included), or anything else.
    const snapshot = fc.oneof(
      fc.record({ value: fc.string(), context: fc.dictionary(fc.oneof(fc.string(), fc.constant('__proto__')), fc.jsonValue(), { maxKeys: 6 }) }),
      fc.record({ value: fc.string(), context: fc.oneof(fc.constant(null), fc.array(fc.jsonValue(), { maxLength: 3 })) }),
      fc.record({ context: fc.object(), value: fc.string() }),
      fc.record({ value: fc.string(), context: fc.object(), extra: fc.integer() }),
      fc.record({ value: fc.oneof(fc.integer(), fc.constant(null), fc.object()), context: fc.object() }),
      fc.array(fc.jsonValue(), { maxLength: 3 }),
    );
    fc.assert(
      fc.property(fc.array(snapshot, { minLength: 1, maxLength: 8 }), (snaps) => {
        const texts = snaps.map((x) => JSON.stringify(x));
        const lines = templateLines(texts).split('\n');
        expect(lines).toHaveLength(texts.length + 1);
        const shapes = shapesOfLine(lines[0]);
        expect(shapes).toBeDefined();
        // (An array is no snapshot: it is written, and refused when read.)
        texts.forEach((text, k) => expect(JSON.stringify(templateOfLine(lines[k + 1], shapes as string[][]))).toBe(Array.isArray(snaps[k]) ? undefined : text));
      }),
      { seed: 77, numRuns: 300 },
    );
  });
});

describe('sortedIndices (a kind\'s entries put in log order)', () => {
  it('gives the indices in ascending order of key, ties in index order, for any keys (packed or not)', () => {
    const keys = fc.oneof(
      fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 60 }),
      fc.array(fc.oneof(fc.integer({ min: -5, max: 5 }), fc.constant(2 ** 32), fc.double({ min: 0, max: 10, noNaN: true })), { maxLength: 60 }),
    );
    fc.assert(
      fc.property(keys, (ks) => {
        const expected = ks.map((_, i) => i).sort((a, b) => ks[a] - ks[b] || a - b);
        expect([...sortedIndices(Float64Array.from(ks))]).toEqual(expected);
      }),
      { seed: 5, numRuns: 300 },
    );
  });
});
