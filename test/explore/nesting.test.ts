/**
 * Steps: a top-level call and the records nested in it are one atomic step that moves as a whole;
 * the emitted trace keeps them together with their parent links renumbered.
 */
import { describe, expect, it } from 'vitest';
import type { CallRecord } from '../../events/records.js';
import { profileFor } from '../../machines/profile.js';
import { buildScenario } from '../../src/explore/scenario.js';
import { exploreBuilt } from '../../src/explore/explore.js';
import { emitRecords } from '../../src/explore/emit.js';
import { parseSchedule } from '../../src/explore/schedule.js';
import { replayEntries } from '../../src/replay/replayTrace.js';

const rec = (seq: number, tid: number, fn: string, args: object, extra: object = {}) => ({ seq, ts: seq, cpu: tid, tid, fn, args, ...extra }) as CallRecord;

const SCENARIO: CallRecord[] = [
  rec(1, 1, 'iommu_probe_device', { dev: 'a', max_pasids: 64 }),
  rec(2, 1, 'iommu_sva_bind_device', { dev: 'a', mm: 'mm1' }, { ret: 'hA' }),
  rec(3, 1, 'iommu_sva_domain_alloc', { dev: 'a', mm: 'mm1' }, { parent: 2, ret: 'svadomA' }),
  rec(4, 1, 'iommu_attach_device_pasid', { domain: 'svadomA', dev: 'a', pasid: 1 }, { parent: 2, ret: 0 }),
  rec(5, 2, 'mm_pasid_drop', { mm: 'mm1' }),
];

describe('nested records', () => {
  it('move with their parent: one step per top-level call', () => {
    const s = buildScenario(SCENARIO, profileFor('6.8.0')!);
    expect(s.tasks.map((t) => t.calls.length)).toEqual([2, 1]);
    expect(s.calls[1].descendants.map((d) => d.seq)).toEqual([3, 4]);
    expect(exploreBuilt(s).interleavings).toBe(3n);
  });

  it('are emitted right after their parent with renumbered seq and parent, and audit checks them silently', () => {
    const p = profileFor('6.8.0')!;
    const s = buildScenario(SCENARIO, p);
    const schedule = parseSchedule(s, 't2,t1,t1');
    if (!schedule.ok) throw new Error(schedule.error.message);
    const out = emitRecords(s, schedule.value);
    expect(out.map((r) => [r.seq, r.fn, r.parent])).toEqual([
      [1, 'mm_pasid_drop', undefined],
      [2, 'iommu_probe_device', undefined],
      [3, 'iommu_sva_bind_device', undefined],
      [4, 'iommu_sva_domain_alloc', 3],
      [5, 'iommu_attach_device_pasid', 3],
    ]);
    const codes = replayEntries(out.map((record, i) => ({ record, line: i + 2 })), p).findings.map((f) => f.code);
    expect(codes.filter((c) => c.startsWith('NESTED_') || c === 'RET_MISMATCH')).toEqual([]);
  });

  it('the domain the capture named keeps its name in every order', () => {
    const s = buildScenario(SCENARIO, profileFor('6.8.0')!);
    const r = exploreBuilt(s);
    for (const v of r.violations) expect(JSON.stringify(v.trace)).toContain('svadomA');
  });
});

describe('scale', () => {
  it('4 tasks × 4 calls on private devices, domains and PASIDs: one execution of 63,063,000 interleavings', () => {
    const records: CallRecord[] = [];
    let seq = 0;
    for (let t = 1; t <= 4; t++) {
      const dev = `0000:6a:0${t}.0`;
      records.push(rec(++seq, t, 'iommu_probe_device', { dev, max_pasids: 32768 }));
      records.push(rec(++seq, t, 'iommu_domain_alloc', { type: 'dma', dev }, { ret: `dma${t}` }));
      records.push(rec(++seq, t, 'iommu_attach_device_pasid', { domain: `dma${t}`, dev, pasid: t }));
      records.push(rec(++seq, t, 'iommu_detach_device_pasid', { domain: `dma${t}`, dev, pasid: t }));
    }
    const r = exploreBuilt(buildScenario(records, profileFor('6.8.0')!));
    expect(r.interleavings).toBe(63_063_000n);
    expect(r.executions).toBe(1);
    expect(r.verdict).toBe('ok');
  });
});
