/**
 * The race explorer's entry point (and the bench hook): explore the interleavings of a scenario's
 * tasks with a strategy, under explicit bounds, and report executions, the brute-force count,
 * distinct outcomes, the verdict and, per finding code, the shortest schedule that raises it with
 * its emitted trace. Pure: a time bound needs the caller's clock (`now`).
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
}

export interface ExploreViolation {
  readonly code: string;
  readonly schedule: string;
  /** Steps in the schedule (a prefix when the code is raised before the end). */
  readonly steps: number;
  readonly atEnd: boolean;
  /** The emitted trace's records (header: `emittedHeader`). */
  readonly trace: CallRecord[];
}

export interface ExploreResult {
  readonly strategy: StrategyName;
  /** Complete executions run. */
  readonly executions: number;
  /** Sleep-set-blocked partial executions (dpor): explored, then abandoned as redundant. */
  readonly redundant: number;
  /** What a brute-force enumeration would run: the multinomial of the per-task step counts. */
  readonly interleavings: bigint;
  readonly tasks: readonly { name: string; steps: number }[];
  readonly outcomes: readonly Outcome[];
  readonly verdict: Verdict;
  /** Bounds that cut the search (non-empty ⇒ not exhaustive). */
  readonly bounds: readonly Bound[];
  readonly violations: readonly ExploreViolation[];
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

/** Explores an already built scenario. */
export function exploreBuilt(s: Scenario, options: ExploreOptions = {}): ExploreResult {
  const c = new Collector(s, { maxExecutions: options.maxExecutions, deadline: options.deadline, now: options.now });
  const exhaustive = strategyOf(options).run(s, c);
  const violations = [...c.violations.values()]
    .sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0))
    .map((v) => ({ code: v.code, schedule: formatSchedule(s, v.tasks), steps: v.tasks.length, atEnd: v.atEnd, trace: emitRecords(s, v.tasks) }));
  const verdict: Verdict = violations.length > 0 ? 'violation' : exhaustive && c.bounds.size === 0 ? 'ok' : 'unknown';
  return {
    strategy: options.strategy ?? 'dpor',
    executions: c.executions,
    redundant: c.redundant,
    interleavings: interleavings(s),
    tasks: s.tasks.map((t) => ({ name: t.name, steps: t.steps.length })),
    outcomes: [...c.outcomes.values()],
    verdict,
    bounds: [...c.bounds],
    violations,
  };
}

/** The bench hook: records of a scenario (or a trace with tids) → the exploration report. */
export function exploreScenario(records: readonly CallRecord[], profile: Profile, options: ExploreOptions = {}): ExploreResult {
  return exploreBuilt(buildScenario(records, profile), options);
}
