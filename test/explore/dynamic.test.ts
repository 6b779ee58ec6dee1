/**
 * Scenarios with set-up, teardown, conditions and references: DPOR finds exactly what brute force
 * finds, runs one execution per Mazurkiewicz class without value symmetry, value symmetry keeps the
 * outcome set, and every explored execution audited as a trace gives exactly its findings.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { exploreBuilt, type ExploreResult } from '../../src/explore/explore.js';
import { Collector } from '../../src/explore/collector.js';
import { dfsStrategy, foataKey } from '../../src/explore/dfs.js';
import { Engine, runOnce } from '../../src/explore/run.js';
import { recordsOf } from '../../src/explore/emit.js';
import { replayEntries } from '../../src/replay/replayTrace.js';
import { mulberry32, pick } from '../../src/explore/rng.js';
import { build, contendedScenario, dynamicScenario } from './scenarioSupport.js';

const SEED = 1313;

const outcomeKeys = (r: ExploreResult) => r.outcomes.map((o) => `${o.hash}|${o.codes.join(',')}`).sort();
const everyCodes = (r: ExploreResult) => r.violations.filter((v) => v.in === 'every').map((v) => v.code);

describe(`DPOR on scenarios with conditions, ret_of, setup and teardown (fast-check seed ${SEED})`, () => {
  it('finds the outcomes brute force finds, with the same codes in every ordering, one execution per Mazurkiewicz class', () => {
    let conditional = 0;
    fc.assert(
      fc.property(dynamicScenario(), (text) => {
        const s = build(text);
        const brute = exploreBuilt(s, { strategy: 'dfs' });
        const dpor = exploreBuilt(s, { symmetry: false });
        expect(outcomeKeys(dpor)).toEqual(outcomeKeys(brute));
        expect(dpor.violations.map((v) => v.code)).toEqual(brute.violations.map((v) => v.code));
        expect(everyCodes(dpor)).toEqual(everyCodes(brute));
        expect(outcomeKeys(exploreBuilt(s))).toEqual(outcomeKeys(brute));
        const classes = new Set<string>();
        const c = new Collector(s);
        const complete = c.complete.bind(c);
        c.complete = (engine, x) => {
          classes.add(foataKey(engine, x.tasks, x.runs));
          complete(engine, x);
        };
        dfsStrategy.run(s, c, new Engine(s, false));
        expect(dpor.executions).toBe(classes.size);
        if (s.calls.some((k) => k.ifOk !== undefined || k.ifFailed !== undefined)) conditional++;
      }),
      { seed: SEED, numRuns: 120 },
    );
    expect(conditional).toBeGreaterThan(40);
  });

  it('value symmetry gives the outcome set of the search without it on contended scenarios, and often saves executions', () => {
    let applied = 0;
    let saved = 0;
    fc.assert(
      fc.property(contendedScenario(), (text) => {
        const s = build(text);
        const plain = exploreBuilt(s, { symmetry: false });
        const sym = exploreBuilt(s);
        const brute = exploreBuilt(s, { strategy: 'dfs' });
        expect(outcomeKeys(sym)).toEqual(outcomeKeys(plain));
        expect(outcomeKeys(sym)).toEqual(outcomeKeys(brute));
        expect(sym.violations.map((v) => v.code)).toEqual(plain.violations.map((v) => v.code));
        expect(everyCodes(sym)).toEqual(everyCodes(plain));
        if (sym.symmetry.used) applied++;
        if (sym.executions < plain.executions) saved++;
      }),
      { seed: SEED + 1, numRuns: 150 },
    );
    expect(applied).toBeGreaterThan(20);
    expect(saved).toBeGreaterThan(10);
  });

  it('an execution audited as a trace (set-up, the schedule, teardown) gives exactly the findings the explorer saw', () => {
    fc.assert(
      fc.property(dynamicScenario(4), fc.integer(), (text, seed) => {
        const s = build(text);
        const rand = mulberry32(seed);
        const x = runOnce(s, (enabled) => enabled[pick(rand, enabled.length)]);
        const seen = [...x.setup, ...x.runs, ...x.teardown].flatMap((r) => r.findings.map((f) => f.code)).concat(x.end.map((f) => f.code)).sort();
        const records = recordsOf(s, [...x.setup, ...x.runs, ...x.teardown]);
        const audited = replayEntries(records.map((record, i) => ({ record, line: i + 2 })), s.profile).findings.map((f) => f.code).sort();
        expect(audited).toEqual(seen);
      }),
      { seed: SEED + 2, numRuns: 300 },
    );
  });
});
