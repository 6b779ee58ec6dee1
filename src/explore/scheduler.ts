/**
 * The strategy seam (shuttle/loom style): a Scheduler picks which enabled task runs the next step
 * of one execution; `runScheduled` drives executions with it. DPOR and the exhaustive DFS search a
 * tree instead and implement `Strategy` directly. Pure.
 */
import { World } from '../../machines/kit/world.js';
import type { Collector } from './collector.js';
import { endFindings, runStep, stateHash, type StepRun } from './execute.js';
import type { Scenario } from './scenario.js';

export interface Scheduler {
  /** Called before each execution; false = no more executions. */
  beginExecution(n: number): boolean;
  /** The next task among `enabled` (task indices with steps left), given the steps run so far. */
  choose(enabled: readonly number[], history: readonly number[]): number;
}

export interface Strategy {
  readonly name: string;
  /** Explores into the collector; returns true when the search was exhaustive (nothing left out). */
  run(s: Scenario, c: Collector): boolean;
}

/** One complete execution under a scheduler; returns the task order and the runs. */
export function runOnce(s: Scenario, choose: (enabled: readonly number[], history: readonly number[]) => number): { tasks: number[]; runs: StepRun[]; world: World } {
  const w = new World(s.profile);
  const pos = s.tasks.map(() => 0);
  const tasks: number[] = [];
  const runs: StepRun[] = [];
  for (;;) {
    const enabled = s.tasks.flatMap((t, i) => (pos[i] < t.steps.length ? [i] : []));
    if (enabled.length === 0) break;
    const t = choose(enabled, tasks);
    const step = s.steps[s.tasks[t].steps[pos[t]]];
    pos[t]++;
    tasks.push(t);
    runs.push(runStep(w, step));
  }
  return { tasks, runs, world: w };
}

/** Executions driven by a scheduler until it stops or a bound is hit. */
export function runScheduled(s: Scenario, c: Collector, scheduler: Scheduler): void {
  for (let n = 0; !c.shouldStop() && scheduler.beginExecution(n); n++) {
    const { tasks, runs, world } = runOnce(s, (e, h) => scheduler.choose(e, h));
    c.complete(tasks, runs, endFindings(world), stateHash(world));
  }
}
