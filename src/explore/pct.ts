/**
 * PCT (Burckhardt, Kothari, Musuvathi, Nagarakatte, ASPLOS 2010): per execution, random distinct
 * priorities for the n tasks (d .. d+n-1) and d-1 random change points in [1, k] (k = steps); the
 * highest-priority enabled task runs; at the i-th change point the running task drops to priority
 * i (below every initial one). Finds a bug of depth d with probability ≥ 1/(n·k^(d-1)). Pure.
 */
import type { Collector } from './collector.js';
import { mulberry32, pick } from './rng.js';
import type { Scenario } from './scenario.js';
import type { Engine } from './run.js';
import { runScheduled, type Strategy } from './scheduler.js';
import { DEFAULT_SAMPLES } from './random.js';

export function pctStrategy(seed: number, depth: number): Strategy {
  return {
    name: 'pct',
    run(s: Scenario, c: Collector, engine: Engine): boolean {
      const rand = mulberry32(seed);
      const n = s.tasks.length;
      const k = Math.max(1, s.tasks.reduce((a, t) => a + t.calls.length, 0));
      const samples = c.limits.maxExecutions ?? DEFAULT_SAMPLES;
      let prio: number[] = [];
      let changes = new Map<number, number>();
      runScheduled(s, c, {
        beginExecution(run) {
          if (run >= samples) return false;
          const order = [...Array(n).keys()];
          for (let i = n - 1; i > 0; i--) {
            const j = pick(rand, i + 1);
            [order[i], order[j]] = [order[j], order[i]];
          }
          prio = new Array<number>(n);
          order.forEach((t, i) => (prio[t] = depth + i));
          changes = new Map();
          for (let i = 1; i < depth; i++) changes.set(1 + pick(rand, k), depth - i);
          return true;
        },
        choose(enabled, history) {
          let best = enabled[0];
          for (const t of enabled) if (prio[t] > prio[best]) best = t;
          const at = changes.get(history.length + 1);
          if (at !== undefined) {
            prio[best] = at;
            best = enabled[0];
            for (const t of enabled) if (prio[t] > prio[best]) best = t;
          }
          return best;
        },
      }, engine);
      c.hit('sampling');
      return false;
    },
  };
}
