/**
 * Time travel's bench section (loaded by bench/hooks.ts): per generated trace and K, building the
 * checkpoint index (`buildIndex`), its size (JSON length of the checkpoints, sampled), and seeks to
 * 100 pseudo-random records (`seekIndex`, mean and worst).
 */
import type { Entry } from '../../src/replay/replayTrace.js';
import { profileFor } from '../../machines/profile.js';
import { readTraceFile } from '../../src/log/reader.js';
import { buildIndex, seekIndex } from '../../src/timetravel/index.js';
import { encodeCheckpoint } from '../../src/timetravel/indexCodec.js';
import type { BenchContext, BenchSection } from '../hooks.js';

/** K choices per trace size: the 1 M trace only at the default K, to keep the bench within memory and minutes. */
const ksFor = (records: number) => (records > 200_000 ? [4096] : [1024, 4096, 16384]);
const SEEKS = 100;

async function entriesOf(path: string): Promise<Entry[]> {
  const out: Entry[] = [];
  for await (const item of readTraceFile(path)) if (item.kind === 'record') out.push({ record: item.entry.record, line: item.entry.line });
  return out;
}

export const benchSection: BenchSection = {
  name: 'checkpoint indexing and seek',
  async run(ctx: BenchContext) {
    const figures: Record<string, number | string | boolean> = {};
    const profile = profileFor(ctx.kernel);
    if (profile === null) return { skipped: `no profile for ${ctx.kernel}` };
    for (const [size, path] of [...ctx.traces].sort(([a], [b]) => a - b)) {
      const entries = await entriesOf(path);
      for (const k of ksFor(entries.length)) {
        if (k * 2 > entries.length) continue;
        const label = `${size} records, K ${k}`;
        let t0 = performance.now();
        const index = buildIndex(entries, profile, k);
        figures[`${label}: build ms`] = Math.round(performance.now() - t0);
        const step = Math.max(1, Math.floor(index.checkpoints.length / 50));
        const sampled = index.checkpoints.filter((_, i) => i % step === 0);
        const bytes = sampled.reduce((s, c) => s + encodeCheckpoint(c).length, 0) / sampled.length;
        figures[`${label}: checkpoints`] = index.checkpoints.length;
        figures[`${label}: bytes per checkpoint (JSON)`] = Math.round(bytes);
        // A fixed LCG: the same records are sought in every run.
        let x = 12345;
        let worst = 0;
        t0 = performance.now();
        for (let i = 0; i < SEEKS; i++) {
          x = (x * 1103515245 + 12345) % 2147483648;
          const s0 = performance.now();
          seekIndex(index, x % entries.length);
          worst = Math.max(worst, performance.now() - s0);
        }
        figures[`${label}: seek mean ms`] = Math.round(((performance.now() - t0) / SEEKS) * 100) / 100;
        figures[`${label}: seek worst ms`] = Math.round(worst * 100) / 100;
      }
    }
    return figures;
  },
};
