/** `pasid-ledger explore FILE`: explore the interleavings of a scenario's tasks and report the orders that break. */
import { lstatSync, mkdirSync, rmdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { CallRecord, TraceHeader } from '../../events/records.js';
import type { Command, CliIo } from './command.js';
import { EXIT, refuse } from './command.js';
import { intFlag, parseArgs } from './args.js';
import { openTrace } from './input.js';
import { TraceOutput } from '../io/traceOutput.js';
import { checkOutput, ioError } from '../io/output.js';
import { serializeHeader, serializeRecord } from '../log/serialize.js';
import { validateHeader, validateRecord } from '../../events/validate.js';
import { profileOf } from '../replay/replayTrace.js';
import { ledgerError, type LedgerError, type Result, ok, err } from '../core/result.js';
import { buildScenario, type Scenario } from '../explore/scenario.js';
import { exploreBuilt, type ExploreResult, type StrategyName } from '../explore/explore.js';
import { parseSchedule, formatSchedule } from '../explore/schedule.js';
import { emitRecords, emittedHeader } from '../explore/emit.js';
import { runSchedule } from '../explore/replay.js';
import { endFindings } from '../explore/execute.js';
import { openProgress } from './progress.js';
import { minimizeToFile } from './minimize.js';
import { replayEntries } from '../replay/replayTrace.js';

const HELP = `usage: pasid-ledger explore FILE [--json] [--emit DIR] [--strategy dpor|random|pct|dfs]
                              [--max-executions N] [--time SECONDS] [--preemptions N]
                              [--seed S] [--depth D] [--kernel VERSION] [--schedule STR] [--force]

Explores the orders in which the tasks of FILE (a trace whose records carry tid, or a
scenario file whose records omit ret) can interleave. Each top-level call is one atomic
step (it runs under its lock); nested records move with their parent; each task keeps
its program order. Two steps commute when their footprints (what the call reads and
writes: machines/calls/footprints.ts) do not conflict, so DPOR runs one execution per
class of equivalent orders. Reports the executions run, the interleavings brute force
would run, the distinct outcomes, and for every finding code the shortest schedule
that raises it (a schedule is the task of each step: t1,t1,t2,t1).

options:
  --json               print {"executions","interleavings","outcomes","verdict","violations"}
  --emit DIR           write each violating schedule as a trace (source "explored") that
                       \`pasid-ledger audit\` reproduces: DIR/<file>.<CODE>.jsonl (created if
                       needed; existing files are refused, none written, unless --force)
  --force              with --emit: replace existing traces of those names
  --minimize           with --emit: also write each emitted trace minimized for its code
                       (as \`pasid-ledger minimize\`): DIR/<file>.<CODE>.min.jsonl
  --quiet              no progress bar (drawn on stderr only when it is a terminal)
  --strategy S         dpor (default: source-DPOR + sleep sets, exhaustive), dfs (every
                       interleaving), random or pct (sampling: never "ok")
  --max-executions N   stop after N executions (verdict "unknown" if cut short)
  --time SECONDS       stop after this long (verdict "unknown" if cut short)
  --preemptions N      dpor: at most N switches away from a task with steps left
  --seed S             seed of random and pct (default 1)
  --depth D            pct bug depth (default 3)
  --kernel VERSION     use this kernel's rules instead of the header's
  --schedule STR       run only this schedule (a prefix is allowed) and print each step

verdict: ok (exhaustive, no finding), violation, unknown (a bound cut the search)
exit status: 0 no violation, 1 violations, 2 bad input or usage

examples:
  pasid-ledger explore samples/races/vtd-boot-race-v5.10.jsonl
  pasid-ledger explore samples/races/vtd-boot-race-v5.10.jsonl --emit /tmp/races
  pasid-ledger explore samples/races/vtd-boot-race-v5.10.jsonl --schedule t2,t1,t1,t1
`;

const FLAGS = {
  '--json': 'bool', '--emit': 'string', '--max-executions': 'string', '--time': 'string', '--preemptions': 'string',
  '--strategy': 'string', '--seed': 'string', '--depth': 'string', '--kernel': 'string', '--schedule': 'string', '--force': 'bool',
  '--minimize': 'bool', '--quiet': 'bool',
} as const;

const STRATEGIES: readonly StrategyName[] = ['dpor', 'dfs', 'random', 'pct'];

async function readAll(file: string, io: CliIo): Promise<Result<{ header: TraceHeader; records: CallRecord[]; name: string }, LedgerError>> {
  const input = openTrace(file, io);
  if ('code' in input) return err(input);
  let header: TraceHeader | undefined;
  const records: CallRecord[] = [];
  for await (const item of input.items) {
    if (item.kind === 'header') header = item.header;
    else if (item.kind === 'record') records.push(item.entry.record);
    else if (item.kind === 'error') return err(item.error);
    else if (item.kind !== 'warning') return err(ledgerError('HEADER_MISSING', 'a derived-event log was given where a trace is expected', { file: input.file, line: 1, fix: 'pass a trace or scenario file' }));
  }
  if (header === undefined) return err(ledgerError('EMPTY_FILE', 'no header and no records', { file: input.file, fix: 'write a scenario file first' }));
  return ok({ header, records, name: input.file });
}

interface Emitted {
  readonly path: string;
  readonly header: TraceHeader;
  readonly records: readonly CallRecord[];
}

/**
 * Writes the emitted traces into dir, each through a temporary file renamed into place. Every
 * target is checked first (an existing file is refused unless --force, F13), so a refusal writes
 * none of them; a directory that does not exist yet is created.
 */
async function emitTraces(dir: string, traces: readonly Emitted[], force: boolean, input: string): Promise<LedgerError | null> {
  let created = false;
  try {
    if (!lstatSync(dir).isDirectory()) return ledgerError('OUTPUT_NOT_REGULAR', 'exists and is not a directory', { file: dir, fix: 'name a directory for --emit' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') return ioError(dir, e, 'check the --emit directory');
    // Why: one level only; a missing parent is the user's to create (and recursive mkdirSync never returns on some /proc paths).
    try {
      mkdirSync(dir);
      created = true;
    } catch (e2) {
      return ioError(dir, e2, 'create the --emit directory');
    }
  }
  const problem = await writeEmitted(traces, force, input);
  if (problem && created) {
    try {
      rmdirSync(dir);
    } catch {
      /* not empty: an earlier trace was written */
    }
  }
  return problem;
}

async function writeEmitted(traces: readonly Emitted[], force: boolean, input: string): Promise<LedgerError | null> {
  for (const t of traces) {
    const checked = checkOutput(t.path, { force, inputs: [input] });
    if (!checked.ok) return checked.error;
  }
  for (const t of traces) {
    const problem = validateHeader(t.header) ?? t.records.map(validateRecord).find((p) => p !== null);
    if (problem) return ledgerError('FIELD_INVALID', `bug: an emitted record breaks its schema (${problem.path} ${problem.message})`, { file: t.path, fix: 'please report it' });
    const opened = TraceOutput.toFile(t.path, { force, inputs: [input] });
    if (!opened.ok) return opened.error;
    const out = opened.value;
    for (const line of [serializeHeader(t.header), ...t.records.map(serializeRecord)]) {
      const w = out.push(line);
      if (!w.ok) return w.error;
    }
    const done = await out.finish();
    if (!done.ok) return done.error;
  }
  return null;
}

function seconds(v: string | boolean | string[] | undefined): Result<number | undefined, LedgerError> {
  if (v === undefined) return ok(undefined);
  if (typeof v !== 'string' || !/^\d+(\.\d+)?$/.test(v)) return err(ledgerError('USAGE', `option --time takes seconds (e.g. 10 or 0.5), got ${String(v)}`));
  return ok(Number(v));
}

async function scheduleRun(s: Scenario, text: string, file: string, io: CliIo, json: boolean, emitDir: string | undefined, force: boolean): Promise<number> {
  const parsed = parseSchedule(s, text);
  if (!parsed.ok) return refuse(io, 'explore', parsed.error.message);
  const tasks = parsed.value;
  const { runs, steps, world } = runSchedule(s, tasks);
  const end = endFindings(world);
  const codes = [...runs.flatMap((r) => r.findings.map((f) => f.code)), ...end.map((f) => f.code)];
  let trace: string | null = null;
  if (emitDir !== undefined) {
    trace = join(emitDir, `${basename(file).replace(/\.jsonl$/, '')}.schedule.jsonl`);
    const e = await emitTraces(emitDir, [{ path: trace, header: emittedHeader(s, `${file} under schedule ${formatSchedule(s, tasks)}`), records: emitRecords(s, tasks) }], force, file);
    if (e) return refuse(io, 'explore', e.message);
  }
  if (json) {
    const out = {
      schedule: formatSchedule(s, tasks),
      steps: runs.map((r, i) => ({ task: s.tasks[tasks[i]].name, fn: s.steps[steps[i]].record.fn, ret: r.ret ?? null, findings: r.findings.map((f) => f.code) })),
      end: end.map((f) => f.code),
      trace,
    };
    io.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  } else {
    runs.forEach((r, i) => {
      const st = s.steps[steps[i]];
      const ret = r.ret === undefined ? '' : ` → ${String(r.ret)}`;
      io.stdout.write(`${String(i + 1).padStart(3)} ${s.tasks[tasks[i]].name.padEnd(4)} ${st.record.fn}(${JSON.stringify(st.record.args)})${ret}\n`);
      for (const f of r.findings) io.stdout.write(`      ${f.code}: ${f.detail}\n`);
    });
    for (const f of end) io.stdout.write(`  end ${f.code}: ${f.detail}\n`);
    if (trace !== null) io.stdout.write(`trace: ${trace}\n`);
  }
  return codes.length > 0 ? EXIT.FINDINGS : EXIT.OK;
}

function text(r: ExploreResult, file: string, kernel: string, traces: Map<string, string>): string {
  const lines: string[] = [];
  const tasks = r.tasks.map((t) => `${t.name}: ${t.steps} step${t.steps === 1 ? '' : 's'}`).join(', ');
  lines.push(`${file}: kernel ${kernel}, ${r.tasks.length} tasks (${tasks})`);
  const how = r.strategy === 'dpor' ? 'source-DPOR + sleep sets' : r.strategy === 'dfs' ? 'every interleaving' : 'sampling';
  const blocked = r.strategy === 'dpor' ? ` + ${r.redundant} sleep-set-blocked` : '';
  lines.push(`${r.strategy} (${how}): ${r.executions} executions${blocked}; brute force: ${r.interleavings} interleavings`);
  if (r.bounds.length > 0) lines.push(`bounds hit: ${r.bounds.join(', ')} (the search is not exhaustive)`);
  lines.push(`${r.outcomes.length} distinct outcome${r.outcomes.length === 1 ? '' : 's'}:`);
  for (const o of r.outcomes) {
    lines.push(`  state ${o.hash}  ${o.codes.length === 0 ? '(no findings)' : o.codes.join(' ')}`);
    lines.push(`      ${o.count} execution${o.count === 1 ? '' : 's'}, e.g. ${o.schedule}`);
  }
  if (r.violations.length > 0) {
    lines.push('shortest schedule per finding code:');
    for (const v of r.violations) {
      const where = v.atEnd ? 'at the end' : `at step ${v.steps}`;
      const t = traces.get(v.code);
      lines.push(`  ${v.code.padEnd(34)} ${v.schedule}  (${where})${t ? `\n      ${t}` : ''}`);
    }
  }
  lines.push(`verdict: ${r.verdict}`);
  return lines.join('\n');
}

async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const fail = (e: LedgerError) => {
    return refuse(io, 'explore', e.message);
  };
  const parsed = parseArgs(argv, FLAGS, 'explore');
  if (!parsed.ok) return fail(parsed.error);
  const { positional, flags } = parsed.value;
  if (positional.length !== 1) return fail(ledgerError('USAGE', 'expected one FILE; see `pasid-ledger explore --help`'));
  const maxExecutions = intFlag(flags['--max-executions'], '--max-executions');
  const preemptions = intFlag(flags['--preemptions'], '--preemptions');
  const seed = intFlag(flags['--seed'], '--seed');
  const depth = intFlag(flags['--depth'], '--depth');
  const time = seconds(flags['--time']);
  for (const r of [maxExecutions, preemptions, seed, depth, time]) if (!r.ok) return fail(r.error);
  const strategy = (flags['--strategy'] ?? 'dpor') as StrategyName;
  if (!STRATEGIES.includes(strategy)) return fail(ledgerError('USAGE', `unknown strategy ${String(strategy)}`, { field: '--strategy', fix: `use one of ${STRATEGIES.join(', ')}` }));
  const emitDir = flags['--emit'] as string | undefined;
  const json = flags['--json'] === true;

  const input = await readAll(positional[0], io);
  if (!input.ok) return fail(input.error);
  const { header, records, name } = input.value;
  const profile = profileOf(header, flags['--kernel'] as string | undefined, name);
  if (!profile.ok) return fail(profile.error);
  const s = buildScenario(records, profile.value);
  for (const w of s.warnings) io.stderr.write(`pasid-ledger explore: ${name}: ${w}\n`);
  const force = flags['--force'] === true;
  if (typeof flags['--schedule'] === 'string') return scheduleRun(s, flags['--schedule'], name, io, json, emitDir, force);

  const t = time.ok ? time.value : undefined;
  if (flags['--minimize'] === true && emitDir === undefined) return fail(ledgerError('USAGE', '--minimize needs --emit DIR (it minimizes the emitted traces)'));
  // The explorer asks the clock before each execution: that call moves the bar (against --time when given).
  const started = Date.now();
  const progress = openProgress(io, { label: 'explore', total: t === undefined ? 1 : t * 1000, unit: 'steps', quiet: flags['--quiet'] === true });
  let checks = 0;
  const now = () => {
    const n = Date.now();
    progress.update(t === undefined ? 0 : n - started, ++checks);
    return n;
  };
  const result = exploreBuilt(s, {
    strategy,
    maxExecutions: maxExecutions.ok ? maxExecutions.value : undefined,
    preemptions: preemptions.ok ? preemptions.value : undefined,
    seed: seed.ok ? seed.value : undefined,
    depth: depth.ok ? depth.value : undefined,
    deadline: t === undefined ? Infinity : started + t * 1000,
    now,
  });
  progress.stop();
  const traces = new Map<string, string>();
  const minimized = new Map<string, { path: string; before: number; after: number }>();
  if (emitDir !== undefined) {
    const emitted = result.violations.map((v) => ({
      code: v.code,
      path: join(emitDir, `${basename(name).replace(/\.jsonl$/, '')}.${v.code}.jsonl`),
      header: emittedHeader(s, `${name}: ${v.code} under schedule ${v.schedule}`),
      records: v.trace,
    }));
    const e = await emitTraces(emitDir, emitted, force, name);
    if (e) return fail(e);
    for (const t of emitted) traces.set(t.code, t.path);
    if (flags['--minimize'] === true) {
      for (const v of result.violations) {
        const path = traces.get(v.code) as string;
        const header = emittedHeader(s, `${name}: ${v.code} under schedule ${v.schedule}`);
        const entries = v.trace.map((record, i) => ({ record, line: i + 2 }));
        const target = replayEntries(entries, s.profile).findings.find((f) => f.code === v.code);
        if (target === undefined) continue;
        const minPath = path.replace(/\.jsonl$/, '.min.jsonl');
        const m = minimizeToFile(entries, header, s.profile, target, { path: minPath, force, inputs: [name] }, { seconds: t ?? 60, io, quiet: flags['--quiet'] === true });
        if (!m.ok) return fail(m.error);
        minimized.set(v.code, { path: minPath, before: m.value.before, after: m.value.after });
      }
    }
  }
  if (json) {
    const out = {
      executions: result.executions,
      redundant: result.redundant,
      interleavings: result.interleavings.toString(),
      strategy: result.strategy,
      bounds: result.bounds,
      outcomes: result.outcomes.map((o) => ({ hash: o.hash, codes: o.codes, count: o.count, schedule: o.schedule })),
      verdict: result.verdict,
      violations: result.violations.map((v) => ({ code: v.code, schedule: v.schedule, steps: v.steps, atEnd: v.atEnd, trace: traces.get(v.code) ?? null, ...(minimized.has(v.code) ? { minimized: minimized.get(v.code) } : {}) })),
    };
    io.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  } else {
    io.stdout.write(`${text(result, name, profile.value.kernel, traces)}\n`);
    for (const [code, m] of minimized) io.stdout.write(`minimized ${code}: ${m.path} (${m.before} → ${m.after} records)\n`);
  }
  return result.violations.length > 0 ? EXIT.FINDINGS : EXIT.OK;
}

export const exploreCommand: Command = { name: 'explore', summary: 'explore the interleavings of a scenario and report racy orders', help: HELP, run };
