/**
 * Replay of one schedule string: the given order (a prefix is allowed) from a fresh world. As a
 * Strategy, a prefix is completed by running the remaining steps task by task, so it counts as one
 * complete execution. Pure.
 */
import { World } from '../../machines/kit/world.js';
import type { Collector } from './collector.js';
import { runStep, type StepRun } from './execute.js';
import type { Scenario } from './scenario.js';
import { runScheduled, type Strategy } from './scheduler.js';

/** Runs a (possibly partial) schedule of task indices; returns each step's run and the world after. */
export function runSchedule(s: Scenario, tasks: readonly number[]): { runs: StepRun[]; steps: number[]; world: World } {
  const pos = s.tasks.map(() => 0);
  const steps = tasks.map((t) => s.tasks[t].steps[pos[t]++]);
  const world = new World(s.profile);
  const runs = steps.map((id) => runStep(world, s.steps[id]));
  return { runs, steps, world };
}

export function replayStrategy(tasks: readonly number[]): Strategy {
  return {
    name: 'replay',
    run(s: Scenario, c: Collector): boolean {
      runScheduled(s, c, {
        beginExecution: (n) => n === 0,
        choose: (enabled, history) => (history.length < tasks.length ? tasks[history.length] : enabled[0]),
      });
      // One order proves nothing about the others.
      c.hit('schedule');
      return false;
    },
  };
}
