/**
 * Source-DPOR against brute force on random small scenarios: the same outcomes, one complete
 * execution per Mazurkiewicz class (classes counted by Foata normal form over every interleaving),
 * and never more executions than classes plus the sleep-set-blocked ones it reports.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { profileFor } from '../../machines/profile.js';
import { buildScenario } from '../../src/explore/scenario.js';
import { exploreBuilt } from '../../src/explore/explore.js';
import { foataKey } from '../../src/explore/dfs.js';
import { Collector } from '../../src/explore/collector.js';
import { dfsStrategy } from '../../src/explore/dfs.js';
import { Engine } from '../../src/explore/run.js';
import { smallScenario, scenarioRecords } from './support.js';

const SEED = 4242;

const outcomeKeys = (r: { outcomes: readonly { hash: string; codes: readonly string[] }[] }) => r.outcomes.map((o) => `${o.hash}|${o.codes.join(',')}`).sort();

describe(`DPOR equals brute force on small scenarios (fast-check seed ${SEED})`, () => {
  it('finds exactly the outcomes of every interleaving, one execution per Mazurkiewicz class', () => {
    let reduced = 0;
    fc.assert(
      fc.property(smallScenario(), ([kernel, tasks]) => {
        const s = buildScenario(scenarioRecords(tasks), profileFor(kernel)!);
        const dpor = exploreBuilt(s, { strategy: 'dpor', symmetry: false });
        const brute = exploreBuilt(s, { strategy: 'dfs' });
        expect(brute.executions).toBe(Number(brute.interleavings));
        expect(outcomeKeys(dpor)).toEqual(outcomeKeys(brute));
        expect(outcomeKeys(exploreBuilt(s))).toEqual(outcomeKeys(brute));
        expect(dpor.verdict).toBe(brute.verdict);
        expect(new Set(dpor.violations.map((v) => v.code))).toEqual(new Set(brute.violations.map((v) => v.code)));
        // Classes by brute force: the Foata normal form of every interleaving.
        const classes = new Set<string>();
        const c = new Collector(s);
        const complete = c.complete.bind(c);
        c.complete = (engine, x) => {
          classes.add(foataKey(engine, x.tasks, x.runs));
          complete(engine, x);
        };
        dfsStrategy.run(s, c, new Engine(s, false));
        expect(dpor.executions).toBeLessThanOrEqual(classes.size);
        expect(dpor.executions).toBe(classes.size);
        expect(dpor.executions).toBeLessThanOrEqual(classes.size + dpor.redundant);
        if (dpor.executions < brute.executions) reduced++;
      }),
      { seed: SEED, numRuns: 300 },
    );
    expect(reduced).toBeGreaterThan(30);
  });

  it('the shortest schedule DPOR reports for a code is as short as the shortest over every interleaving', () => {
    fc.assert(
      fc.property(smallScenario(), ([kernel, tasks]) => {
        const s = buildScenario(scenarioRecords(tasks), profileFor(kernel)!);
        const dpor = exploreBuilt(s, { strategy: 'dpor' });
        const brute = new Map(exploreBuilt(s, { strategy: 'dfs' }).violations.map((v) => [v.code, v.steps]));
        for (const v of dpor.violations) expect(v.steps).toBe(brute.get(v.code));
      }),
      { seed: SEED + 1, numRuns: 150 },
    );
  });
});
