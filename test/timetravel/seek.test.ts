import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import fc from 'fast-check';
import { anyTrace } from '../support/arbitraries.js';
import { call, profile } from '../support/calls.js';
import { projectWorld } from '../../src/projections/projectWorld.js';
import { liveStateView } from '../../src/timetravel/live.js';
import { buildIndex, seek, seekIndex } from '../../src/timetravel/index.js';
import { cutReplay, entriesOf, restoredDeadCounts, walkedDeadCounts, withNested } from './support.js';

/** A v6.8 trace with nested driver calls, a wrong-domain detach and a leak. */
const NESTED = [
  call('iommu_probe_device', { dev: '0000:6a:01.0', max_pasids: 1048576, group: 'grp7' }, 0),
  call('iommu_domain_alloc', { type: 'paging', dev: '0000:6a:01.0' }, 'dom1'),
  call('iommu_domain_alloc', { type: 'paging', dev: '0000:6a:01.0' }, 'dom2'),
  call('iommu_attach_device_pasid', { domain: 'dom1', dev: '0000:6a:01.0', pasid: 5 }, 0),
  call('set_dev_pasid', { domain: 'dom1', dev: '0000:6a:01.0', pasid: 5 }, 0, { parent: 4 }),
  call('iommu_detach_device_pasid', { domain: 'dom2', dev: '0000:6a:01.0', pasid: 5 }, null),
  call('remove_dev_pasid', { dev: '0000:6a:01.0', pasid: 5 }, null, { parent: 6 }),
  call('iommu_attach_device_pasid', { domain: 'dom2', dev: '0000:6a:01.0', pasid: 6 }, 0),
  call('iommu_domain_free', { domain: 'dom1' }),
];

describe('seek on a hand-written trace with nested calls', () => {
  const entries = entriesOf(NESTED);
  for (const k of [1, 2, 4]) {
    it(`state at every seq equals the state of the trace cut after it (K = ${k})`, async () => {
      const index = buildIndex(entries, profile('6.8.0'), k);
      for (const e of entries) {
        const seq = e.record.seq;
        const cut = await cutReplay('6.8.0', entries, seq);
        const pos = seek(index, seq);
        if (!pos.ok) throw new Error(pos.error.message);
        expect(projectWorld(pos.value.replay.world), `seq ${seq}`).toEqual(projectWorld(cut.world));
        expect(pos.value.replay.findings, `seq ${seq}`).toEqual(cut.findings.filter((f) => !f.atEnd));
      }
    });
  }

  it('refuses a seq that is not in the trace and names the nearest ones', () => {
    const r = seek(buildIndex(entries, profile('6.8.0'), 2), 42);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toMatch(/no record has seq 42 .*nearest seqs are 9/);
  });

  it('seq 0 is the start: an empty world', () => {
    const r = seek(buildIndex(entries, profile('6.8.0'), 2), 0);
    expect(r.ok && r.value.replay.records).toBe(0);
  });
});

describe('seek equals replaying from the start (seed 4242)', () => {
  // Why: traces must be longer than the look-ahead (256) for seeks to start from a later checkpoint.
  beforeAll(() => fc.configureGlobal({ ...fc.readConfigureGlobal(), baseSize: 'xlarge' }));
  afterAll(() => fc.resetConfigureGlobal());
  it('for random traces, random K and random seqs, view and findings so far are those of the cut trace', async () => {
    await fc.assert(
      fc.asyncProperty(anyTrace(700), fc.constantFrom(1, 7, 64, 300), fc.array(fc.nat(), { minLength: 1, maxLength: 4 }), async ([kernel, calls], k, picks) => {
        const entries = entriesOf(withNested(calls));
        const index = buildIndex(entries, profile(kernel), k);
        for (const pick of picks) {
          const t = pick % entries.length;
          const cut = await cutReplay(kernel, entries, entries[t].record.seq);
          const pos = seekIndex(index, t);
          expect(projectWorld(pos.replay.world)).toEqual(projectWorld(cut.world));
          expect(pos.replay.findings).toEqual(cut.findings.filter((f) => !f.atEnd));
          expect(pos.replay.log.all()).toEqual(cut.log.all());
        }
      }),
      { seed: 4242, numRuns: 60 },
    );
  }, 60_000);

  it('for random traces and K, at every position the dead counts and the live view are those of the cut trace', async () => {
    let dead = 0;
    await fc.assert(
      fc.asyncProperty(anyTrace(700), fc.constantFrom(1, 7, 64, 300), async ([kernel, calls], k) => {
        const entries = entriesOf(withNested(calls));
        const index = buildIndex(entries, profile(kernel), k);
        for (let t = 0; t < entries.length; t++) {
          const cut = await cutReplay(kernel, entries, entries[t].record.seq);
          const world = seekIndex(index, t).replay.world;
          const expected = walkedDeadCounts(cut.world);
          expect(restoredDeadCounts(world), `record ${t}`).toEqual(expected);
          expect(liveStateView(world), `record ${t}`).toEqual(liveStateView(cut.world));
          dead += Object.values(expected).reduce((a, b) => a + b, 0);
        }
      }),
      { seed: 4245, numRuns: 12 },
    );
    // The traces had dead objects to count.
    expect(dead).toBeGreaterThan(0);
  }, 120_000);
});
