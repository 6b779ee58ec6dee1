import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import fc from 'fast-check';
import { anyTrace } from '../support/arbitraries.js';
import { profile } from '../support/calls.js';
import { projectWorld } from '../../src/projections/projectWorld.js';
import { buildIndex, seekIndex } from '../../src/timetravel/index.js';
import { decodeIndex, encodeIndex } from '../../src/timetravel/indexCodec.js';
import { entriesOf, withNested } from './support.js';

const PRINT = { size: 100, head: 'a', tail: 'b' };

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

  it('the trace changed (size or hashes)', () => {
    const r = decodeIndex(lines, entries, profile('6.8.0'), { ...PRINT, tail: 'c' }, 't.idx');
    expect(r.ok === false && r.error.message).toMatch(/^t\.idx:1: the trace changed since the index was written/);
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
