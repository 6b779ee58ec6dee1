import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import fc from 'fast-check';
import { anyTrace } from '../support/arbitraries.js';
import { profile } from '../support/calls.js';
import { projectWorld } from '../../src/projections/projectWorld.js';
import { buildIndex, seekIndex } from '../../src/timetravel/index.js';
import { decodeIndex, encodeIndex } from '../../src/timetravel/indexCodec.js';
import { entriesOf, withNested } from './support.js';

const PRINT = { size: 100, sha256: 'a'.repeat(64) };

describe('the sidecar index (seed 31)', () => {
  beforeAll(() => fc.configureGlobal({ ...fc.readConfigureGlobal(), baseSize: 'xlarge' }));
  afterAll(() => fc.resetConfigureGlobal());

  it('reads back an index that seeks to the same state, facts and findings', () => {
    fc.assert(
      fc.property(anyTrace(600), fc.constantFrom(3, 50), fc.nat(), ([kernel, calls], k, pick) => {
        const entries = entriesOf(withNested(calls));
        const built = buildIndex(entries, profile(kernel), k);
        const lines = [...encodeIndex(built, PRINT)].map((l) => JSON.parse(JSON.stringify(l)) as string);
        const read = decodeIndex(lines, entries, profile(kernel), PRINT);
        if (!read.ok) throw new Error(read.error.message);
        const t = pick % entries.length;
        const a = seekIndex(built, t).replay;
        const b = seekIndex(read.value, t).replay;
        expect(projectWorld(b.world)).toEqual(projectWorld(a.world));
        expect(b.findings).toEqual(a.findings);
        expect(b.log.all()).toEqual(a.log.all());
        expect(read.value.endFindings).toEqual(built.endFindings);
      }),
      { seed: 31, numRuns: 40 },
    );
  });
});

describe('a sidecar index is refused when', () => {
  const entries = entriesOf([]);
  const built = buildIndex(entries, profile('6.8.0'), 4);
  const lines = [...encodeIndex(built, PRINT)];

  it('the trace changed, even with the same size', () => {
    const r = decodeIndex(lines, entries, profile('6.8.0'), { ...PRINT, sha256: 'b'.repeat(64) }, 't.idx');
    expect(r.ok === false && r.error.message).toMatch(/^t\.idx:1: the trace changed since the index was written \(same size, different content\)/);
    const grown = decodeIndex(lines, entries, profile('6.8.0'), { ...PRINT, size: 101 }, 't.idx');
    expect(grown.ok === false && grown.error.message).toMatch(/\(100 bytes then, 101 now\)/);
  });

  it('any line of it was changed, even to other valid JSON (its checksum)', () => {
    for (let i = 0; i < lines.length - 1; i++) {
      const edited = [...lines];
      edited[i] = edited[i].replace(/\d/, (d) => String((Number(d) + 1) % 10));
      if (edited[i] === lines[i]) continue;
      const r = decodeIndex(edited, entries, profile('6.8.0'), PRINT, 't.idx');
      expect(r.ok ? 'used' : r.error.code, `line ${i + 1}`).toMatch(/INDEX_CORRUPT|INDEX_STALE/);
    }
  });

  it('its checksum trailer is missing', () => {
    const r = decodeIndex(lines.slice(0, -1), entries, profile('6.8.0'), PRINT, 't.idx');
    expect(r.ok ? null : r.error.code).toBe('INDEX_CORRUPT');
  });

  it('it was built for another kernel', () => {
    expect(decodeIndex(lines, entries, profile('6.2.0'), PRINT).ok).toBe(false);
  });

  it('it is truncated', () => {
    expect(decodeIndex(lines.slice(0, -1), entries, profile('6.8.0'), PRINT).ok).toBe(false);
  });

  it('it is not an index', () => {
    expect(decodeIndex(['{"x":1}'], entries, profile('6.8.0'), PRINT).ok).toBe(false);
    expect(decodeIndex(['not json'], entries, profile('6.8.0'), PRINT).ok).toBe(false);
  });
});
