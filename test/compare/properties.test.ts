import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { profileFor, type Profile } from '../../machines/profile.js';
import { compareVersions, parseKernelVersion, type KernelVersion } from '../../machines/kit/version.js';
import { comparePair, compareRuns, RunCache } from '../../src/compare/compare.js';
import { boundaries, boundaryName } from '../../src/compare/boundaries.js';
import { runKernel } from '../../src/compare/run.js';
import { generateTrace } from '../../src/generate/generateTrace.js';
import type { Entry } from '../../src/replay/replayTrace.js';
import { traceArb } from '../support/traceArbitrary.js';

const kernelArb = fc
  .record({ major: fc.constantFrom(5, 6), minor: fc.nat({ max: 20 }), rc: fc.option(fc.integer({ min: 1, max: 8 }), { nil: null }) })
  .filter((v) => v.major === 6 || v.minor >= 5)
  .map((v) => (v.rc === null ? `${v.major}.${v.minor}.0` : `${v.major}.${v.minor}.0-rc${v.rc}`));

const entriesArb = traceArb.map((records): Entry[] => records.map((record, i) => ({ record, line: i + 2 })));
const profile = (k: string) => profileFor(k) as Profile;

/** Random traces and traces the generator writes for a kernel (a realistic mix with injected bugs). */
const tracesArb = fc.oneof(
  entriesArb,
  fc.record({ seed: fc.nat({ max: 1000 }), kernel: kernelArb }).map(({ seed, kernel }) => {
    const g = generateTrace({ records: 60, kernel, seed });
    if (!g.ok) throw new Error(g.error.message);
    return [...g.value.records()].map((record, i): Entry => ({ record, line: i + 2 }));
  }),
);

describe('compare (properties)', () => {
  it('a kernel compared with itself shows nothing, even from two independent replays', () => {
    fc.assert(
      fc.property(tracesArb, kernelArb, (entries, k) => {
        expect(comparePair(new RunCache(entries), profile(k), profile(k)).differences).toEqual([]);
        expect(compareRuns(entries, runKernel(entries, profile(k)), runKernel(entries, profileFor(k) as Profile))).toEqual([]);
      }),
      { numRuns: 100 },
    );
  });

  it('every difference is dated at an era boundary between the two kernels, and the boundary counts add up', () => {
    fc.assert(
      fc.property(tracesArb, kernelArb, kernelArb, (entries, a, b) => {
        const va = parseKernelVersion(a) as KernelVersion;
        const vb = parseKernelVersion(b) as KernelVersion;
        const [lo, hi] = compareVersions(va, vb) <= 0 ? [va, vb] : [vb, va];
        const between = boundaries().filter((x) => compareVersions(x, lo) > 0 && compareVersions(x, hi) <= 0).map(boundaryName);
        const pair = comparePair(new RunCache(entries), profile(a), profile(b));
        expect(pair.boundaries.map((x) => x.boundary).sort()).toEqual([...between].sort());
        for (const d of pair.differences) expect(between).toContain(d.blame.boundary);
        expect(pair.boundaries.reduce((n, x) => n + x.differences, 0)).toBe(pair.differences.length);
        if (between.length === 0) expect(pair.differences).toEqual([]);
      }),
      { numRuns: 40 },
    );
  });

  it('comparing B with A finds the differences of A with B, cause by cause', () => {
    fc.assert(
      fc.property(tracesArb, kernelArb, kernelArb, (entries, a, b) => {
        const cache = new RunCache(entries);
        const key = (p: ReturnType<typeof comparePair>) => p.differences.map((d) => `${d.cause} ${d.seq} ${d.atEnd} ${d.subject}`).sort();
        expect(key(comparePair(cache, profile(b), profile(a)))).toEqual(key(comparePair(cache, profile(a), profile(b))));
      }),
      { numRuns: 40 },
    );
  });
});
