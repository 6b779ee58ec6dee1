/**
 * The scenario reader: good files build, every bad reference is an error naming the line, the field
 * and the fix, and no input makes it throw.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseScenario } from '../../src/explore/scenarioFile.js';
import { scenarioText, type Line } from './scenarioSupport.js';

const probe: Line = { in: 'setup', fn: 'iommu_probe_device', args: { dev: 'd1', max_pasids: 32 } };
const alloc = (task: string): Line => ({ in: task, fn: 'iommu_alloc_global_pasid', args: { dev: 'd1' } });
const parse = (lines: Line[], header: object = {}) => parseScenario(scenarioText('6.6.0', lines, header), 's.jsonl');
const error = (lines: Line[]) => {
  const r = parse(lines);
  if (r.ok) throw new Error('expected an error');
  return r.error;
};

describe('scenario file', () => {
  it('sections, numbering and references: setup:k from a task, t1:k from teardown, k within the task', () => {
    const r = parse([probe, alloc('t1'), { in: 't1', fn: 'iommu_free_global_pasid', args: { pasid: { ret_of: 1 } }, if_ok: 1 }, alloc('t2'), { in: 'teardown', fn: 'iommu_free_global_pasid', args: { pasid: { ret_of: 't2:1' } }, if_ok: 't2:1' }]);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.tasks).toEqual(['t1', 't2']);
    expect(r.value.calls.map((c) => `${c.section}:${c.index}@${c.line}`)).toEqual(['setup:1@2', 't1:1@3', 't1:2@4', 't2:1@5', 'teardown:1@6']);
    expect(r.value.calls[2].refs).toEqual([{ arg: 'pasid', call: 1 }]);
    expect(r.value.calls[4].ifOk).toBe(3);
  });

  it('a ret_of to a later call (or to itself) names the line and the fix', () => {
    const e = error([probe, { in: 't1', fn: 'iommu_free_global_pasid', args: { pasid: { ret_of: 2 } } }, alloc('t1')]);
    expect(e.code).toBe('SCENARIO_REF_LATER');
    expect(e.line).toBe(3);
    expect(e.message).toContain('field "args.pasid.ret_of"');
    expect(e.message).toContain('refer to an earlier call of t1');
    expect(error([probe, { in: 't1', fn: 'iommu_free_global_pasid', args: { pasid: { ret_of: 1 } } }]).code).toBe('SCENARIO_REF_LATER');
  });

  it('a condition on a call of another task is refused with the teardown fix', () => {
    const e = error([probe, alloc('t1'), { in: 't2', fn: 'iommu_alloc_global_pasid', args: { dev: 'd1' }, if_ok: 't1:1' }]);
    expect(e.code).toBe('SCENARIO_CROSS_TASK_CONDITION');
    expect(e.line).toBe(4);
    expect(e.message).toContain('put the call in teardown');
  });

  it('a value of another task, of teardown, or of a missing call is refused', () => {
    expect(error([probe, alloc('t1'), { in: 't2', fn: 'iommu_free_global_pasid', args: { pasid: { ret_of: 't1:1' } } }]).code).toBe('SCENARIO_CROSS_TASK_REF');
    expect(error([probe, alloc('t1'), { in: 't1', fn: 'iommu_free_global_pasid', args: { pasid: { ret_of: 'setup:4' } } }]).code).toBe('SCENARIO_BAD_REF');
    expect(error([probe, alloc('t1'), { in: 't1', fn: 'iommu_free_global_pasid', args: { pasid: { ret_of: 't9:1' } } }]).code).toBe('SCENARIO_BAD_REF');
  });

  it('a ret_of that cannot give the value: void calls, a handle for a PASID (with the field hint), a field of no handle', () => {
    expect(error([probe, { in: 't1', fn: 'iommu_release_device', args: { dev: 'd1' } }, { in: 't1', fn: 'iommu_free_global_pasid', args: { pasid: { ret_of: 1 } } }]).code).toBe('SCENARIO_REF_VOID');
    const bind: Line = { in: 't1', fn: 'iommu_sva_bind_device', args: { dev: 'd1', mm: 'mm1' } };
    const kind = error([probe, bind, { in: 't1', fn: 'iommu_free_global_pasid', args: { pasid: { ret_of: 1 } } }]);
    expect(kind.code).toBe('SCENARIO_REF_KIND');
    expect(kind.message).toContain('"field": "pasid"');
    expect(error([probe, alloc('t1'), { in: 't1', fn: 'iommu_free_global_pasid', args: { pasid: { ret_of: 1, field: 'pasid' } } }]).code).toBe('SCENARIO_BAD_FIELD');
    expect(parse([probe, bind, { in: 't1', fn: 'iommu_free_global_pasid', args: { pasid: { ret_of: 1, field: 'pasid' } } }]).ok).toBe(true);
  });

  it('host pins only a custom allocator\'s answer, names only returned objects, once each; a scenario needs a task', () => {
    expect(error([probe, { in: 't1', fn: 'iommu_alloc_global_pasid', args: { dev: 'd1' }, host: 5 } as Line]).code).toBe('SCENARIO_BAD_HOST');
    expect(error([probe, { in: 't1', fn: 'iommu_alloc_global_pasid', args: { dev: 'd1' }, name: 'x' }]).code).toBe('SCENARIO_BAD_NAME');
    const dom = (n: string): Line => ({ in: 't1', fn: 'iommu_domain_alloc', args: { type: 'dma' }, name: n });
    expect(error([dom('a'), dom('a')]).code).toBe('SCENARIO_DUPLICATE_NAME');
    expect(error([probe]).code).toBe('SCENARIO_NO_TASKS');
  });

  it('a line that breaks its schema names the field', () => {
    const e = error([probe, { in: 't1', fn: 'iommu_alloc_global_pasid', args: { device: 'd1' } }]);
    expect(e.code).toBe('SCENARIO_LINE');
    expect(e.line).toBe(3);
    expect(e.field).toBeDefined();
  });

  it('never throws: random lines give a scenario or an error value (fuzz)', () => {
    const value = fc.oneof(fc.json(), fc.constant('{"in":"t1","fn":"iommu_free_global_pasid","args":{"pasid":{"ret_of":3}}}'), fc.constant('{"in":"t1","fn":"iommu_alloc_global_pasid","args":{"dev":"d"},"if_ok":"t2:1"}'));
    fc.assert(
      fc.property(fc.array(value, { maxLength: 6 }), (lines) => {
        const text = [JSON.stringify({ type: 'header', format: 'pasid-ledger-scenario', version: 1, kernel: '6.6.0' }), ...lines].join('\n');
        const r = parseScenario(text, 'f.jsonl');
        if (!r.ok) expect(r.error.message).toMatch(/^f\.jsonl(:\d+)?: /);
      }),
      { seed: 77, numRuns: 500 },
    );
  });
});
