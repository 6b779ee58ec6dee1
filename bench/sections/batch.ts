/**
 * The batch audit's bench section (loaded by bench/hooks.ts): 200 generated traces audited through
 * the worker pool on 1 worker and on 2 workers, in one run, as a ratio (issue #18's target: 2
 * workers >= 1.6x one). Also the same batch in one thread without the pool, for the pool's own cost.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchContext, BenchSection } from '../hooks.js';
import { best } from '../measure.js';
import { generateTrace } from '../../src/generate/generateTrace.js';
import { writeTraceLines } from '../../src/log/writeTraceLines.js';
import { runBatch } from '../../src/batch/pool.js';
import type { AuditTask } from '../../src/batch/types.js';

const FILES = 200;

/** The built CLI (this file runs from dist/bench/sections/). */
function cliMain(): string | null {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  const main = join(dir, 'dist', 'src', 'cli', 'main.js');
  return existsSync(main) ? main : null;
}

/** Peak RSS (MB) of `pasid-ledger audit --json TRACE > /dev/null` in a child process (issue #15 item 6: the output streams). */
function auditJsonPeakMb(main: string, trace: string): number {
  const code = `import(${JSON.stringify(main)}).then(async (m) => { await m.main(['audit', '--json', '--quiet', ${JSON.stringify(trace)}]); process.on('exit', () => process.stderr.write('RSS ' + process.resourceUsage().maxRSS + '\\n')); });`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const m = /RSS (\d+)/.exec(r.stderr ?? '');
  if (!m) throw new Error(`audit --json child failed: ${r.stderr}`);
  return Math.round(Number(m[1]) / 1024);
}

/** Findings and the CPU time of the whole process (every thread), so a busy machine shows as wall ≫ CPU. */
async function batch(tasks: readonly AuditTask[], jobs: number, threads: 'auto' | 'workers'): Promise<{ findings: number; cpuMs: number }> {
  let findings = 0;
  const c0 = process.cpuUsage();
  await runBatch(tasks, { jobs, threads, onResult: (r) => void (findings += r.ok ? r.summary.findings : 0) });
  const c = process.cpuUsage(c0);
  return { findings, cpuMs: Math.round((c.user + c.system) / 1000) };
}

export const benchSection: BenchSection = {
  name: 'batch audit (worker pool)',
  async run(ctx: BenchContext) {
    // Why: --quick benches only 10 k records; its batch is smaller too. 5,000 records a file (1 M in all)
    // keeps each worker's cold start (module load, JIT, schema compiles: ~0.5 s CPU) a small part.
    const quick = Math.max(...ctx.traces.keys()) <= 10_000;
    const records = quick ? 500 : 5000;
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
      if (one.value.findings !== two.value.findings || one.value.findings !== inline.value.findings) throw new Error(`batch findings differ: ${one.value.findings}, ${two.value.findings}, ${inline.value.findings}`);
      const speedup = Math.round((one.ms / two.ms) * 100) / 100;
      const main = cliMain();
      const memory: Record<string, number> = {};
      if (main !== null) for (const [n, trace] of ctx.traces) memory[`audit --json peak RSS at ${n} records (MB)`] = auditJsonPeakMb(main, trace);
      return {
        ...memory,
        files: FILES,
        'records per file': records,
        findings: one.value.findings,
        '1 worker: ms': Math.round(one.ms),
        '2 workers: ms': Math.round(two.ms),
        'one thread, no pool: ms': Math.round(inline.ms),
        '1 worker: CPU ms': one.value.cpuMs,
        '2 workers: CPU ms': two.value.cpuMs,
        'one thread, no pool: CPU ms': inline.value.cpuMs,
        // Wall time over CPU time: near 1 (one thread) or 0.5 (two) on an idle machine; far above on a shared one.
        '2 workers: wall/CPU': Math.round((two.ms / Math.max(1, two.value.cpuMs)) * 100) / 100,
        '2 workers vs 1 (x)': speedup,
        'target 1.6x met': speedup >= 1.6,
        'files/s on 2 workers': Math.round((FILES * 1000) / two.ms),
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
