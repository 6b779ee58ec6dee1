/**
 * Time-travel figures (not a spec): run with `BENCH=1 BENCH_RECORDS=1000000 npx vitest run
 * test/timetravel/bench.test.ts`. Prints, per K: checkpoints, bytes per checkpoint (JSON length),
 * build time, mean and worst seek time. The numbers in docs/time-travel.md come from here.
 */
import { describe, it } from 'vitest';
import fc from 'fast-check';
import { anyCall } from '../support/arbitraries.js';
import { profile } from '../support/calls.js';
import { buildIndex, seekIndex } from '../../src/timetravel/index.js';
import { encodeCheckpoint } from '../../src/timetravel/indexCodec.js';
import { entriesOf, withNested } from './support.js';

const RUN = process.env.BENCH === '1';
const N = Number(process.env.BENCH_RECORDS ?? 200_000);

describe.skipIf(!RUN)('time-travel bench (seed 1)', () => {
  it('index build and seek per K', () => {
    const kernel = '6.8.0';
    const calls = profile(kernel).calls;
    const inEra = anyCall.filter((c) => calls.has(c.fn));
    // A small universe: 3 devices, 7 PASIDs, 3 domains, 3 mms (objects are reused, as in a long capture).
    const spec = withNested(fc.sample(inEra, { seed: 1, numRuns: Math.ceil(N / 1.15) })).slice(0, N);
    const entries = entriesOf(spec);
    const rows: string[] = [];
    for (const k of (process.env.BENCH_KS ?? '256,1024,4096,16384').split(',').map(Number)) {
      let t0 = performance.now();
      const index = buildIndex(entries, profile(kernel), k);
      const build = performance.now() - t0;
      const sample = index.checkpoints.filter((_, i) => i % Math.max(1, Math.floor(index.checkpoints.length / 50)) === 0);
      const bytes = sample.reduce((s, c) => s + encodeCheckpoint(c).length, 0) / sample.length;
      const rng = fc.sample(fc.nat({ max: entries.length - 1 }), { seed: 2, numRuns: 200 });
      let worst = 0;
      t0 = performance.now();
      for (const t of rng) {
        const s0 = performance.now();
        seekIndex(index, t);
        worst = Math.max(worst, performance.now() - s0);
      }
      const mean = (performance.now() - t0) / rng.length;
      const last = encodeCheckpoint(index.checkpoints[index.checkpoints.length - 1]).length;
      rows.push(`K=${k}: ${index.checkpoints.length} checkpoints, mean ${Math.round(bytes)} B/checkpoint (JSON), last ${last} B, ${(index.checkpoints.length * bytes / 1e6).toFixed(1)} MB total, build ${(build / 1000).toFixed(2)} s, seek mean ${mean.toFixed(2)} ms, worst ${worst.toFixed(2)} ms`);
    }
    console.log(`${entries.length} records, ${kernel}\n${rows.join('\n')}`);
  }, 600_000);
});
