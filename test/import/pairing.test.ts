import { describe, it, expect } from 'vitest';
import { CallPairing } from '../../src/import/pairing.js';
import type { ProbeHit } from '../../src/import/captureEvent.js';

const hit = (tid: number, symbol: string, cpu = 0): ProbeHit => ({ line: 1, offset: 0, ts: 0, cpu, tid, symbol, fields: new Map() });

describe('pairing entries with returns', () => {
  it('assigns seq at entry, so a parent has a smaller seq than its children', () => {
    const p = new CallPairing();
    const bind = p.enter('iommu_sva_bind_device', hit(1, 'iommu_sva_bind_device'));
    const attach = p.enter('iommu_attach_device_pasid', hit(1, 'iommu_attach_device_pasid'));
    expect([bind.seq, attach.seq, attach.parent]).toEqual([1, 2, 1]);
  });
  it('pairs by task, never by CPU', () => {
    const p = new CallPairing();
    const a = p.enter('ioasid_free', hit(1, 'ioasid_free', 0));
    p.enter('ioasid_free', hit(2, 'ioasid_free', 1));
    expect(p.leave(1, 'ioasid_free')).toBe(a);
  });
  it('closes the latest open call of a function on a task (a stack per task and function)', () => {
    const p = new CallPairing();
    p.enter('set_dev_pasid', hit(1, 'intel_svm_set_dev_pasid'));
    const inner = p.enter('set_dev_pasid', hit(1, 'intel_svm_set_dev_pasid'));
    expect(p.leave(1, 'intel_svm_set_dev_pasid')).toBe(inner);
  });
  it('does not nest calls of different tasks', () => {
    const p = new CallPairing();
    p.enter('iommu_sva_bind_device', hit(1, 'iommu_sva_bind_device'));
    expect(p.single(2)).toEqual({ seq: 2 });
  });
  it('finds no entry for a return on a task with nothing open', () => {
    expect(new CallPairing().leave(1, 'ioasid_free')).toBeUndefined();
  });
});
