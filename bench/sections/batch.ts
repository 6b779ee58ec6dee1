/**
 * The batch audit's bench section (loaded by bench/hooks.ts): 200 generated traces audited through
 * the worker pool on 1 worker and on 2 workers, in one run, as a ratio (issue #18's target: 2
 * workers >= 1.6x one). Also the same batch in one thread without the pool, for the pool's own cost.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchContext, BenchSection } from '../hooks.js';
import { best } from '../measure.js';
import { generateTrace } from '../../src/generate/generateTrace.js';
import { writeTraceLines } from '../../src/log/writeTraceLines.js';
import { runBatch } from '../../src/batch/pool.js';
import type { AuditTask } from '../../src/batch/types.js';

const FILES = 200;

async function batch(tasks: readonly AuditTask[], jobs: number, threads: 'auto' | 'workers'): Promise<number> {
  let findings = 0;
  await runBatch(tasks, { jobs, threads, onResult: (r) => void (findings += r.ok ? r.summary.findings : 0) });
  return findings;
}

export const benchSection: BenchSection = {
  name: 'batch audit (worker pool)',
  async run(ctx: BenchContext) {
    // Why: --quick benches only 10 k records; its batch is smaller too.
    const quick = Math.max(...ctx.traces.keys()) <= 10_000;
    const records = quick ? 500 : 2500;
    const dir = mkdtempSync(join(tmpdir(), 'pasid-ledger-bench-batch-'));
    try {
      const tasks: AuditTask[] = [];
      for (let i = 0; i < FILES; i++) {
        const g = generateTrace({ records, kernel: ctx.kernel, seed: i + 1 });
        if (!g.ok) throw new Error(g.error.message);
        const path = join(dir, `trace-${String(i).padStart(3, '0')}.jsonl`);
        writeTraceLines(path, g.value.header, g.value.records());
        tasks.push({ path, file: path });
      }
      const runs = quick ? 3 : 2;
      const one = await best(runs, () => batch(tasks, 1, 'workers'));
      const two = await best(runs, () => batch(tasks, 2, 'workers'));
      const inline = await best(runs, () => batch(tasks, 1, 'auto'));
      if (one.value !== two.value || one.value !== inline.value) throw new Error(`batch findings differ: ${one.value}, ${two.value}, ${inline.value}`);
      const speedup = Math.round((one.ms / two.ms) * 100) / 100;
      return {
        files: FILES,
        'records per file': records,
        findings: one.value,
        '1 worker: ms': Math.round(one.ms),
        '2 workers: ms': Math.round(two.ms),
        'one thread, no pool: ms': Math.round(inline.ms),
        '2 workers vs 1 (x)': speedup,
        'target 1.6x met': speedup >= 1.6,
        'files/s on 2 workers': Math.round((FILES * 1000) / two.ms),
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
