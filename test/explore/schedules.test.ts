/**
 * Schedules and their traces: schedule strings round-trip, every emitted schedule replays through
 * the audit path to the same finding code, bounds make the verdict "unknown", the brute-force count
 * is the multinomial.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { profileFor } from '../../machines/profile.js';
import { replayEntries } from '../../src/replay/replayTrace.js';
import { buildScenario, interleavings } from '../../src/explore/scenario.js';
import { exploreBuilt } from '../../src/explore/explore.js';
import { formatSchedule, parseSchedule } from '../../src/explore/schedule.js';
import { call } from '../support/calls.js';
import { smallScenario, scenarioRecords } from './support.js';

const SEED = 9117;

describe(`emitted schedules reproduce their finding under audit (fast-check seed ${SEED})`, () => {
  it('replayEntries on the emitted records raises the violation’s code', () => {
    fc.assert(
      fc.property(smallScenario(), ([kernel, tasks]) => {
        const p = profileFor(kernel)!;
        const r = exploreBuilt(buildScenario(scenarioRecords(tasks), p), { strategy: 'dpor' });
        for (const v of r.violations) {
          const replay = replayEntries(v.trace.map((record, i) => ({ record, line: i + 2 })), p);
          const codes = replay.findings.map((f) => f.code);
          expect(codes, `${v.code} under ${v.schedule}`).toContain(v.code);
          expect(codes).not.toContain('RET_MISMATCH');
        }
      }),
      { seed: SEED, numRuns: 200 },
    );
  });
});

describe(`schedule strings (fast-check seed ${SEED})`, () => {
  it('format then parse gives back the schedule of any execution prefix', () => {
    fc.assert(
      fc.property(smallScenario(), fc.array(fc.nat(), { maxLength: 12 }), ([kernel, tasks], picks) => {
        const s = buildScenario(scenarioRecords(tasks), profileFor(kernel)!);
        const left = s.tasks.map((t) => t.calls.length);
        const schedule: number[] = [];
        for (const k of picks) {
          const enabled = left.flatMap((n, t) => (n > 0 ? [t] : []));
          if (enabled.length === 0) break;
          const t = enabled[k % enabled.length];
          left[t]--;
          schedule.push(t);
        }
        const parsed = parseSchedule(s, formatSchedule(s, schedule));
        expect(parsed.ok && parsed.value).toEqual(schedule);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('tN*K means K steps of tN', () => {
    const s = buildScenario(scenarioRecords([[call('mm_pasid_drop', { mm: 'a' }), call('mm_pasid_drop', { mm: 'b' })], [call('mm_pasid_drop', { mm: 'c' })]]), profileFor('6.8.0')!);
    const parsed = parseSchedule(s, 't1*2,t2');
    expect(parsed.ok && formatSchedule(s, parsed.value)).toBe('t1,t1,t2');
  });

  it('a task that runs out of steps or does not exist is an error naming the fix', () => {
    const s = buildScenario(scenarioRecords([[call('mm_pasid_drop', { mm: 'a' })], [call('mm_pasid_drop', { mm: 'c' })]]), profileFor('6.8.0')!);
    const tooMany = parseSchedule(s, 't1,t1');
    const unknown = parseSchedule(s, 't9');
    expect(!tooMany.ok && tooMany.error.code).toBe('BAD_SCHEDULE');
    expect(!unknown.ok && unknown.error.message).toMatch(/t1, t2/);
  });
});

describe('bounds', () => {
  const racy = () =>
    buildScenario(
      scenarioRecords([
        [call('iommu_alloc_global_pasid', { dev: 'a' }), call('iommu_alloc_global_pasid', { dev: 'a' })],
        [call('iommu_alloc_global_pasid', { dev: 'b' }), call('iommu_free_global_pasid', { pasid: 1 })],
        [call('iommu_free_global_pasid', { pasid: 2 })],
      ]),
      profileFor('6.6.0')!,
    );

  it('--max-executions cuts the search short and the verdict is unknown, never ok', () => {
    const r = exploreBuilt(racy(), { maxExecutions: 2 });
    expect(r.executions).toBe(2);
    expect(r.bounds).toContain('max-executions');
    expect(r.verdict === 'unknown' || r.verdict === 'violation').toBe(true);
  });

  it('a time bound that has passed stops before the first execution: unknown', () => {
    const r = exploreBuilt(racy(), { deadline: 0, now: () => 1 });
    expect(r.executions).toBe(0);
    expect(r.verdict).toBe('unknown');
    expect(r.bounds).toEqual(['time']);
  });

  it('a preemption bound that prunes a branch is reported', () => {
    const r = exploreBuilt(racy(), { preemptions: 0 });
    expect(r.bounds).toContain('preemptions');
    expect(r.executions).toBeGreaterThan(0);
  });

  it('random and pct sample: without a violation the verdict is unknown', () => {
    const clean = buildScenario(scenarioRecords([[call('mm_pasid_drop', { mm: 'a' })], [call('mm_pasid_drop', { mm: 'b' })]]), profileFor('6.8.0')!);
    expect(exploreBuilt(clean, { strategy: 'random', seed: 3, maxExecutions: 20 }).verdict).toBe('unknown');
    expect(exploreBuilt(clean, { strategy: 'pct', seed: 3, maxExecutions: 20 }).verdict).toBe('unknown');
    expect(exploreBuilt(clean, { strategy: 'dpor' }).verdict).toBe('ok');
  });

  it('the same seed gives the same random exploration', () => {
    const a = exploreBuilt(racy(), { strategy: 'random', seed: 42, maxExecutions: 30 });
    const b = exploreBuilt(racy(), { strategy: 'random', seed: 42, maxExecutions: 30 });
    expect(b.outcomes).toEqual(a.outcomes);
  });
});

describe('the brute-force count', () => {
  it('is the multinomial of the per-task step counts, exact beyond 2^53', () => {
    const tasks = Array.from({ length: 8 }, (_, t) => Array.from({ length: 8 }, () => call('mm_pasid_drop', { mm: `m${t}` })));
    const s = buildScenario(scenarioRecords(tasks), profileFor('6.8.0')!);
    // 64! / (8!)^8
    let f = 1n;
    for (let k = 2n; k <= 64n; k++) f *= k;
    let g = 1n;
    for (let k = 2n; k <= 8n; k++) g *= k;
    expect(interleavings(s)).toBe(f / g ** 8n);
    expect(interleavings(s) > BigInt(Number.MAX_SAFE_INTEGER)).toBe(true);
  });
});

describe('the replay strategy', () => {
  it('runs one schedule, completes a prefix task by task, and never says ok', () => {
    const s = buildScenario(scenarioRecords([[call('mm_pasid_drop', { mm: 'a' }), call('mm_pasid_drop', { mm: 'b' })], [call('mm_pasid_drop', { mm: 'c' })]]), profileFor('6.8.0')!);
    const r = exploreBuilt(s, { strategy: 'replay', schedule: [1] });
    expect(r.executions).toBe(1);
    expect(r.outcomes[0].schedule).toBe('t2,t1,t1');
    expect(r.verdict).toBe('unknown');
  });
});
