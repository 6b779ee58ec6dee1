/** `pasid-ledger explore FILE`: explore the interleavings of a scenario's tasks and report the orders that break. */
import { existsSync, lstatSync, mkdirSync, readFileSync, rmdirSync } from 'node:fs';
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
import { buildScenario, scenarioFromSpec, SETUP_TASK, type Scenario } from '../explore/scenario.js';
import { isScenarioText, parseScenario } from '../explore/scenarioFile.js';
import { openProgress } from './progress.js';
import { minimizeToFile } from './minimize.js';
import { replayEntries } from '../replay/replayTrace.js';
import { exploreBuilt, type ExploreOptions, type ExploreResult, type StrategyName } from '../explore/explore.js';
import { exploreAcross, exploreAcrossChanged, exploreAcrossJson, exploreAcrossText } from '../compare/exploreAcross.js';
import type { Profile } from '../../machines/profile.js';
import { parseSchedule, formatSchedule } from '../explore/schedule.js';
import { emitRecords, emittedHeader } from '../explore/emit.js';
import { runSchedule } from '../explore/replay.js';

const HELP = `usage: pasid-ledger explore FILE [--json] [--emit DIR [--force]] [--strategy dpor|random|pct|dfs]
                              [--max-executions N] [--time SECONDS] [--preemptions N]
                              [--seed S] [--depth D] [--kernel VERSION] [--schedule STR]
                              [--no-symmetry] [--reductions] [--expect-clean]

Explores the orders in which the tasks of FILE can interleave. FILE is a scenario file
(header format "pasid-ledger-scenario": setup, tasks and teardown, calls with if_ok /
if_failed conditions and {"ret_of": k} arguments; docs/explore.md) or a trace whose
records carry tid (one task per tid). Each call is one atomic step (it runs under its
lock); each task keeps its program order; a call whose condition is false is no step.
Two steps commute when their footprints (machines/calls/footprints.ts) do not conflict,
so DPOR runs one execution per class of equivalent orders; with value symmetry, orders
that only differ in which task got which global PASID count once. Reports the
executions, the distinct outcomes, and for every finding code in how many executions it
appears (in every ordering or in some) and the shortest schedule that raises it (a
schedule is the task of each step: t1,t1,t2,t1).

options:
  --json               print {"executions","interleavings","outcomes","verdict","violations",...}
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
  --kernel VERSION     use this kernel's rules instead of the header's; repeated
                       (--kernel A --kernel B), explore once per kernel and say which
                       orderings become bad or good between consecutive kernels
                       (exit 1 when they differ); see docs/compare.md
  --schedule STR       run only this schedule (a prefix is allowed) and print each step
  --no-symmetry        do not use value symmetry (dpor)
  --reductions         also run dpor without value symmetry (same bounds) and print what
                       each reduction saved
  --expect-clean       for CI: exit 1 unless the verdict is ok (a finding in any ordering,
                       or a bound that cut the search)

verdict: ok (exhaustive, no finding), violation, unknown (a bound cut the search)
exit status: 0 no violation, 1 violations (or, with --expect-clean, not proven clean),
2 bad input or usage

examples:
  pasid-ledger explore samples/races/vtd-boot-race-v5.10.jsonl
  pasid-ledger explore samples/races/unbind-if-bound-v6.8.jsonl --expect-clean
  pasid-ledger explore samples/races/vtd-boot-race-v5.10.jsonl --schedule t2,t1,t1,t1
`;

const FLAGS = {
  '--json': 'bool', '--emit': 'string', '--max-executions': 'string', '--time': 'string', '--preemptions': 'string',
  '--strategy': 'string', '--seed': 'string', '--depth': 'string', '--kernel': 'string[]', '--schedule': 'string',
  '--no-symmetry': 'bool', '--reductions': 'bool', '--expect-clean': 'bool', '--force': 'bool',
  '--minimize': 'bool', '--quiet': 'bool',
} as const;

const STRATEGIES: readonly StrategyName[] = ['dpor', 'dfs', 'random', 'pct'];

/** The scenario of FILE: a scenario file (by its header's format) or a trace grouped by tid. */
async function readScenario(file: string, io: CliIo, kernel: string | undefined): Promise<Result<{ s: Scenario; name: string }, LedgerError>> {
  if (file !== '-' && existsSync(file)) {
    let textIn: string;
    try {
      textIn = readFileSync(file, 'utf8');
    } catch (e) {
      return err(ledgerError('TRACE_UNREADABLE', `cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`, { file, fix: 'check the path' }));
    }
    const firstLine = textIn.split('\n').find((l) => l.trim() !== '') ?? '';
    if (isScenarioText(firstLine)) {
      const spec = parseScenario(textIn, file);
      if (!spec.ok) return spec;
      const profile = profileOf({ kernel: spec.value.header.kernel } as TraceHeader, kernel, file);
      if (!profile.ok) return profile;
      return ok({ s: scenarioFromSpec(spec.value, profile.value), name: file });
    }
  }
  const input = openTrace(file, io);
  if ('code' in input) return err(input);
  let header: TraceHeader | undefined;
  const records: CallRecord[] = [];
  const lines = new Map<number, number>();
  for await (const item of input.items) {
    if (item.kind === 'header') header = item.header;
    else if (item.kind === 'record') {
      records.push(item.entry.record);
      lines.set(item.entry.record.seq, item.entry.line);
    } else if (item.kind === 'error') return err(item.error);
    else if (item.kind !== 'warning') return err(ledgerError('HEADER_MISSING', 'a derived-event log was given where a trace is expected', { file: input.file, line: 1, fix: 'pass a trace or scenario file' }));
  }
  if (header === undefined) return err(ledgerError('EMPTY_FILE', 'no header and no records', { file: input.file, fix: 'write a scenario file first' }));
  const profile = profileOf(header, kernel, input.file);
  if (!profile.ok) return profile;
  return ok({ s: buildScenario(records, profile.value, lines), name: input.file });
}

/** A trace as records (explore --kernel A --kernel B replays the same calls under each kernel). */
async function readAll(file: string, io: CliIo): Promise<Result<{ header: TraceHeader; records: CallRecord[]; name: string }, LedgerError>> {
  if (file !== '-' && existsSync(file)) {
    const first = (readFileSync(file, 'utf8').split('\n').find((l) => l.trim() !== '') ?? '');
    if (isScenarioText(first)) return err(ledgerError('USAGE', 'several --kernel compare the orderings of a trace; a scenario file is explored one kernel at a time', { file, fix: 'run explore once per --kernel, or give the scenario as a trace' }));
  }
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

const showRet = (r: unknown) => (r === undefined ? '' : ` → ${String(r)}`);

async function scheduleRun(s: Scenario, textIn: string, file: string, io: CliIo, json: boolean, emitDir: string | undefined, force: boolean): Promise<number> {
  const parsed = parseSchedule(s, textIn);
  if (!parsed.ok) return refuse(io, 'explore', parsed.error.message);
  const tasks = parsed.value;
  const r = runSchedule(s, tasks);
  const all = [...r.setup, ...r.runs, ...(r.teardown ?? [])];
  const codes = [...all.flatMap((x) => x.findings.map((f) => f.code)), ...r.end.map((f) => f.code)];
  let trace: string | null = null;
  if (emitDir !== undefined) {
    trace = join(emitDir, `${basename(file).replace(/\.jsonl$/, '')}.schedule.jsonl`);
    const e = await emitTraces(emitDir, [{ path: trace, header: emittedHeader(s, `${file} under schedule ${formatSchedule(s, tasks)}`), records: emitRecords(s, tasks) }], force, file);
    if (e) return refuse(io, 'explore', e.message);
  }
  const who = (t: number) => (t >= 0 ? s.tasks[t].name : t === SETUP_TASK ? 'setup' : 'teardown');
  if (json) {
    const out = {
      schedule: formatSchedule(s, r.runs.map((x) => x.task)),
      steps: all.map((x) => ({ task: who(x.task), call: s.calls[x.call].label, fn: x.record.fn, args: x.record.args, ret: x.ret ?? null, findings: x.findings.map((f) => f.code) })),
      complete: r.teardown !== null,
      end: r.end.map((f) => f.code),
      trace,
    };
    io.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  } else {
    let i = 0;
    for (const x of all) {
      const n = x.task >= 0 ? String(++i).padStart(3) : '  -';
      io.stdout.write(`${n} ${who(x.task).padEnd(4)} ${x.record.fn}(${JSON.stringify(x.record.args)})${showRet(x.ret)}\n`);
      for (const f of x.findings) io.stdout.write(`      ${f.code}: ${f.detail}\n`);
    }
    if (r.teardown === null) io.stdout.write('  (a prefix: some task has calls left, so teardown did not run)\n');
    for (const f of r.end) io.stdout.write(`  end ${f.code}: ${f.detail}\n`);
    if (trace !== null) io.stdout.write(`trace: ${trace}\n`);
  }
  return codes.length > 0 ? EXIT.FINDINGS : EXIT.OK;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function text(r: ExploreResult, file: string, kernel: string, traces: Map<string, string>, s: Scenario): string {
  const lines: string[] = [];
  const tasks = r.tasks.map((t) => `${t.name}: ${plural(t.steps, 'call')}`).join(', ');
  const sections = [s.setup.length > 0 ? `setup: ${plural(s.setup.length, 'call')}` : '', s.teardown.length > 0 ? `teardown: ${plural(s.teardown.length, 'call')}` : ''].filter(Boolean);
  lines.push(`${file}: kernel ${kernel}, ${r.tasks.length} tasks (${tasks})${sections.length ? `, ${sections.join(', ')}` : ''}`);
  const how = r.strategy === 'dpor' ? 'source-DPOR + sleep sets' : r.strategy === 'dfs' ? 'every interleaving' : 'sampling';
  const blocked = r.strategy === 'dpor' ? ` + ${r.redundant} sleep-set-blocked` : '';
  const upTo = s.dynamic ? 'at most ' : '';
  lines.push(`${r.strategy} (${how}): ${r.executions} executions${blocked}; brute force: ${upTo}${r.interleavings} interleavings`);
  if (r.strategy === 'dpor') lines.push(`value symmetry: ${r.symmetry.used ? 'on (global PASIDs equivalent up to renaming)' : `off (${r.symmetry.reason})`}`);
  const red = r.reductions;
  if (red.withoutSymmetry !== null) {
    const cut = red.withoutSymmetry.cut.length > 0 ? ` (cut short by ${red.withoutSymmetry.cut.join(', ')}: at least that many)` : '';
    lines.push('reductions:');
    lines.push(`  brute force                        ${upTo}${red.interleavings} interleavings`);
    lines.push(`  source-DPOR + sleep sets           ${red.withoutSymmetry.executions} executions${cut}`);
    if (red.withSymmetry !== null) lines.push(`  + value symmetry                   ${red.withSymmetry.executions} executions (saved ${red.withoutSymmetry.executions - red.withSymmetry.executions}${cut ? ' or more' : ''})`);
  }
  if (r.bounds.length > 0) lines.push(`bounds hit: ${r.bounds.join(', ')} (the search is not exhaustive: ${r.executions} executions covered)`);
  lines.push(`${plural(r.outcomes.length, 'distinct outcome')}:`);
  for (const o of r.outcomes) {
    lines.push(`  state ${o.hash}  ${o.codes.length === 0 ? '(no findings)' : o.codes.join(' ')}`);
    lines.push(`      ${plural(o.count, 'execution')}, e.g. ${o.schedule === '' ? '(setup and teardown only)' : o.schedule}`);
  }
  if (r.violations.length > 0) {
    lines.push(`per finding code (orderings that raise it, of ${r.executions}; the shortest schedule):`);
    for (const v of r.violations) {
      const where = v.atEnd ? 'at the end' : v.steps === 0 ? 'in setup' : `at step ${v.steps}`;
      const inWhat = v.in === 'every' ? 'in every ordering' : `in some: ${v.executions}`;
      const t = traces.get(v.code);
      lines.push(`  ${v.code.padEnd(34)} ${inWhat.padEnd(18)} ${v.schedule === '' ? '(setup)' : v.schedule}  (${where})${t ? `\n      ${t}` : ''}`);
    }
  }
  lines.push(`verdict: ${r.verdict}`);
  return lines.join('\n');
}

type Bound = Result<number | undefined, LedgerError>;

function exploreOptions(flags: Record<string, unknown>, maxExecutions: Bound, preemptions: Bound, seed: Bound, depth: Bound, time: Bound): ExploreOptions {
  const t = time.ok ? time.value : undefined;
  return {
    strategy: (flags['--strategy'] ?? 'dpor') as StrategyName,
    maxExecutions: maxExecutions.ok ? maxExecutions.value : undefined,
    preemptions: preemptions.ok ? preemptions.value : undefined,
    seed: seed.ok ? seed.value : undefined,
    depth: depth.ok ? depth.value : undefined,
    ...(t === undefined ? {} : { deadline: Date.now() + t * 1000, now: Date.now }),
  };
}

/** `explore --kernel A --kernel B`: one exploration per kernel, compared (src/compare/exploreAcross.ts). */
function exploreKernels(records: CallRecord[], header: TraceHeader, kernels: readonly string[], name: string, io: CliIo, json: boolean, options: ExploreOptions): number {
  const profiles: Profile[] = [];
  for (const k of kernels) {
    const p = profileOf(header, k, name);
    if (!p.ok) return refuse(io, 'explore', p.error.message);
    profiles.push(p.value);
  }
  const r = exploreAcross(records, profiles, options);
  io.stdout.write(json ? `${JSON.stringify(exploreAcrossJson(r), null, 2)}\n` : `${exploreAcrossText(r, name)}\n`);
  return exploreAcrossChanged(r) ? EXIT.FINDINGS : EXIT.OK;
}

async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const fail = (e: LedgerError) => refuse(io, 'explore', e.message);
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
  const kernels = (flags['--kernel'] as string[] | undefined) ?? [];
  if (kernels.length > 1) {
    if (typeof flags['--schedule'] === 'string' || emitDir !== undefined) return fail(ledgerError('USAGE', '--schedule and --emit take one kernel; with several --kernel, explore compares the kernels'));
    const all = await readAll(positional[0], io);
    if (!all.ok) return fail(all.error);
    return exploreKernels(all.value.records, all.value.header, kernels, all.value.name, io, json, exploreOptions(flags, maxExecutions, preemptions, seed, depth, time));
  }
  const force = flags['--force'] === true;
  const expectClean = flags['--expect-clean'] === true;

  const input = await readScenario(positional[0], io, kernels[0]);
  if (!input.ok) return fail(input.error);
  const { s, name } = input.value;
  for (const w of s.warnings) io.stderr.write(`pasid-ledger explore: ${name}: ${w}\n`);
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
    symmetry: flags['--no-symmetry'] !== true,
    measureReductions: flags['--reductions'] === true,
    deadline: t === undefined ? Infinity : started + t * 1000,
    now,
  });
  progress.stop();
  const minimized = new Map<string, { path: string; before: number; after: number }>();
  const traces = new Map<string, string>();
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
    const red = result.reductions;
    const out = {
      executions: result.executions,
      redundant: result.redundant,
      interleavings: result.interleavings.toString(),
      strategy: result.strategy,
      exhaustive: result.exhaustive,
      bounds: result.bounds,
      symmetry: result.symmetry,
      reductions: {
        interleavings: red.interleavings.toString(),
        withoutSymmetry: red.withoutSymmetry,
        withSymmetry: red.withSymmetry,
      },
      outcomes: result.outcomes.map((o) => ({ hash: o.hash, codes: o.codes, count: o.count, schedule: o.schedule })),
      verdict: result.verdict,
      violations: result.violations.map((v) => ({ code: v.code, in: v.in, executions: v.executions, schedule: v.schedule, steps: v.steps, atEnd: v.atEnd, trace: traces.get(v.code) ?? null, ...(minimized.has(v.code) ? { minimized: minimized.get(v.code) } : {}) })),
    };
    io.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  } else {
    io.stdout.write(`${text(result, name, s.profile.kernel, traces, s)}\n`);
    for (const [code, m] of minimized) io.stdout.write(`minimized ${code}: ${m.path} (${m.before} → ${m.after} records)\n`);
  }
  if (expectClean && result.verdict !== 'ok') {
    const why = result.verdict === 'violation' ? `${result.violations.map((v) => v.code).join(', ')} in some ordering` : `the search was cut short (${result.bounds.join(', ')}), so no ordering is proven clean`;
    io.stderr.write(`pasid-ledger explore: ${name}: --expect-clean: ${why}\n`);
    return EXIT.FINDINGS;
  }
  return result.violations.length > 0 ? EXIT.FINDINGS : EXIT.OK;
}

export const exploreCommand: Command = { name: 'explore', summary: 'explore the interleavings of a scenario and report racy orders', help: HELP, run };
