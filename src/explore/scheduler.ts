/**
 * The strategy seam (shuttle/loom style): a Scheduler picks which enabled task runs the next step
 * of one execution; `runScheduled` drives executions with it. DPOR and the exhaustive DFS search a
 * tree instead and implement `Strategy` directly. Pure.
 */
import type { Collector } from './collector.js';
import { Engine, outcomeHash, runOnce } from './run.js';
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
  run(s: Scenario, c: Collector, engine: Engine): boolean;
}

/** Executions driven by a scheduler until it stops or a bound is hit. */
export function runScheduled(s: Scenario, c: Collector, scheduler: Scheduler, engine: Engine): void {
  for (let n = 0; !c.shouldStop() && scheduler.beginExecution(n); n++) {
    const x = runOnce(s, (e, h) => scheduler.choose(e, h), engine);
    c.complete(engine, { ...x, hash: outcomeHash(s, engine, x.world) });
  }
}
