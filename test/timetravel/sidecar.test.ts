import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import fc from 'fast-check';
import { anyTrace } from '../support/arbitraries.js';
import { profile } from '../support/calls.js';
import { records } from '../support/calls.js';
import { projectWorld } from '../../src/projections/projectWorld.js';
import { buildIndex } from '../../src/timetravel/index.js';
import { openSidecar, SidecarBuilder, type DiskIndex } from '../../src/timetravel/sidecar.js';
import { historyOf } from '../../src/timetravel/history.js';
import { diffRange } from '../../src/timetravel/diffRange.js';
import { diffViews } from '../../src/timetravel/diffViews.js';
import { memoryTimeline } from '../../src/timetravel/timeline.js';
import { sha256Hex } from '../../src/io/digest.js';
import { cutReplay, entriesOf, header, restoredDeadCounts, walkedDeadCounts, withNested } from './support.js';
import { liveStateView } from '../../src/timetravel/live.js';
import { Replay } from '../../src/replay/replay.js';
import type { CallSpec } from '../support/calls.js';
import type { CallRecord } from '../../events/records.js';
import { generateTrace } from '../../src/generate/generateTrace.js';

/** A trace file's bytes and its binary index built in one streaming pass with checkpoints every k records. */
function indexed(kernel: string, calls: readonly CallSpec[], k: number, deadSizes?: { run: number; block: number }): { trace: Buffer; idx: Buffer } {
  return indexedRecords(kernel, records(calls), k, deadSizes);
}

function indexedRecords(kernel: string, recs: readonly CallRecord[], k: number, deadSizes?: { run: number; block: number }): { trace: Buffer; idx: Buffer } {
  const lines = [JSON.stringify(header(kernel)), ...recs.map((r) => JSON.stringify(r))];
  const trace = Buffer.from(lines.map((l) => `${l}\n`).join(''));
  const parts: Buffer[] = [];
  const b = new SidecarBuilder(profile(kernel), (x) => parts.push(Buffer.from(x)), k, undefined, undefined, deadSizes);
  let offset = Buffer.byteLength(`${lines[0]}\n`);
  recs.forEach((r, i) => {
    b.add(r, i + 2, offset);
    offset += Buffer.byteLength(`${lines[i + 1]}\n`);
  });
  b.finish({ size: trace.length, sha256: sha256Hex(trace) });
  return { trace, idx: Buffer.concat(parts) };
}

function open(kernel: string, trace: Buffer, idx: Buffer): DiskIndex {
  const r = openSidecar(idx, { size: trace.length, sha256: () => sha256Hex(trace) }, profile(kernel), (p, n) => trace.subarray(p, p + n), 't.idx');
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

/** A random trace with its nested calls, indexed with K = k and the given dead-log sizes, and opened. */
function indexedCase(kernel: string, calls: readonly CallSpec[], k: number, deadSizes?: { run: number; block: number }) {
  const nested = withNested(calls);
  const { trace, idx } = indexed(kernel, nested, k, deadSizes);
  return { disk: open(kernel, trace, idx), entries: entriesOf(nested) };
}

describe('the binary index (seed 4243)', () => {
  beforeAll(() => fc.configureGlobal({ ...fc.readConfigureGlobal(), baseSize: 'xlarge' }));
  afterAll(() => fc.resetConfigureGlobal());

  it('a seek through it equals replaying the trace cut there, for every seq of random traces', async () => {
    await fc.assert(
      // Dead-log runs and blocks as built (undefined) and tiny, so that lookups cross runs and blocks and one object's entries span blocks.
      fc.asyncProperty(anyTrace(700), fc.constantFrom(1, 7, 64, 300), fc.constantFrom(undefined, { run: 5, block: 2 }, { run: 40, block: 3 }), async ([kernel, calls], k, deadSizes) => {
        const { disk, entries } = indexedCase(kernel, calls, k, deadSizes);
        expect(disk.length).toBe(entries.length);
        for (let t = 0; t < entries.length; t++) {
          const cut = await cutReplay(kernel, entries, entries[t].record.seq);
          const pos = disk.seek(t);
          expect(projectWorld(pos.replay.world), `seq ${entries[t].record.seq}`).toEqual(projectWorld(cut.world));
          expect(pos.replay.findings).toEqual(cut.findings.filter((f) => !f.atEnd));
          expect(pos.factBase + pos.replay.log.length).toBe(cut.log.length);
          expect(pos.replay.log.all()).toEqual(cut.log.all().slice(pos.factBase));
        }
      }),
      { seed: 4243, numRuns: 12 },
    );
  }, 240_000);

  it('at every position, its dead counts (checkpoint header and the replay since) are the dead objects of the trace cut there, and its live view is the cut trace\'s', async () => {
    let dead = 0;
    await fc.assert(
      fc.asyncProperty(anyTrace(700), fc.constantFrom(1, 7, 64, 300), fc.constantFrom(undefined, { run: 5, block: 2 }, { run: 40, block: 3 }), async ([kernel, calls], k, deadSizes) => {
        const { disk, entries } = indexedCase(kernel, calls, k, deadSizes);
        for (let t = -1; t < entries.length; t++) {
          const cut = t < 0 ? undefined : await cutReplay(kernel, entries, entries[t].record.seq);
          const world = disk.seek(t).replay.world;
          const expected = cut === undefined ? walkedDeadCounts(new Replay({ profile: profile(kernel) }).world) : walkedDeadCounts(cut.world);
          expect(restoredDeadCounts(world), `record ${t}`).toEqual(expected);
          if (cut !== undefined) expect(liveStateView(world), `record ${t}`).toEqual(liveStateView(cut.world));
          dead += Object.values(expected).reduce((a, b) => a + b, 0);
        }
      }),
      { seed: 4244, numRuns: 12 },
    );
    // The traces had dead objects to count.
    expect(dead).toBeGreaterThan(0);
  }, 240_000);

  it('history through its per-object record lists equals history over the in-memory index', () => {
    fc.assert(
      fc.property(anyTrace(400), fc.constantFrom(5, 100), ([kernel, calls], k) => {
        const nested = withNested(calls);
        const { trace, idx } = indexed(kernel, nested, k);
        const disk = open(kernel, trace, idx);
        const memory = buildIndex(entriesOf(nested), profile(kernel), k);
        for (const token of ['pasid:1', 'pasid:2', 'dev:0000:6a:01.0', 'domain:dom1']) {
          expect(historyOf(disk, new Set([token]))).toEqual(historyOf(memory, new Set([token])));
        }
        expect(disk.findings).toEqual(memory.findings);
        expect(disk.endFindings).toEqual(memory.endFindings);
      }),
      { seed: 77, numRuns: 10 },
    );
  }, 120_000);
});

describe('a binary index is refused when', () => {
  const calls = withNested([]);
  const { trace, idx } = indexed('6.8.0', calls, 4);
  const attempt = (bytes: Buffer, t = trace, kernel = '6.8.0') =>
    openSidecar(bytes, { size: t.length, sha256: () => sha256Hex(t) }, profile(kernel), (p, n) => t.subarray(p, p + n), 't.idx');

  it('the trace changed, even with the same size', () => {
    const edited = Buffer.from(trace);
    edited[edited.length - 3] ^= 1;
    const r = attempt(idx, edited);
    expect(r.ok === false && r.error.message).toMatch(/^t\.idx:1: the trace changed since the index was written \(same size, different content\)/);
    const grown = attempt(idx, Buffer.concat([trace, Buffer.from('\n')]));
    expect(grown.ok === false && grown.error.message).toMatch(new RegExp(`\\(${trace.length} bytes then, ${trace.length + 1} now\\)`));
  });

  it('diff between two positions, projecting only the objects changed on the way, equals the diff of the two whole states', () => {
    fc.assert(
      fc.property(anyTrace(400), fc.constantFrom(1, 7, 64), fc.constantFrom(undefined, { run: 5, block: 2 }), fc.nat(), fc.nat(), ([kernel, calls], k, deadSizes, x, y) => {
        const nested = withNested(calls);
        const { trace, idx } = indexed(kernel, nested, k, deadSizes);
        const disk = open(kernel, trace, idx);
        const memory = buildIndex(entriesOf(nested), profile(kernel), k);
        const n = disk.length + 1;
        const [a, b] = [(x % n) - 1, (y % n) - 1].sort((p, q) => p - q);
        const whole = diffViews(projectWorld(disk.seek(a).replay.world), projectWorld(disk.seek(b).replay.world));
        const got = diffRange(disk, a, b);
        expect(got.changes, `from ${a} to ${b}`).toEqual(whole);
        expect(diffRange(memoryTimeline(memory), a, b).changes).toEqual(whole);
        // The replay of b holds the facts of (a, b].
        const facts = got.to.replay.log.all().filter((f) => f.seq > (a < 0 ? 0 : disk.entry(a).record.seq));
        expect(facts.length).toBe(disk.seek(b).factBase + disk.seek(b).replay.log.length - (disk.seek(a).factBase + disk.seek(a).replay.log.length));
      }),
      { seed: 91, numRuns: 60 },
    );
  }, 240_000);

  it('any byte of it was changed (its checksum)', () => {
    for (let i = 0; i < idx.length; i++) {
      const edited = Buffer.from(idx);
      edited[i] ^= 0x10;
      const r = attempt(edited);
      expect(r.ok ? 'used' : r.error.code, `byte ${i}`).toMatch(/INDEX_CORRUPT|INDEX_STALE/);
    }
  });

  it('it is truncated, at any length', () => {
    for (let n = 0; n < idx.length; n += 7) expect(attempt(idx.subarray(0, n)).ok, `${n} bytes`).toBe(false);
  });

  it('it was built for another kernel', () => {
    expect(attempt(idx, trace, '6.2.0').ok).toBe(false);
  });

  it('it is an older (JSON Lines or binary) index or not an index', () => {
    const old = attempt(Buffer.from('{"format":"pasid-ledger-index","version":2}\n'));
    expect(old.ok === false && old.error.message).toMatch(/format version 2, this pasid-ledger reads version 10/);
    expect(attempt(Buffer.from('not an index')).ok).toBe(false);
    const v3 = Buffer.from(idx);
    v3[5] = 3;
    const binary = attempt(v3);
    expect(binary.ok === false && binary.error.code).toBe('INDEX_STALE');
    expect(binary.ok === false && binary.error.message).toMatch(/an index of format version 3, this pasid-ledger reads version 10/);
    // Version 4 read the whole dead log at the first seek, version 5 hashed the whole file at open, version 6 wrote checkpoint headers and dead-log keys as JSON, version 7 had no prefetch in its checkpoints, version 8 held a dead-log block's templates as one JSON array, version 9 mixed dead and live entries in a dead-log block and counted no dead objects in its checkpoints; their blocks are not those of version 10.
    for (const v of [4, 5, 6, 7, 8, 9]) {
      const old = Buffer.from(idx);
      old[5] = v;
      const r = attempt(old);
      expect(r.ok === false && r.error.code).toBe('INDEX_STALE');
      expect(r.ok === false && r.error.message).toMatch(new RegExp(`an index of format version ${v}, this pasid-ledger reads version 10`));
    }
  });
});

describe('a large index is checked block by block as it is read', () => {
  // Given an index opened without the whole check (as one above WHOLE_CHECK bytes is),
  const g = generateTrace({ records: 300, kernel: '6.8.0', seed: 9 });
  if (!g.ok) throw new Error(g.error.message);
  const { trace, idx } = indexedRecords('6.8.0', [...g.value.records()], 16, { run: 60, block: 8 });
  const lazy = (bytes: Buffer, onCorrupt?: (e: { code: string; message: string }) => void) =>
    openSidecar(bytes, { size: trace.length, sha256: () => sha256Hex(trace) }, profile('6.8.0'), (p, n) => trace.subarray(p, p + n), 't.idx', { wholeCheck: 0, onCorrupt });
  const good = lazy(idx);
  if (!good.ok) throw new Error(good.error.message);
  const all = (d: DiskIndex) => {
    const out: unknown[] = [];
    for (let t = -1; t < d.length; t += 9) out.push(projectWorld(d.seek(t).replay.world));
    out.push(historyOf(d, new Set(['pasid:1', 'dev:0000:6a:01.0'])));
    return out;
  };
  const expected = all(good.value);

  it('an undamaged index is opened without reading its blocks, and answers from them', () => {
    expect(good.value.fellBack).toBe(false);
    expect(good.value.stats.deadBlocksRead).toBeGreaterThan(0);
  });

  it('a damaged block is refused when read, with a clear error, and the answers are those of a replay (30 bytes flipped across it)', () => {
    let reported = 0;
    for (let n = 0; n < 30; n++) {
      const i = 8 + Math.floor(((n * 7919) % 997) / 997 * (idx.length - 8));
      const edited = Buffer.from(idx);
      edited[i] ^= 0x04;
      const errors: { code: string; message: string }[] = [];
      const r = lazy(edited, (e) => errors.push(e));
      if (!r.ok) {
        // The footer and the trailer are checked at open.
        expect(r.error.code, `byte ${i}`).toMatch(/INDEX_CORRUPT|INDEX_STALE/);
        continue;
      }
      expect(all(r.value), `byte ${i}`).toEqual(expected);
      expect(errors.length, `byte ${i}`).toBeLessThanOrEqual(1);
      for (const e of errors) {
        expect(e.code).toBe('INDEX_CORRUPT');
        expect(e.message).toMatch(/^t\.idx:1: the index content does not match its checksum \(damaged or edited: the [a-z -]+ block at byte \d+.*\); it is not used; pass --write-index to rebuild it/);
      }
      expect(r.value.fellBack).toBe(errors.length === 1);
      reported += errors.length;
    }
    // Most flipped bytes sit in blocks that these reads reach.
    expect(reported).toBeGreaterThan(0);
  }, 120_000);

  it('without a way to report it, a damaged block throws rather than answer', () => {
    const pos = good.value.footer.checkpoints[3][1];
    const edited = Buffer.from(idx);
    edited[pos + 20] ^= 0x01;
    const r = lazy(edited);
    if (!r.ok) throw new Error(r.error.message);
    expect(() => r.value.seek(good.value.footer.checkpoints[3][0])).toThrow(/the checkpoint block at byte \d+/);
  });
});

describe('a checkpoint holds what the records after it read from the dead log (its prefetch)', () => {
  it('given a generated trace whose replay reads freed domains, exited mms and settled objects, when any record is sought, then no dead-log block is read', () => {
    const g = generateTrace({ records: 3000, kernel: '6.8.0', seed: 5 });
    if (!g.ok) throw new Error(g.error.message);
    const recs = [...g.value.records()];
    const { trace, idx } = indexedRecords('6.8.0', recs, 64, { run: 500, block: 16 });
    const disk = open('6.8.0', trace, idx);
    expect(disk.stats.deadObjects).toBeGreaterThan(500);
    for (let t = -1; t < disk.length; t += 7) disk.seek(t);
    expect(disk.stats.deadBlocksRead).toBe(0);
    // The answers are those of the log: the state a full seek gives is the one a replay cut there gives (the property above); here, the same as through the in-memory index.
    const memory = buildIndex(recs.map((record, i) => ({ record, line: i + 2 })), profile('6.8.0'), 64);
    for (const t of [0, 100, 1000, disk.length - 1]) expect(projectWorld(disk.seek(t).replay.world)).toEqual(projectWorld(memoryTimeline(memory).seek(t).replay.world));
  });
});
