/**
 * Exhaustive DFS: every interleaving of the tasks, a world clone at each branch point. The
 * brute-force baseline the DPOR tests compare against; use only on small scenarios. Pure.
 */
import type { World } from '../../machines/kit/world.js';
import type { Collector } from './collector.js';
import { outcomeHash, type Engine, type StepRun } from './run.js';
import type { Scenario } from './scenario.js';
import type { Strategy } from './scheduler.js';

export const dfsStrategy: Strategy = {
  name: 'dfs',
  run(s: Scenario, c: Collector, engine: Engine): boolean {
    const tasks: number[] = [];
    const runs: StepRun[] = [];
    let stopped = false;
    const { world, setup } = engine.begin();
    const visit = (w: World): void => {
      if (stopped || (stopped = c.shouldStop())) return;
      let any = false;
      for (let t = 0; t < s.tasks.length && !stopped; t++) {
        if (!engine.enabled(t)) continue;
        any = true;
        const w2 = w.clone();
        const cursor = engine.cursors[t];
        runs.push(engine.step(w2, t));
        tasks.push(t);
        visit(w2);
        engine.cursors[t] = cursor;
        tasks.pop();
        runs.pop();
      }
      if (!any) {
        const { teardown, end } = engine.finish(w);
        c.complete(engine, { tasks: [...tasks], setup, runs: [...runs], teardown, end, hash: outcomeHash(s, engine, w) });
      }
    };
    visit(world);
    return !stopped;
  },
};

/**
 * The Foata normal form of an execution under the dependence of its steps as they ran: steps grouped
 * into levels (a step's level = 1 + the highest level of an earlier dependent step), each level
 * sorted by call id. Two executions are Mazurkiewicz-equivalent iff their Foata forms are equal.
 */
export function foataKey(engine: Engine, tasks: readonly number[], runs: readonly StepRun[]): string {
  const level: number[] = [];
  runs.forEach((a, i) => {
    let l = 0;
    for (let j = 0; j < i; j++) if (tasks[j] === tasks[i] || engine.dependent(runs[j].fp, a.fp)) l = Math.max(l, level[j] + 1);
    level.push(l);
  });
  const levels: string[][] = [];
  runs.forEach((a, i) => (levels[level[i]] ??= []).push(`${a.call}:${a.fp}`));
  return levels.map((l) => l.sort().join(' ')).join(' | ');
}
