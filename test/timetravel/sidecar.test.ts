import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import fc from 'fast-check';
import { anyTrace } from '../support/arbitraries.js';
import { profile } from '../support/calls.js';
import { records } from '../support/calls.js';
import { projectWorld } from '../../src/projections/projectWorld.js';
import { buildIndex } from '../../src/timetravel/index.js';
import { openSidecar, SidecarBuilder, type DiskIndex } from '../../src/timetravel/sidecar.js';
import { historyOf } from '../../src/timetravel/history.js';
import { sha256Hex } from '../../src/io/digest.js';
import { cutReplay, entriesOf, header, withNested } from './support.js';
import type { CallSpec } from '../support/calls.js';

/** A trace file's bytes and its binary index built in one streaming pass with checkpoints every k records. */
function indexed(kernel: string, calls: readonly CallSpec[], k: number, deadSizes?: { run: number; block: number }): { trace: Buffer; idx: Buffer } {
  const lines = [JSON.stringify(header(kernel)), ...records(calls).map((r) => JSON.stringify(r))];
  const trace = Buffer.from(lines.map((l) => `${l}\n`).join(''));
  const parts: Buffer[] = [];
  const b = new SidecarBuilder(profile(kernel), (x) => parts.push(Buffer.from(x)), k, undefined, undefined, deadSizes);
  let offset = Buffer.byteLength(`${lines[0]}\n`);
  records(calls).forEach((r, i) => {
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

describe('the binary index (seed 4243)', () => {
  beforeAll(() => fc.configureGlobal({ ...fc.readConfigureGlobal(), baseSize: 'xlarge' }));
  afterAll(() => fc.resetConfigureGlobal());

  it('a seek through it equals replaying the trace cut there, for every seq of random traces', async () => {
    await fc.assert(
      // Dead-log runs and blocks as built (undefined) and tiny, so that lookups cross runs and blocks and one object's entries span blocks.
      fc.asyncProperty(anyTrace(700), fc.constantFrom(1, 7, 64, 300), fc.constantFrom(undefined, { run: 5, block: 2 }, { run: 40, block: 3 }), async ([kernel, calls], k, deadSizes) => {
        const nested = withNested(calls);
        const { trace, idx } = indexed(kernel, nested, k, deadSizes);
        const disk = open(kernel, trace, idx);
        const entries = entriesOf(nested);
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
    expect(old.ok === false && old.error.message).toMatch(/format version 2, this pasid-ledger reads version 5/);
    expect(attempt(Buffer.from('not an index')).ok).toBe(false);
    const v3 = Buffer.from(idx);
    v3[5] = 3;
    const binary = attempt(v3);
    expect(binary.ok === false && binary.error.code).toBe('INDEX_STALE');
    expect(binary.ok === false && binary.error.message).toMatch(/an index of format version 3, this pasid-ledger reads version 5/);
    // Version 4 read the whole dead log at the first seek; its blocks are not those of version 5.
    const v4 = Buffer.from(idx);
    v4[5] = 4;
    const four = attempt(v4);
    expect(four.ok === false && four.error.code).toBe('INDEX_STALE');
    expect(four.ok === false && four.error.message).toMatch(/an index of format version 4, this pasid-ledger reads version 5/);
  });
});
