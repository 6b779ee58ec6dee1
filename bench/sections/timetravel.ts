/**
 * Time travel's bench section (loaded by bench/hooks.ts): the binary index (`TRACE.idx`) of each
 * generated trace built in one streaming pass in a child process (for a clean peak RSS), its size
 * against the trace's, in-process seeks through it to pseudo-random records (median and worst),
 * with `--k-sweep` for K = 64 and 1024 too on 100 k records (how the default K was chosen);
 * then the CLI: `state --at N` on the indexed largest trace of up to 1 M records against the CLI's
 * own start-up (`--version`), and `history --pasid N` there. A larger trace (`npm run bench --
 * --large`: 10 M records) gets the build and the seeks only, each streamed (never held in memory).
 *
 * On its own (the full bench gives it traces up to 1 M records, and 10 M with --large):
 *   npm run bench:timetravel -- [--sizes 100000,1000000] [--trace FILE ...] [--k-sweep] [--no-cli] [--json]
 * generates the sizes (seed 1, v6.8) into a temp dir, or takes trace files as they are (e.g. a
 * 10 M-record one, generated once), and prints the same figures.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, fstatSync, mkdtempSync, openSync, readSync, statSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultLive, generateTrace } from '../../src/generate/generateTrace.js';
import { writeTraceLines } from '../../src/log/writeTraceLines.js';
import { profileFor } from '../../machines/profile.js';
import { openSidecar } from '../../src/timetravel/sidecar.js';
import { SIDECAR_K } from '../../src/timetravel/sidecar.js';
import type { BenchContext, BenchSection } from '../hooks.js';

const SEEKS = 101;
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = `${ROOT}bin/pasid-ledger.js`;
const BUILDER = fileURLToPath(new URL('./timetravelBuild.js', import.meta.url));

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const r2 = (x: number) => Math.round(x * 100) / 100;

/** Above this many records a build that fails or runs out of its budget is reported as a figure, not thrown: the sizes up to it must build. */
const IN_MEMORY_LIMIT = 1_000_000;
/** The budget of one index build above IN_MEMORY_LIMIT records (a 10 M build: ~10× the 1 M one, which takes ~1.5 min on an idle core). */
const LARGE_BUILD_BUDGET_MS = 45 * 60_000;

/** Builds path.idx with K in a child process; its wall time and peak RSS, or why it did not finish (within budgetMs). */
function build(path: string, k: number, budgetMs?: number): { ms: number; cpuMs: number; peakRssMb: number } | { failed: string } {
  const r = spawnSync(process.execPath, [BUILDER, path, String(k)], { encoding: 'utf8', maxBuffer: 1 << 24, timeout: budgetMs, killSignal: 'SIGKILL' });
  if (r.error !== undefined || r.signal !== null) return { failed: `not finished within ${Math.round((budgetMs ?? 0) / 1000)} s (${r.error?.message ?? r.signal})` };
  if (r.status !== 0) return { failed: `index build failed: ${r.stderr.slice(-2000)}` };
  return JSON.parse(r.stdout) as { ms: number; cpuMs: number; peakRssMb: number };
}

function seeks(path: string, kernel: string): { medianMs: number; worstMs: number; cpuMedianMs: number; records: number; indexBytes: number; checkpoints: number; openMs: number; firstSeekMs: number; firstSeekBlocks: string } {
  const profile = profileFor(kernel);
  if (profile === null) throw new Error(`no profile for ${kernel}`);
  const fd = openSync(path, 'r');
  const fds: number[] = [];
  try {
    const readAt = (p: number, n: number) => {
      const b = Buffer.alloc(n);
      readSync(fd, b, 0, n, p);
      return b;
    };
    const st = statSync(path);
    const o0 = performance.now();
    // As the CLI opens it: the index read where its blocks are (each checked when read), not whole.
    const ifd = openSync(`${path}.idx`, 'r');
    fds.push(ifd);
    const source = { size: fstatSync(ifd).size, read: (p: number, n: number) => { const b = Buffer.allocUnsafe(n); return b.subarray(0, readSync(ifd, b, 0, n, p)); } };
    const opened = openSidecar(source, { size: st.size, stamp: { mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, ino: st.ino }, sha256: () => { throw new Error('the trace changed during the bench'); } }, profile, readAt, `${path}.idx`);
    if (!opened.ok) throw new Error(opened.error.message);
    const index = opened.value;
    const openMs = performance.now() - o0;
    // The first seek reads the dead-log blocks it needs (v4 read the whole log); the figures are of the seeks after it.
    const f0 = performance.now();
    index.seek(index.length - 1);
    const firstSeekMs = performance.now() - f0;
    const firstSeekBlocks = `${index.stats.deadBlocksRead} of ${index.stats.deadBlocks}`;
    // A fixed LCG: the same records are sought in every run.
    let x = 12345;
    const times: number[] = [];
    const cpu: number[] = [];
    for (let i = 0; i < SEEKS; i++) {
      x = (x * 1103515245 + 12345) % 2147483648;
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      index.seek(x % index.length);
      times.push(performance.now() - t0);
      const c = process.cpuUsage(c0);
      cpu.push((c.user + c.system) / 1000);
    }
    return { medianMs: r2(median(times)), worstMs: r2(Math.max(...times)), cpuMedianMs: r2(median(cpu)), records: index.length, indexBytes: index.stats.bytes, checkpoints: index.stats.checkpoints, openMs: Math.round(openMs), firstSeekMs: Math.round(firstSeekMs), firstSeekBlocks };
  } finally {
    closeSync(fd);
    for (const f of fds) closeSync(f);
  }
}

/** Median wall ms of a CLI run, and its CPU ms (the children's rusage: the figure a shared machine does not distort). */
function cliMs(args: string[], runs = 3): { ms: number; cpuMs: number } {
  const times: number[] = [];
  const cpus: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const r = spawnSync('/bin/sh', ['-c', `${JSON.stringify(process.execPath)} ${[BIN, ...args].map((a) => JSON.stringify(a)).join(' ')} > /dev/null; s=$?; times >&2; exit $s`], { encoding: 'utf8' });
    if (r.status !== 0 && r.status !== 1) throw new Error(`pasid-ledger ${args.join(' ')} failed: ${r.stderr}`);
    if (r.stderr.includes('warning')) throw new Error(`pasid-ledger ${args.join(' ')}: ${r.stderr}`);
    times.push(performance.now() - t0);
    // `times` prints the shell's and its children's user and system time: the second line is the child's.
    const m = /(\d+)m([\d.]+)s (\d+)m([\d.]+)s\s*$/.exec(r.stderr.trim());
    cpus.push(m === null ? NaN : (Number(m[1]) * 60 + Number(m[2]) + Number(m[3]) * 60 + Number(m[4])) * 1000);
  }
  return { ms: Math.round(median(times)), cpuMs: Math.round(median(cpus)) };
}

async function run(ctx: BenchContext, cli = true): Promise<Record<string, number | string | boolean>> {
    const figures: Record<string, number | string | boolean> = {};
    figures['load average at the start'] = loadavg().map((l) => Math.round(l * 10) / 10).join(' ');
    // Builds and seeks stream the trace (the index is read where its blocks are), so they get the large traces too.
    const built = [...(ctx.streamingTraces ?? ctx.traces)].sort(([a], [b]) => a - b);
    for (const [size, path] of built) {
      // The default K last: its index stays for the CLI runs below. 100 k records with --k-sweep: the other K too (how K was chosen).
      const ks = size === 100_000 && ctx.kSweep === true ? [64, 1024, SIDECAR_K] : [SIDECAR_K];
      for (const k of ks) {
        // A trace with another live population than its size's default says so (the sweep's 10 M: 1,000 live, not 100 k).
        const live = ctx.live?.get(path);
        const label = `${size} records${live !== undefined && live !== defaultLive(size) ? ` (${live} live)` : ''}, K ${k}`;
        const b = build(path, k, size > IN_MEMORY_LIMIT ? LARGE_BUILD_BUDGET_MS : undefined);
        if ('failed' in b) {
          if (size <= IN_MEMORY_LIMIT) throw new Error(`${label}: ${b.failed}`);
          figures[`${label}: index build`] = b.failed;
          rmSync(`${path}.idx`, { force: true });
          continue;
        }
        const s = seeks(path, ctx.kernel);
        figures[`${label}: index build ms`] = b.ms;
        figures[`${label}: index build CPU ms`] = b.cpuMs;
        figures[`${label}: index build peak RSS MB`] = b.peakRssMb;
        figures[`${label}: index / trace size %`] = r2((s.indexBytes / statSync(path).size) * 100);
        figures[`${label}: checkpoints`] = s.checkpoints;
        figures[`${label}: seek median ms`] = s.medianMs;
        figures[`${label}: seek worst ms`] = s.worstMs;
        figures[`${label}: seek median CPU ms`] = s.cpuMedianMs;
        figures[`${label}: open ms / first seek ms`] = `${s.openMs} / ${s.firstSeekMs}`;
        figures[`${label}: dead-log blocks read by the first seek`] = s.firstSeekBlocks;
        if (k !== SIDECAR_K) rmSync(`${path}.idx`);
      }
    }
    // The CLI on the largest trace of `traces` (1 M in the full bench: the documented targets are on 1 M).
    const sizes = [...ctx.traces].sort(([a], [b]) => a - b);
    const [largest, path] = sizes[sizes.length - 1] ?? [0, ''];
    if (sizes.length > 0 && cli) {
      if (!existsSync(`${path}.idx`)) {
        const b = build(path, SIDECAR_K);
        if ('failed' in b) throw new Error(`${largest} records: ${b.failed}`);
      }
      const startup = cliMs(['--version']);
      const at = Math.floor(largest * 0.7);
      // state prints the live objects (on the generated trace ~45 k lines at 1 M) and a count of the dead ones; diff of a few records prints little.
      const state = cliMs(['state', path, '--at', String(at)]);
      const diff = cliMs(['diff', path, '--from', String(at), '--to', String(at + 10)]);
      figures[`${largest} records: CLI start-up (--version) ms / CPU ms`] = `${startup.ms} / ${startup.cpuMs}`;
      figures[`${largest} records: state --at ${at} (indexed) ms / CPU ms`] = `${state.ms} / ${state.cpuMs}`;
      figures[`${largest} records: state --at / start-up (CPU)`] = r2(state.cpuMs / startup.cpuMs);
      figures[`${largest} records: diff --from ${at} --to ${at + 10} (indexed) ms / CPU ms`] = `${diff.ms} / ${diff.cpuMs}`;
      figures[`${largest} records: diff / start-up (CPU)`] = r2(diff.cpuMs / startup.cpuMs);
      // A PASID allocated once late in the trace (the generator's IDA hands out low numbers again and again: pasid 5 is touched by thousands of records).
      const pasid = String(Math.round(largest / 1000));
      const history = cliMs(['history', path, '--pasid', pasid, '--json'], 1);
      figures[`${largest} records: history --pasid ${pasid} (indexed) ms / CPU ms`] = `${history.ms} / ${history.cpuMs}`;
    }
    return figures;
}

export const benchSection: BenchSection = { name: 'time travel (binary index)', run: (ctx) => run(ctx) };

/** `node dist/bench/sections/timetravel.js [--sizes A,B] [--trace FILE ...] [--k-sweep] [--no-cli] [--json]`: this section alone. */
async function standalone(argv: readonly string[]): Promise<void> {
  const value = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const traces = new Map<number, string>();
  const live = new Map<string, number>();
  const dir = mkdtempSync(join(tmpdir(), 'pasid-ledger-bench-tt-'));
  try {
    argv.forEach((a, i) => {
      if (a !== '--trace') return;
      const file = argv[i + 1];
      // Why: the section builds and removes FILE.idx; one it did not make is not its to replace.
      if (existsSync(`${file}.idx`)) throw new Error(`${file}.idx exists; move it away first (the bench builds its own and removes it)`);
      // The record count is the file's (its lines but the header).
      let n = -1;
      const fd = openSync(file, 'r');
      const buf = Buffer.alloc(1 << 20);
      for (let got; (got = readSync(fd, buf, 0, buf.length, null)) > 0; ) for (let j = 0; j < got; j++) if (buf[j] === 10) n++;
      closeSync(fd);
      traces.set(n, file);
      // A trace generated with --live says so in its header (its first line), and the labels say it too.
      const head = Buffer.alloc(4096);
      const hfd = openSync(file, 'r');
      const got = readSync(hfd, head, 0, head.length, 0);
      closeSync(hfd);
      const m = / --live (\d+)/.exec(head.subarray(0, got).toString('utf8').split('\n')[0]);
      if (m !== null) live.set(file, Number(m[1]));
    });
    const sizes = value('--sizes')?.split(',').map(Number) ?? (traces.size === 0 ? [100_000, 1_000_000] : []);
    for (const records of sizes) {
      const g = generateTrace({ records, kernel: '6.8.0', seed: 1 });
      if (!g.ok) throw new Error(g.error.message);
      const file = join(dir, `trace-${records}.jsonl`);
      writeTraceLines(file, g.value.header, g.value.records());
      traces.set(records, file);
    }
    // The CLI runs on the largest trace given (a file's count includes its nested records: a generated 1 M has a few more); --no-cli for a 10 M one.
    const figures = await run({ traces, live, kernel: '6.8.0', kSweep: argv.includes('--k-sweep') }, !argv.includes('--no-cli'));
    if (argv.includes('--json')) process.stdout.write(`${JSON.stringify(figures)}\n`);
    else for (const [k, v] of Object.entries(figures)) process.stdout.write(`${k}: ${v}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    for (const file of traces.values()) if (!file.startsWith(dir)) rmSync(`${file}.idx`, { force: true });
  }
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) await standalone(process.argv.slice(2));
