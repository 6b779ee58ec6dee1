/**
 * Random strategy: each execution picks a uniformly random enabled task at every step (seeded).
 * Sampling never proves absence, so without a violation the verdict is "unknown". Pure.
 */
import type { Collector } from './collector.js';
import { mulberry32, pick } from './rng.js';
import type { Scenario } from './scenario.js';
import type { Engine } from './run.js';
import { runScheduled, type Strategy } from './scheduler.js';

export const DEFAULT_SAMPLES = 1000;

export function randomStrategy(seed: number): Strategy {
  return {
    name: 'random',
    run(s: Scenario, c: Collector, engine: Engine): boolean {
      const rand = mulberry32(seed);
      const samples = c.limits.maxExecutions ?? DEFAULT_SAMPLES;
      runScheduled(s, c, { beginExecution: (n) => n < samples, choose: (enabled) => enabled[pick(rand, enabled.length)] }, engine);
      c.hit('sampling');
      return false;
    },
  };
}
