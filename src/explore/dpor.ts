/**
 * Source-DPOR with sleep sets (Abdulla, Aronis, Jonsson, Sagonas, POPL 2014, Algorithm 1). Every
 * task is always enabled until it has run all its steps (a call is atomic under its lock, §B.1), so
 * every race is reversible. Each Mazurkiewicz class of complete executions is explored at least
 * once; sleep sets make it at most once, at the price of some sleep-set-blocked partial
 * executions, which are counted as `redundant`. Dependence between steps is static (their
 * footprints). A world clone is kept per tree node, so backtracking re-executes nothing.
 *
 * Preemption bounding (optional): a branch that would switch away from a task with steps left more
 * than N times is not taken and the run reports the bound.
 */
import { World } from '../../machines/kit/world.js';
import type { Collector } from './collector.js';
import { endFindings, runStep, stateHash, type StepRun } from './execute.js';
import type { Scenario } from './scenario.js';
import type { Strategy } from './scheduler.js';

export function dporStrategy(maxPreemptions?: number): Strategy {
  return { name: 'dpor', run: (s, c) => dpor(s, c, maxPreemptions) };
}

function dpor(s: Scenario, c: Collector, maxPreemptions: number | undefined): boolean {
  const n = s.tasks.length;
  const dep = s.dependent;
  const pos = new Array<number>(n).fill(0);
  /** The execution sequence E: step ids, their tasks, vector clocks and runs. */
  const E: number[] = [];
  const taskAt: number[] = [];
  const clock: Int32Array[] = [];
  const runs: StepRun[] = [];
  const backtrack: Set<number>[] = [];
  let stopped = false;

  const next = (t: number): number => s.tasks[t].steps[pos[t]];
  const enabledTask = (t: number) => pos[t] < s.tasks[t].steps.length;
  /** E[i] happens before E[j] (i < j). */
  const hb = (i: number, j: number) => i <= clock[j][taskAt[i]];

  /** For every race of an earlier event with next_E(p), make sure a reversal is scheduled. */
  const addBacktracks = (k: number, p: number, stepP: number): void => {
    const D: number[] = [];
    for (let j = 0; j < k; j++) if (taskAt[j] === p || dep[E[j]][stepP]) D.push(j);
    for (const i of D) {
      if (taskAt[i] === p) continue;
      // e ⋖ next(p): no other event between them in happens-before.
      if (D.some((j) => j > i && hb(i, j))) continue;
      const u: number[] = [];
      for (let j = i + 1; j < k; j++) if (!hb(i, j)) u.push(j);
      const uSteps = [...u.map((j) => E[j]), stepP];
      const uTasks = [...u.map((j) => taskAt[j]), p];
      const initials = new Set<number>();
      uSteps.forEach((a, x) => {
        for (let y = 0; y < x; y++) if (uTasks[y] === uTasks[x] || dep[uSteps[y]][a]) return;
        initials.add(uTasks[x]);
      });
      const bt = backtrack[i];
      if (![...initials].some((q) => bt.has(q))) bt.add(uTasks.find((q) => initials.has(q)) as number);
    }
  };

  const explore = (k: number, w: World, sleepIn: Set<number>, preempted: number): void => {
    if (stopped || (stopped = c.shouldStop())) return;
    const enabled: number[] = [];
    for (let t = 0; t < n; t++) if (enabledTask(t)) enabled.push(t);
    if (enabled.length === 0) {
      c.complete(taskAt.slice(0, k), runs.slice(0, k), endFindings(w), stateHash(w));
      return;
    }
    const awake = enabled.filter((t) => !sleepIn.has(t));
    if (awake.length === 0) {
      c.redundant++;
      return;
    }
    const last = k > 0 ? taskAt[k - 1] : -1;
    backtrack[k] = new Set([awake.includes(last) ? last : awake[0]]);
    const sleep = new Set(sleepIn);
    const done = new Set<number>();
    for (;;) {
      const p = [...backtrack[k]].find((t) => !sleep.has(t) && !done.has(t));
      if (p === undefined || stopped) break;
      done.add(p);
      const cost = last >= 0 && p !== last && enabledTask(last) ? 1 : 0;
      if (maxPreemptions !== undefined && preempted + cost > maxPreemptions) {
        c.hit('preemptions');
        continue;
      }
      const stepP = next(p);
      addBacktracks(k, p, stepP);
      const sleepNext = new Set<number>();
      for (const q of sleep) if (!dep[next(q)][stepP]) sleepNext.add(q);
      const w2 = w.clone();
      const vc = new Int32Array(n).fill(-1);
      for (let j = 0; j < k; j++) {
        if (taskAt[j] !== p && !dep[E[j]][stepP]) continue;
        const cj = clock[j];
        for (let t = 0; t < n; t++) if (cj[t] > vc[t]) vc[t] = cj[t];
      }
      vc[p] = k;
      E[k] = stepP;
      taskAt[k] = p;
      clock[k] = vc;
      runs[k] = runStep(w2, s.steps[stepP]);
      pos[p]++;
      explore(k + 1, w2, sleepNext, preempted + cost);
      pos[p]--;
      sleep.add(p);
    }
  };

  explore(0, new World(s.profile), new Set(), 0);
  return !stopped && !c.bounds.has('preemptions');
}
