/**
 * The race explorer's entry point (and the bench hook): explore the interleavings of a scenario's
 * tasks with a strategy, under explicit bounds, and report executions, the brute-force count,
 * distinct outcomes, the verdict and, per finding code, in how many executions it appears, whether
 * in every one, and the shortest schedule that raises it with its emitted trace. Value symmetry
 * (docs/explore.md) is used by dpor when its plan applies; if some execution breaks its premise,
 * the search starts again without it. Pure: a time bound needs the caller's clock (`now`).
 */
import type { CallRecord } from '../../events/records.js';
import type { Profile } from '../../machines/profile.js';
import { Collector, type Bound, type Outcome } from './collector.js';
import { dfsStrategy } from './dfs.js';
import { dporStrategy } from './dpor.js';
import { emitRecords } from './emit.js';
import { pctStrategy } from './pct.js';
import { randomStrategy } from './random.js';
import { replayStrategy } from './replay.js';
import { Engine } from './run.js';
import { buildScenario, interleavings, type Scenario } from './scenario.js';
import { formatSchedule } from './schedule.js';
import type { Strategy } from './scheduler.js';

export type StrategyName = 'dpor' | 'dfs' | 'random' | 'pct' | 'replay';
export type Verdict = 'ok' | 'violation' | 'unknown';

export interface ExploreOptions {
  readonly strategy?: StrategyName;
  readonly maxExecutions?: number;
  /** Preemption bound (dpor). */
  readonly preemptions?: number;
  /** Time bound: stop when now() >= deadline (same unit as now). */
  readonly deadline?: number;
  readonly now?: () => number;
  /** Seed of random and pct (default 1). */
  readonly seed?: number;
  /** PCT bug depth d (default 3). */
  readonly depth?: number;
  /** The schedule (task indices) of the replay strategy; a prefix is completed task by task. */
  readonly schedule?: readonly number[];
  /** Value symmetry of the global PASID IDA (dpor; default true when it applies). */
  readonly symmetry?: boolean;
  /** Also run dpor without value symmetry, under the same bounds, to count what it saved. */
  readonly measureReductions?: boolean;
}

export interface ExploreViolation {
  readonly code: string;
  readonly schedule: string;
  /** Steps in the schedule (a prefix when the code is raised before the end). */
  readonly steps: number;
  readonly atEnd: boolean;
  /** Executions that raise the code. */
  readonly executions: number;
  /** `every`: raised in every ordering (exhaustive search, every execution); `some` otherwise. */
  readonly in: 'every' | 'some';
  /** The emitted trace's records (header: `emittedHeader`). */
  readonly trace: CallRecord[];
}

export interface SymmetryReport {
  /** The plan applies to this scenario (docs/explore.md, "Value symmetry"). */
  readonly applies: boolean;
  /** It was used for the reported search. */
  readonly used: boolean;
  /** Why it does not apply, or why it was dropped. */
  readonly reason: string;
}

export interface Reductions {
  readonly interleavings: bigint;
  /** dpor executions without value symmetry (null when not measured); `cut`: bounds that stopped it. */
  readonly withoutSymmetry: { readonly executions: number; readonly redundant: number; readonly cut: readonly Bound[] } | null;
  readonly withSymmetry: { readonly executions: number; readonly redundant: number } | null;
}

export interface ExploreResult {
  readonly strategy: StrategyName;
  /** Complete executions run. */
  readonly executions: number;
  /** Sleep-set-blocked partial executions (dpor): explored, then abandoned as redundant. */
  readonly redundant: number;
  /** What a brute-force enumeration would run: the multinomial of the per-task call counts. */
  readonly interleavings: bigint;
  readonly tasks: readonly { name: string; steps: number }[];
  readonly outcomes: readonly Outcome[];
  readonly verdict: Verdict;
  /** The search was exhaustive (no bound hit, not sampling). */
  readonly exhaustive: boolean;
  /** Bounds that cut the search (non-empty ⇒ not exhaustive). */
  readonly bounds: readonly Bound[];
  readonly violations: readonly ExploreViolation[];
  readonly symmetry: SymmetryReport;
  readonly reductions: Reductions;
}

function strategyOf(o: ExploreOptions): Strategy {
  switch (o.strategy ?? 'dpor') {
    case 'dpor':
      return dporStrategy(o.preemptions);
    case 'dfs':
      return dfsStrategy;
    case 'random':
      return randomStrategy(o.seed ?? 1);
    case 'pct':
      return pctStrategy(o.seed ?? 1, o.depth ?? 3);
    case 'replay':
      return replayStrategy(o.schedule ?? []);
  }
}

function search(s: Scenario, options: ExploreOptions, symmetric: boolean): { c: Collector; exhaustive: boolean; engine: Engine } {
  const c = new Collector(s, { maxExecutions: options.maxExecutions, deadline: options.deadline, now: options.now });
  const engine = new Engine(s, symmetric);
  const exhaustive = strategyOf(options).run(s, c, engine);
  return { c, exhaustive, engine };
}

/** Explores an already built scenario. */
export function exploreBuilt(s: Scenario, options: ExploreOptions = {}): ExploreResult {
  const strategy = options.strategy ?? 'dpor';
  const want = strategy === 'dpor' && options.symmetry !== false && s.symmetry.applies;
  let symmetry: SymmetryReport = { applies: s.symmetry.applies, used: want, reason: s.symmetry.applies ? (want ? '' : strategy === 'dpor' ? 'turned off (--no-symmetry)' : `not used by ${strategy}`) : s.symmetry.reason };
  let { c, exhaustive, engine } = search(s, options, want);
  if (want && engine.breaker !== null) {
    symmetry = { applies: true, used: false, reason: `dropped: ${engine.breaker} (an ID stays known after its free, so which ID a task gets can matter)` };
    ({ c, exhaustive } = search(s, options, false));
  }
  let withoutSymmetry: Reductions['withoutSymmetry'] = null;
  if (options.measureReductions && strategy === 'dpor') {
    if (!symmetry.used) withoutSymmetry = { executions: c.executions, redundant: c.redundant, cut: [...c.bounds] };
    else {
      const plain = search(s, options, false);
      withoutSymmetry = { executions: plain.c.executions, redundant: plain.c.redundant, cut: [...plain.c.bounds] };
    }
  }
  const done = exhaustive && c.bounds.size === 0;
  const violations = [...c.violations.values()]
    .sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0))
    .map((v) => ({
      code: v.code, schedule: formatSchedule(s, v.tasks), steps: v.tasks.length, atEnd: v.atEnd, executions: v.executions,
      in: (done && v.executions === c.executions ? 'every' : 'some') as 'every' | 'some', trace: emitRecords(s, v.tasks),
    }));
  const verdict: Verdict = violations.length > 0 ? 'violation' : done ? 'ok' : 'unknown';
  return {
    strategy,
    executions: c.executions,
    redundant: c.redundant,
    interleavings: interleavings(s),
    tasks: s.tasks.map((t) => ({ name: t.name, steps: t.calls.length })),
    outcomes: [...c.outcomes.values()],
    verdict,
    exhaustive: done,
    bounds: [...c.bounds],
    violations,
    symmetry,
    reductions: {
      interleavings: interleavings(s),
      withoutSymmetry,
      withSymmetry: symmetry.used ? { executions: c.executions, redundant: c.redundant } : null,
    },
  };
}

/** The bench hook: records of a scenario (or a trace with tids) → the exploration report. */
export function exploreScenario(records: readonly CallRecord[], profile: Profile, options: ExploreOptions = {}): ExploreResult {
  return exploreBuilt(buildScenario(records, profile), options);
}
