import { describe, it, expect } from 'vitest';
import { call, profile } from '../support/calls.js';
import { editTrace, whatIf } from '../../src/timetravel/whatif.js';
import { entriesOf } from './support.js';

const DEV = '0000:6a:01.0';
const TRACE = entriesOf([
  call('iommu_probe_device', { dev: DEV, max_pasids: 1048576, group: 'g' }, 0, { tid: 1 }),
  call('iommu_domain_alloc', { type: 'paging', dev: DEV }, 'dom1', { tid: 1 }),
  call('iommu_attach_device_pasid', { domain: 'dom1', dev: DEV, pasid: 5 }, 0, { tid: 2 }),
  call('set_dev_pasid', { domain: 'dom1', dev: DEV, pasid: 5 }, 0, { parent: 3, tid: 2 }),
  call('iommu_domain_free', { domain: 'dom1' }, undefined, { tid: 1 }),
]);
const shape = (es: { record: { seq: number; fn: string; parent?: number } }[]) => es.map((e) => [e.record.seq, e.record.fn, e.record.parent ?? null]);

describe('editing a trace', () => {
  it('skipping a call removes its nested calls and renumbers 1..n', () => {
    const r = editTrace(TRACE, { skip: 3 });
    expect(r.ok && shape(r.value.entries)).toEqual([[1, 'iommu_probe_device', null], [2, 'iommu_domain_alloc', null], [3, 'iommu_domain_free', null]]);
    expect(r.ok && r.value.originalSeq.get(3)).toBe(5);
  });

  it('moving a call carries its nested calls and points their parent at the new seq', () => {
    const r = editTrace(TRACE, { move: 3, to: 5 });
    expect(r.ok && shape(r.value.entries)).toEqual([[1, 'iommu_probe_device', null], [2, 'iommu_domain_alloc', null], [3, 'iommu_domain_free', null], [4, 'iommu_attach_device_pasid', null], [5, 'set_dev_pasid', 4]]);
  });

  it('moving a call earlier past a record of its own task is refused', () => {
    const r = editTrace(TRACE, { move: 5, to: 1 });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error.code).toBe('MOVE_REORDERS_TASK');
  });

  it('moving a call among other tasks\' records only is allowed', () => {
    expect(editTrace(TRACE, { move: 3, to: 1 }).ok).toBe(true);
  });
});

describe('what if', () => {
  it('a finding that quotes a seq is the same finding after renumbering', () => {
    const trace = entriesOf([
      call('iommu_probe_device', { dev: DEV, max_pasids: 1048576, group: 'g' }, 0),
      call('iommu_domain_alloc', { type: 'paging', dev: DEV }, 'dom1'),
      call('iommu_domain_alloc', { type: 'paging', dev: DEV }, 'dom9'),
      call('iommu_attach_device_pasid', { domain: 'dom1', dev: DEV, pasid: 5 }, 0),
      call('remove_dev_pasid', { dev: DEV, pasid: 5 }, null, { parent: 4 }),
    ]);
    const r = whatIf(trace, profile('6.8.0'), { skip: 3 });
    expect(r.ok && r.value.kept).toBeGreaterThan(0);
    expect(r.ok && [r.value.gone, r.value.added]).toEqual([[], []]);
  });

  it('freeing the domain before the attach trades the free-while-attached for an attach of a freed domain', () => {
    const r = whatIf(TRACE, profile('6.8.0'), { move: 5, to: 2, force: true });
    expect(r.ok && r.value.gone.map((c) => c.finding.code)).toEqual(['DOMAIN_FREE_ATTACHED']);
    expect(r.ok && r.value.added.map((c) => c.finding.code)).toContain('ATTACH_FREED_DOMAIN');
  });

  it('moving a call to where it already is keeps every finding', () => {
    const r = whatIf(TRACE, profile('6.8.0'), { move: 3, to: 2 });
    expect(r.ok && [r.value.gone.length, r.value.added.length, r.value.kept]).toEqual([0, 0, 2]);
  });
});
