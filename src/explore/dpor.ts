/**
 * Source-DPOR with sleep sets (Abdulla, Aronis, Jonsson, Sagonas, POPL 2014, Algorithm 1). Every
 * task is enabled until it has run all its calls (a call is atomic under its lock, §B.1, and a call
 * whose condition is false is no step at all), so every race is reversible. Each Mazurkiewicz class
 * of complete executions is explored at least once; sleep sets make it at most once, at the price
 * of some sleep-set-blocked partial executions, counted as `redundant`. Dependence is between the
 * calls as they ran (their resolved arguments' footprints): a task's next call depends only on its
 * own earlier returns, so it is the same event wherever the other tasks are. A world clone is kept
 * per tree node, so backtracking re-executes nothing.
 *
 * Preemption bounding (optional): a branch that would switch away from a task with steps left more
 * than N times is not taken and the run reports the bound.
 */
import type { World } from '../../machines/kit/world.js';
import type { Collector } from './collector.js';
import { Engine, outcomeHash, type StepRun } from './run.js';
import type { Scenario } from './scenario.js';
import type { Strategy } from './scheduler.js';

export function dporStrategy(maxPreemptions?: number): Strategy {
  return { name: 'dpor', run: (s, c, engine) => dpor(s, c, engine, maxPreemptions) };
}

function dpor(s: Scenario, c: Collector, engine: Engine, maxPreemptions: number | undefined): boolean {
  const n = s.tasks.length;
  /** The execution sequence E: footprints, tasks, vector clocks and runs. */
  const fpAt: number[] = [];
  const taskAt: number[] = [];
  const clock: Int32Array[] = [];
  const runs: StepRun[] = [];
  const backtrack: Set<number>[] = [];
  let stopped = false;
  const dep = (a: number, b: number) => engine.dependent(a, b);
  const { world: w0, setup } = engine.begin();

  /** E[i] happens before E[j] (i < j). */
  const hb = (i: number, j: number) => i <= clock[j][taskAt[i]];

  /** For every race of an earlier event with next_E(p), make sure a reversal is scheduled. */
  const addBacktracks = (k: number, p: number, fpP: number): void => {
    const D: number[] = [];
    for (let j = 0; j < k; j++) if (taskAt[j] === p || dep(fpAt[j], fpP)) D.push(j);
    for (const i of D) {
      if (taskAt[i] === p) continue;
      // e ⋖ next(p): no other event between them in happens-before.
      if (D.some((j) => j > i && hb(i, j))) continue;
      const u: number[] = [];
      for (let j = i + 1; j < k; j++) if (!hb(i, j)) u.push(j);
      const uFps = [...u.map((j) => fpAt[j]), fpP];
      const uTasks = [...u.map((j) => taskAt[j]), p];
      const initials = new Set<number>();
      uFps.forEach((a, x) => {
        for (let y = 0; y < x; y++) if (uTasks[y] === uTasks[x] || dep(uFps[y], a)) return;
        initials.add(uTasks[x]);
      });
      const bt = backtrack[i];
      if (![...initials].some((q) => bt.has(q))) bt.add(uTasks.find((q) => initials.has(q)) as number);
    }
  };

  const explore = (k: number, w: World, sleepIn: Set<number>, preempted: number): void => {
    if (stopped || (stopped = c.shouldStop())) return;
    const enabled: number[] = [];
    for (let t = 0; t < n; t++) if (engine.enabled(t)) enabled.push(t);
    if (enabled.length === 0) {
      const { teardown, end } = engine.finish(w);
      c.complete(engine, { tasks: taskAt.slice(0, k), setup, runs: runs.slice(0, k), teardown, end, hash: outcomeHash(s, engine, w) });
      if (engine.symmetric && engine.breaker !== null) stopped = true;
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
      const cost = last >= 0 && p !== last && engine.enabled(last) ? 1 : 0;
      if (maxPreemptions !== undefined && preempted + cost > maxPreemptions) {
        c.hit('preemptions');
        continue;
      }
      const fpP = engine.next(p).fp;
      addBacktracks(k, p, fpP);
      const sleepNext = new Set<number>();
      for (const q of sleep) if (!dep(engine.next(q).fp, fpP)) sleepNext.add(q);
      const w2 = w.clone();
      const vc = new Int32Array(n).fill(-1);
      for (let j = 0; j < k; j++) {
        if (taskAt[j] !== p && !dep(fpAt[j], fpP)) continue;
        const cj = clock[j];
        for (let t = 0; t < n; t++) if (cj[t] > vc[t]) vc[t] = cj[t];
      }
      vc[p] = k;
      fpAt[k] = fpP;
      taskAt[k] = p;
      clock[k] = vc;
      const cursor = engine.cursors[p];
      runs[k] = engine.step(w2, p);
      if (engine.symmetric && engine.breaker !== null) {
        stopped = true;
        return;
      }
      explore(k + 1, w2, sleepNext, preempted + cost);
      engine.cursors[p] = cursor;
      sleep.add(p);
    }
  };

  explore(0, w0, new Set(), 0);
  return !stopped && !c.bounds.has('preemptions');
}
