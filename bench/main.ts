/**
 * `npm run bench`: generates traces of 10 k, 100 k and 1 M records and measures, in one run and as
 * ratios to each other, the JSON.parse floor, ajv validation, replay through XState's transition()
 * and through the compiled tables, the full audit pipeline, and (in a child process, for a clean
 * peak) the memory of the largest pipeline. `--quick`: 10 k only. `--json`: one object on stdout.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateTrace } from '../src/generate/generateTrace.js';
import { writeTraceLines } from '../src/log/writeTraceLines.js';
import { fastPathAgrees, type Agreement } from './agreement.js';
import { runOptionalSections, type SectionOutcome } from './hooks.js';
import { best, mb, PeakMemory, perSec } from './measure.js';
import { loadEntries, parseFloor, pipeline, replayOnly, validateAll } from './phases.js';

/** XState's transition() path is ~50× slower: it runs on a prefix of this many records. */
const XSTATE_SAMPLE = 20_000;
const FULL_SIZES = [10_000, 100_000, 1_000_000];
const QUICK_SIZES = [10_000];

interface SizeFigures {
  records: number;
  bytes: number;
  liveObjectsAtEnd: number;
  findings: number;
  facts: number;
  parseFloorEventsPerSec: number;
  validateEventsPerSec: number;
  naiveTransitionEventsPerSec: number;
  naiveTransitionSample: number;
  fastReplayEventsPerSec: number;
  pipelineEventsPerSec: number;
  pipelineNsPerRecord: number;
}

interface ChildMemory {
  records: number;
  ms: number;
  peakRssMb: number;
  peakHeapMb: number;
  worldObjects: number;
}

const args = process.argv.slice(2);
const flag = (name: string) => args.includes(name);
const option = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};

async function childPipeline(path: string): Promise<void> {
  const memory = new PeakMemory();
  memory.sample();
  const t0 = performance.now();
  const replay = await pipeline(path, memory, 16384);
  const ms = performance.now() - t0;
  const peakRss = Math.max(memory.rss, process.resourceUsage().maxRSS * 1024);
  const out: ChildMemory = { records: replay.records, ms: Math.round(ms), peakRssMb: mb(peakRss), peakHeapMb: mb(memory.heap), worldObjects: replay.world.size };
  process.stdout.write(JSON.stringify(out));
}

function measureMemory(path: string): ChildMemory {
  const self = fileURLToPath(import.meta.url);
  const r = spawnSync(process.execPath, [self, '--child-pipeline', path], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`memory child failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as ChildMemory;
}

async function measureSize(path: string, records: number, kernel: string): Promise<SizeFigures> {
  const runs = records <= 10_000 ? 5 : records <= 100_000 ? 3 : 1;
  const profile = generateTrace({ records: 1, kernel });
  if (!profile.ok) throw new Error(profile.error.message);
  const p = profile.value.profile;
  const floor = await best(runs, () => parseFloor(path));
  const entries = loadEntries(path);
  const n = entries.length;
  const validate = await best(runs, () => validateAll(entries));
  if (validate.value !== 0) throw new Error(`${validate.value} generated records are invalid`);
  const fast = await best(runs, () => replayOnly(entries, p, 'fast'));
  const sample = entries.slice(0, Math.min(n, XSTATE_SAMPLE));
  const xstate = await best(records <= 10_000 ? 2 : 1, () => replayOnly(sample, p, 'xstate'));
  const full = await best(runs, () => pipeline(path));
  return {
    records: n,
    bytes: statSync(path).size,
    liveObjectsAtEnd: full.value.world.size,
    findings: full.value.findings.length,
    facts: full.value.log.length,
    parseFloorEventsPerSec: perSec(floor.value, floor.ms),
    validateEventsPerSec: perSec(n, validate.ms),
    naiveTransitionEventsPerSec: perSec(sample.length, xstate.ms),
    naiveTransitionSample: sample.length,
    fastReplayEventsPerSec: perSec(n, fast.ms),
    pipelineEventsPerSec: perSec(n, full.ms),
    pipelineNsPerRecord: Math.round((full.ms * 1e6) / n),
  };
}

const fmt = (n: number) => n.toLocaleString('en-US');
const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;

async function main(): Promise<void> {
  const childPath = option('--child-pipeline');
  if (childPath !== undefined) return childPipeline(childPath);
  const json = flag('--json');
  const sizes = flag('--quick') ? QUICK_SIZES : option('--sizes')?.split(',').map(Number) ?? FULL_SIZES;
  const kernel = option('--kernel') ?? '6.8.0';
  const seed = Number(option('--seed') ?? 1);
  const log = (s: string) => (json ? process.stderr : process.stdout).write(`${s}\n`);
  const dir = mkdtempSync(join(tmpdir(), 'pasid-ledger-bench-'));
  try {
    const traces = new Map<number, string>();
    for (const records of sizes) {
      const g = generateTrace({ records, kernel, seed });
      if (!g.ok) throw new Error(g.error.message);
      const path = join(dir, `trace-${records}.jsonl`);
      const t0 = performance.now();
      writeTraceLines(path, g.value.header, g.value.records());
      log(`generated ${fmt(records)} records (kernel ${kernel}, seed ${seed}) in ${Math.round(performance.now() - t0)} ms`);
      traces.set(records, path);
    }
    const figures: SizeFigures[] = [];
    for (const [records, path] of traces) {
      log(`measuring ${fmt(records)} records...`);
      figures.push(await measureSize(path, records, kernel));
    }
    const smallest = traces.get(sizes[0]) as string;
    const gen = generateTrace({ records: 1, kernel });
    if (!gen.ok) throw new Error(gen.error.message);
    const agreement: Agreement = fastPathAgrees(loadEntries(smallest), gen.value.profile);
    const largest = sizes[sizes.length - 1];
    log(`measuring peak memory of the ${fmt(largest)}-record pipeline in a child process...`);
    const memory = measureMemory(traces.get(largest) as string);
    const sections: SectionOutcome[] = await runOptionalSections({ traces, kernel });

    const big = figures[figures.length - 1];
    const small = figures[0];
    const growth = ratio(big.pipelineNsPerRecord, small.pipelineNsPerRecord);
    const result = {
      node: process.version,
      cpu: cpus()[0]?.model ?? 'unknown',
      cores: availableParallelism(),
      kernel,
      seed,
      records: big.records,
      pipelineEventsPerSec: big.pipelineEventsPerSec,
      parseFloorEventsPerSec: big.parseFloorEventsPerSec,
      validateEventsPerSec: big.validateEventsPerSec,
      naiveTransitionEventsPerSec: big.naiveTransitionEventsPerSec,
      naiveTransitionSample: big.naiveTransitionSample,
      fastReplayEventsPerSec: big.fastReplayEventsPerSec,
      pipelineVsParseFloor: ratio(big.pipelineEventsPerSec, big.parseFloorEventsPerSec),
      pipelineVsNaiveTransition: ratio(big.pipelineEventsPerSec, big.naiveTransitionEventsPerSec),
      fastReplayVsNaiveTransition: ratio(big.fastReplayEventsPerSec, big.naiveTransitionEventsPerSec),
      fastPathAgrees: agreement.agrees,
      fastPathAgreementRecords: agreement.records,
      fastPathDifference: agreement.difference,
      peakRssMb: memory.peakRssMb,
      peakHeapMb: memory.peakHeapMb,
      memoryRecords: memory.records,
      memoryWorldObjects: memory.worldObjects,
      growth: { from: small.records, to: big.records, nsPerRecordFactor: growth, linear: growth <= 1.5 },
      sizes: figures,
      sections,
    };
    if (json) {
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      return;
    }
    const rows: [string, (f: SizeFigures) => string][] = [
      ['records', (f) => fmt(f.records)],
      ['file MB', (f) => String(mb(f.bytes))],
      ['JSON.parse floor (rec/s)', (f) => fmt(f.parseFloorEventsPerSec)],
      ['ajv validation (rec/s)', (f) => fmt(f.validateEventsPerSec)],
      ['replay, XState transition() (rec/s)', (f) => `${fmt(f.naiveTransitionEventsPerSec)}${f.naiveTransitionSample < f.records ? ` (first ${fmt(f.naiveTransitionSample)})` : ''}`],
      ['replay, compiled tables (rec/s)', (f) => fmt(f.fastReplayEventsPerSec)],
      ['pipeline: read+validate+replay+audit (rec/s)', (f) => fmt(f.pipelineEventsPerSec)],
      ['pipeline / parse floor', (f) => `${Math.round((f.pipelineEventsPerSec / f.parseFloorEventsPerSec) * 100)} %`],
      ['pipeline / XState transition()', (f) => `${ratio(f.pipelineEventsPerSec, f.naiveTransitionEventsPerSec)}×`],
      ['pipeline ns/record', (f) => fmt(f.pipelineNsPerRecord)],
      ['world objects at end', (f) => fmt(f.liveObjectsAtEnd)],
      ['findings / facts', (f) => `${f.findings} / ${fmt(f.facts)}`],
    ];
    log('');
    log(`pasid-ledger bench — Node ${process.version}, ${result.cpu}, ${result.cores} cores, kernel ${kernel}, seed ${seed}`);
    const w0 = Math.max(...rows.map(([h]) => h.length));
    const cols = figures.map((f) => rows.map(([, g]) => g(f)));
    const widths = cols.map((c) => Math.max(...c.map((s) => s.length)));
    rows.forEach(([h], i) => log(`${h.padEnd(w0)}  ${cols.map((c, j) => c[i].padStart(widths[j])).join('  ')}`));
    log('');
    log(`fast path agrees with XState transition() on ${fmt(agreement.records)} records: ${agreement.agrees ? 'yes' : `NO (${agreement.difference})`}`);
    log(`peak memory, ${fmt(memory.records)}-record pipeline (child process): RSS ${memory.peakRssMb} MB, heap ${memory.peakHeapMb} MB, ${fmt(memory.worldObjects)} world objects at end`);
    if (figures.length > 1) log(`cost per record ${fmt(small.records)} → ${fmt(big.records)}: ×${growth} (${growth <= 1.5 ? 'linear' : 'worse than linear'})`);
    for (const s of sections) log('skipped' in s ? `${s.name}: skipped — ${s.skipped}` : `${s.name}: ${JSON.stringify(s.figures)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
