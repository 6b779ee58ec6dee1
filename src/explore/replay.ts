/**
 * Replay of one schedule string: the given order (a prefix is allowed) from a fresh world after the
 * set-up calls; teardown runs when the schedule ran every task to its end. As a Strategy, a prefix
 * is completed by running the remaining steps task by task, so it counts as one complete
 * execution. Pure.
 */
import type { RawFinding } from '../../machines/kit/world.js';
import type { World } from '../../machines/kit/world.js';
import type { Collector } from './collector.js';
import { Engine, type StepRun } from './run.js';
import type { Scenario } from './scenario.js';
import { runScheduled, type Strategy } from './scheduler.js';

export interface ScheduleRun {
  readonly setup: StepRun[];
  readonly runs: StepRun[];
  /** null when the schedule is a prefix (some task has calls left): teardown has not run. */
  readonly teardown: StepRun[] | null;
  /** End-of-trace findings of the world after the last call that ran. */
  readonly end: RawFinding[];
  readonly world: World;
  readonly engine: Engine;
}

/** Runs a (possibly partial) schedule of task indices. A task with no call left in it is skipped. */
export function runSchedule(s: Scenario, tasks: readonly number[], engine = new Engine(s, false)): ScheduleRun {
  const { world, setup } = engine.begin();
  const runs: StepRun[] = [];
  for (const t of tasks) if (engine.enabled(t)) runs.push(engine.step(world, t));
  const complete = s.tasks.every((_, t) => !engine.enabled(t));
  if (!complete) return { setup, runs, teardown: null, end: engine.finishPrefix(world), world, engine };
  const { teardown, end } = engine.finish(world);
  return { setup, runs, teardown, end, world, engine };
}

export function replayStrategy(tasks: readonly number[]): Strategy {
  return {
    name: 'replay',
    run(s: Scenario, c: Collector, engine: Engine): boolean {
      runScheduled(s, c, {
        beginExecution: (n) => n === 0,
        choose: (enabled, history) => (history.length < tasks.length && enabled.includes(tasks[history.length]) ? tasks[history.length] : enabled[0]),
      }, engine);
      // One order proves nothing about the others.
      c.hit('schedule');
      return false;
    },
  };
}
