import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import fc from 'fast-check';
import { anyTrace } from '../support/arbitraries.js';
import { call, profile } from '../support/calls.js';
import { newDecision } from '../../machines/kit/world.js';
import { projectWorld } from '../../src/projections/projectWorld.js';
import { buildIndex, factsSoFar, restoreCheckpoint, seekIndex } from '../../src/timetravel/index.js';
import { Cursor } from '../../src/timetravel/cursor.js';
import { generateTrace } from '../../src/generate/generateTrace.js';
import { entriesOf, withNested } from './support.js';

describe('cursor (seed 5150)', () => {
  beforeAll(() => fc.configureGlobal({ ...fc.readConfigureGlobal(), baseSize: 'large' }));
  afterAll(() => fc.resetConfigureGlobal());
  it('walking forward record by record passes through the positions seek gives', () => {
    fc.assert(
      fc.property(anyTrace(200), ([kernel, calls]) => {
        const entries = entriesOf(withNested(calls));
        const index = buildIndex(entries, profile(kernel), 16);
        const cursor = new Cursor(index);
        for (let t = 0; t < entries.length; t++) {
          const walked = cursor.moveTo(t).replay;
          const sought = seekIndex(index, t).replay;
          expect(projectWorld(walked.world)).toEqual(projectWorld(sought.world));
          expect(walked.findings).toEqual(sought.findings);
        }
      }),
      { seed: 5150, numRuns: 30 },
    );
  });

  it('with a kept base, moving back and forth (one record back, then to it, as history does) passes through the positions seek gives', () => {
    fc.assert(
      fc.property(anyTrace(200), fc.array(fc.nat(), { minLength: 1, maxLength: 40 }), ([kernel, calls], picks) => {
        const entries = entriesOf(withNested(calls));
        const index = buildIndex(entries, profile(kernel), 16);
        const cursor = new Cursor(index, -1, undefined, true);
        const targets = [...new Set(picks.map((p) => p % entries.length))].sort((a, b) => a - b);
        for (const t of targets.flatMap((t) => [t - 1, t, t + 2])) {
          const walked = cursor.moveTo(t);
          const sought = seekIndex(index, Math.min(t, entries.length - 1));
          expect(projectWorld(walked.replay.world)).toEqual(projectWorld(sought.replay.world));
          expect([...walked.replay.world.objects].sort()).toEqual([...sought.replay.world.objects].sort());
          expect(walked.replay.findings).toEqual(sought.replay.findings);
          expect(factsSoFar(walked)).toEqual(factsSoFar(sought));
        }
      }),
      { seed: 5151, numRuns: 40 },
    );
  });

  it('with a kept base, walking a generated trace (binds whose nested calls lend the names) as history does passes through the positions seek gives', () => {
    fc.assert(
      fc.property(fc.nat(1000), fc.array(fc.nat(), { minLength: 1, maxLength: 60 }), (seed, picks) => {
        const g = generateTrace({ records: 400, kernel: '6.8.0', seed });
        if (!g.ok) throw new Error(g.error.message);
        const entries = [...g.value.records()].map((record, i) => ({ record, line: i + 2 }));
        const index = buildIndex(entries, profile('6.8.0'), 32);
        const cursor = new Cursor(index, -1, undefined, true);
        const targets = [...new Set(picks.map((p) => p % entries.length))].sort((a, b) => a - b);
        for (const t of targets.flatMap((t) => [t - 1, t])) {
          const walked = cursor.moveTo(t);
          const sought = seekIndex(index, t);
          expect([...walked.replay.world.objects].sort()).toEqual([...sought.replay.world.objects].sort());
          expect(walked.replay.findings).toEqual(sought.replay.findings);
          expect(factsSoFar(walked)).toEqual(factsSoFar(sought));
        }
      }),
      { seed: 5152, numRuns: 15 },
    );
  });
});

describe('a copy of a restored world', () => {
  it('changes apart from the world it was copied from, and both read the checkpoint and dead log behind them', () => {
    // Given a world restored at a checkpoint whose dead log holds the freed dom1
    const entries = entriesOf([
      call('iommu_domain_alloc', { type: 'paging', dev: '0000:6a:01.0' }, 'dom1'),
      call('iommu_domain_free', { domain: 'dom1' }, null),
      call('iommu_domain_alloc', { type: 'paging', dev: '0000:6a:01.0' }, 'dom2'),
      call('iommu_domain_alloc', { type: 'paging', dev: '0000:6a:01.0' }, 'dom3'),
    ]);
    const index = buildIndex(entries, profile('6.8.0'), 2);
    const cp = index.checkpoints.find((c) => c.at === 2);
    if (cp === undefined) throw new Error('no checkpoint at 2');
    const restored = restoreCheckpoint(index.profile, index.mode, cp, index.dead, index.facts, index.findings).world;
    const before = [...restored.objects].sort();
    // When its copy frees dom2
    const copy = restored.clone();
    copy.emit(newDecision(), { type: 'DomainFreed', domain: 'dom2' });
    // Then the original is as it was, and the copy holds dom1 from the log and its own change
    expect([...restored.objects].sort()).toEqual(before);
    expect(restored.byKey('domain:dom2')?.value).not.toBe('freed');
    expect(copy.byKey('domain:dom2')?.value).toBe('freed');
    expect(copy.byKey('domain:dom1')?.value).toBe('freed');
    expect(restored.byKey('domain:dom1')?.value).toBe('freed');
  });
});
