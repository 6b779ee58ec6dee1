/**
 * Exhaustive DFS: every interleaving of the tasks (the multinomial count), a world clone at each
 * branch point. The brute-force baseline the DPOR tests compare against; use only on small
 * scenarios. Pure.
 */
import { World } from '../../machines/kit/world.js';
import type { Collector } from './collector.js';
import { endFindings, runStep, stateHash, type StepRun } from './execute.js';
import type { Scenario } from './scenario.js';
import type { Strategy } from './scheduler.js';

export const dfsStrategy: Strategy = {
  name: 'dfs',
  run(s: Scenario, c: Collector): boolean {
    const pos = s.tasks.map(() => 0);
    const tasks: number[] = [];
    const runs: StepRun[] = [];
    let stopped = false;
    const visit = (w: World): void => {
      if (stopped || (stopped = c.shouldStop())) return;
      let any = false;
      for (let t = 0; t < s.tasks.length && !stopped; t++) {
        if (pos[t] >= s.tasks[t].steps.length) continue;
        any = true;
        const w2 = w.clone();
        runs.push(runStep(w2, s.steps[s.tasks[t].steps[pos[t]]]));
        tasks.push(t);
        pos[t]++;
        visit(w2);
        pos[t]--;
        tasks.pop();
        runs.pop();
      }
      if (!any) c.complete(tasks, runs, endFindings(w), stateHash(w));
    };
    visit(new World(s.profile));
    return !stopped;
  },
};

/**
 * The Foata normal form of an interleaving under the scenario's dependence: steps grouped into
 * levels (a step's level = 1 + the highest level of an earlier dependent step), each level sorted.
 * Two interleavings are Mazurkiewicz-equivalent iff their Foata forms are equal.
 */
export function foataKey(s: Scenario, tasks: readonly number[]): string {
  const pos = s.tasks.map(() => 0);
  const order = tasks.map((t) => s.tasks[t].steps[pos[t]++]);
  const level: number[] = [];
  order.forEach((a, i) => {
    let l = 0;
    for (let j = 0; j < i; j++) if (s.dependent[order[j]][a]) l = Math.max(l, level[j] + 1);
    level.push(l);
  });
  const levels: number[][] = [];
  order.forEach((a, i) => (levels[level[i]] ??= []).push(a));
  return levels.map((l) => l.sort((x, y) => x - y).join(' ')).join(' | ');
}
