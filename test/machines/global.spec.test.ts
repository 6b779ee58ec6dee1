/**
 * Global PASIDs (v6.6+, §5, A38–A41, §B.2.7): lowest free in [1, max_pasids - 1], the shared IDA,
 * frees without an attachment check, leaks at the end of the trace.
 */
import { describe, it, expect } from 'vitest';
import { call, codes, replayCalls } from '../support/calls.js';
import { given } from '../support/gwt.js';

const DEV = '0000:00:02.0';
const DEV2 = '0000:00:03.0';
const probe = (dev = DEV, max = 32) => call('iommu_probe_device', { dev, max_pasids: max });
const alloc = (dev = DEV) => call('iommu_alloc_global_pasid', { dev });
const free = (pasid: number | 'IOMMU_PASID_INVALID') => call('iommu_free_global_pasid', { pasid });
const domAlloc = (name: string) => call('iommu_domain_alloc', { type: 'dma' }, name);
const attach = (domain: string, pasid: number, dev = DEV) => call('iommu_attach_device_pasid', { domain, dev, pasid });
const detach = (domain: string, pasid: number, dev = DEV) => call('iommu_detach_device_pasid', { domain, dev, pasid });

describe('iommu_alloc_global_pasid (§5)', () => {
  it('hands out PASID 1 first (0 is IOMMU_NO_PASID)', () => {
    const t = given('6.6.0', probe()).when(alloc());
    expect(t.ret).toBe(1);
    expect(t.codes).toEqual([]);
  });
  it('hands out the lowest free PASID after a free', () => {
    const t = given('6.6.0', probe(), alloc(), alloc(), alloc(), free(2)).when(alloc());
    expect(t.ret).toBe(2);
  });
  it('the last PASID of the range is max_pasids - 1', () => {
    const t = given('6.6.0', probe(DEV, 4), alloc(), alloc()).when(alloc());
    expect(t.ret).toBe(3);
    expect(t.codes).toEqual([]);
  });
  it('an exhausted range returns IOMMU_PASID_INVALID (A41)', () => {
    const t = given('6.6.0', probe(DEV, 4), alloc(), alloc(), alloc()).when(alloc());
    expect(t.ret).toBe('IOMMU_PASID_INVALID');
    expect(t.codes).toEqual(['GLOBAL_PASID_EXHAUSTED']);
  });
  for (const max of [0, 1]) {
    it(`max_pasids ${max} returns IOMMU_PASID_INVALID`, () => {
      const t = given('6.6.0', probe(DEV, max)).when(alloc());
      expect(t.ret).toBe('IOMMU_PASID_INVALID');
      expect(t.codes).toEqual(['GLOBAL_PASID_EXHAUSTED']);
    });
  }
  it('the IDA is global: a device with a larger range gets the next number, not its own 1', () => {
    const t = given('6.6.0', probe(DEV, 4), probe(DEV2, 64), alloc(), alloc()).when(alloc(DEV2));
    expect(t.ret).toBe(3);
  });
  it('a small-range device is exhausted by the numbers others hold', () => {
    const t = given('6.6.0', probe(DEV, 3), probe(DEV2, 64), alloc(DEV2), alloc(DEV2)).when(alloc(DEV));
    expect(t.ret).toBe('IOMMU_PASID_INVALID');
  });
  it('SVA and drivers share the IDA: the PASID of an mm is never handed to a driver', () => {
    const t = given('6.6.0', probe(), call('iommu_sva_bind_device', { dev: DEV, mm: 'mm1' }, 'h1')).when(alloc(DEV2));
    expect(t.ret).toBe(2);
  });
  it('the call does not exist before v6.6', () => {
    expect(given('6.5.0', probe()).when(alloc()).codes).toEqual(['CALL_NOT_IN_KERNEL']);
  });
  it('a recorded return that differs from the lowest free is RET_MISMATCH', () => {
    const t = given('6.6.0', probe()).when(call('iommu_alloc_global_pasid', { dev: DEV }, 5));
    expect(t.codes).toEqual(['RET_MISMATCH']);
  });
});

describe('iommu_free_global_pasid (§5, A38–A40)', () => {
  it('free of IOMMU_PASID_INVALID WARNs (A38)', () => {
    const t = given('6.6.0', probe()).when(free('IOMMU_PASID_INVALID'));
    expect(t.codes).toEqual(['GLOBAL_PASID_FREE_INVALID']);
    expect(t.findings[0].reaction).toBe('WARN');
  });
  it('double free WARNs in ida_free (A39)', () => {
    const t = given('6.6.0', probe(), alloc(), free(1)).when(free(1));
    expect(t.codes).toEqual(['GLOBAL_PASID_DOUBLE_FREE']);
  });
  it('free of a never-allocated PASID WARNs the same way, named apart from a double free (A39, #21 B1)', () => {
    const t = given('6.7.0', probe()).when(free(3));
    expect(t.codes).toEqual(['GLOBAL_PASID_FREE_UNKNOWN']);
    expect(t.findings[0].reaction).toBe('WARN');
  });
  it('near miss: free of an allocated PASID is clean', () => {
    const t = given('6.6.0', probe(), alloc()).when(free(1));
    expect(t.codes).toEqual([]);
    expect(t.facts).toContainEqual(expect.objectContaining({ type: 'GlobalPasidFreed', pasid: 1 }));
  });
  it('free while still attached is GLOBAL_PASID_FREE_ATTACHED (A40)', () => {
    const t = given('6.6.0', probe(), alloc(), domAlloc('dom1'), attach('dom1', 1)).when(free(1));
    expect(t.codes).toEqual(['GLOBAL_PASID_FREE_ATTACHED']);
  });
  it('near miss: detach then free is the idxd order and clean (§5.1)', () => {
    const t = given('6.6.0', probe(), alloc(), domAlloc('dom1'), attach('dom1', 1), detach('dom1', 1)).when(free(1));
    expect(t.codes).toEqual([]);
  });
  it('A40/#21 B7: after the early free the number goes to another device while the old attachment is live: GLOBAL_PASID_SECOND_OWNER', () => {
    const t = given('6.6.0', probe(), probe(DEV2), alloc(), domAlloc('dom1'), attach('dom1', 1), free(1)).when(alloc(DEV2));
    expect(t.ret).toBe(1);
    expect(t.codes).toEqual(['GLOBAL_PASID_SECOND_OWNER']);
  });
  it('B7 near miss: detached before the free, the number goes to the other device cleanly', () => {
    const t = given('6.6.0', probe(), probe(DEV2), alloc(), domAlloc('dom1'), attach('dom1', 1), detach('dom1', 1), free(1)).when(alloc(DEV2));
    expect(t.ret).toBe(1);
    expect(t.codes).toEqual([]);
  });
  it('B7: the second owner attaching the number in its own group while the first attachment lives is GLOBAL_PASID_SECOND_OWNER (6.12)', () => {
    const t = given('6.12.0', probe(), probe(DEV2), alloc(), domAlloc('dom1'), domAlloc('dom2'), attach('dom1', 1), free(1), alloc(DEV2)).when(attach('dom2', 1, DEV2));
    expect(t.ret).toBe(0);
    expect(t.codes).toEqual(['GLOBAL_PASID_SECOND_OWNER']);
  });
  it('B7 near miss: once the first owner detached its stale attachment, the second owner attaches cleanly', () => {
    const t = given('6.12.0', probe(), probe(DEV2), alloc(), domAlloc('dom1'), domAlloc('dom2'), attach('dom1', 1), free(1), alloc(DEV2), detach('dom1', 1)).when(attach('dom2', 1, DEV2));
    expect(t.codes).toEqual([]);
  });
  it('A40: the re-allocated number attaches on the other device, and -EBUSY on the first (§B.2.7)', () => {
    const base = [probe(), probe(DEV2), alloc(), domAlloc('dom1'), domAlloc('dom2'), attach('dom1', 1), free(1), alloc(DEV2)];
    expect(given('6.6.0', ...base).when(attach('dom2', 1, DEV2)).ret).toBe(0);
    const busy = given('6.6.0', ...base).when(attach('dom2', 1));
    expect(busy.ret).toBe('-EBUSY');
    expect(busy.codes).toEqual(['ATTACH_BUSY']);
  });
  it('mm exit while a non-SVA domain sits on the mm PASID is A40 (the bond-less attachment)', () => {
    const t = given(
      '6.6.0',
      probe(),
      probe(DEV2),
      call('iommu_sva_bind_device', { dev: DEV, mm: 'mm1' }, 'h1'),
      call('iommu_sva_unbind_device', { handle: 'h1' }),
      domAlloc('dom1'),
      attach('dom1', 1, DEV2),
    ).when(call('mm_pasid_drop', { mm: 'mm1' }));
    expect(t.codes).toEqual(['GLOBAL_PASID_FREE_ATTACHED']);
  });
  it('near miss: mm exit with a live bond is MM_EXIT_WITH_BONDS only', () => {
    const t = given('6.6.0', probe(), call('iommu_sva_bind_device', { dev: DEV, mm: 'mm1' }, 'h1')).when(call('mm_pasid_drop', { mm: 'mm1' }));
    expect(t.codes).toEqual(['MM_EXIT_WITH_BONDS']);
  });
});

describe('who frees a global PASID (#21 B1–B3: ida_free takes no owner)', () => {
  const by = (tid: number, c: ReturnType<typeof alloc> | ReturnType<typeof free>) => ({ ...c, tid });
  it('B1: a second free of a freed PASID is GLOBAL_PASID_DOUBLE_FREE, naming who freed it', () => {
    const t = given('6.12.0', probe(), by(10, alloc()), by(10, free(1))).when(by(10, free(1)));
    expect(t.codes).toEqual(['GLOBAL_PASID_DOUBLE_FREE']);
    expect(t.findings[0].message).toContain('tid:10');
  });
  it('B1 near miss: freed, allocated again by the same holder and freed again is clean', () => {
    const t = given('6.12.0', probe(), by(10, alloc()), by(10, free(1)), by(10, alloc())).when(by(10, free(1)));
    expect(t.codes).toEqual([]);
  });
  it('B2: the earlier holder freeing the number after it was handed to a new owner is GLOBAL_PASID_STALE_FREE', () => {
    const t = given('6.12.0', probe(), probe(DEV2), by(10, alloc()), by(10, free(1)), by(20, alloc(DEV2))).when(by(10, free(1)));
    expect(t.codes).toEqual(['GLOBAL_PASID_STALE_FREE']);
    expect(t.facts).toContainEqual(expect.objectContaining({ type: 'GlobalPasidFreed', pasid: 1 }));
  });
  it('B2 near miss: the new owner freeing its own PASID is clean', () => {
    const t = given('6.12.0', probe(), probe(DEV2), by(10, alloc()), by(10, free(1)), by(20, alloc(DEV2))).when(by(20, free(1)));
    expect(t.codes).toEqual([]);
  });
  it('B2 near miss: the earlier holder\'s second free before the number is handed out again is a double free, not stale', () => {
    const t = given('6.12.0', probe(), by(10, alloc()), by(10, free(1))).when(by(10, free(1)));
    expect(t.codes).toEqual(['GLOBAL_PASID_DOUBLE_FREE']);
  });
  it('B3: a thread that holds a PASID of its own frees another owner\'s: GLOBAL_PASID_FREE_BY_OTHER, and the PASID is freed', () => {
    const t = given('6.12.0', probe(), probe(DEV2), by(10, alloc()), by(20, alloc(DEV2))).when(by(20, free(1)));
    expect(t.codes).toEqual(['GLOBAL_PASID_FREE_BY_OTHER']);
    expect(t.findings[0].message).toContain('tid:10');
    expect(t.facts).toContainEqual(expect.objectContaining({ type: 'GlobalPasidFreed', pasid: 1 }));
  });
  it('B3 near miss: a cleanup thread that never held a global PASID frees the owner\'s without a finding (the owner\'s teardown path)', () => {
    const t = given('6.12.0', probe(), probe(DEV2), by(10, alloc()), by(20, alloc(DEV2))).when(by(30, free(1)));
    expect(t.codes).toEqual([]);
  });
  it('B3 near miss: a thread that freed every PASID it held is a cleanup thread again', () => {
    const t = given('6.12.0', probe(), probe(DEV2), by(10, alloc()), by(20, alloc(DEV2)), by(20, free(2))).when(by(20, free(1)));
    expect(t.codes).toEqual([]);
  });
  it('B3 near miss: the owner frees its own PASID while holding others', () => {
    const t = given('6.12.0', probe(), by(10, alloc()), by(10, alloc())).when(by(10, free(1)));
    expect(t.codes).toEqual([]);
  });
  it('B3 near miss: a free inside another call (mm_pasid_drop) names no releaser', () => {
    const t = given('6.12.0', probe(), probe(DEV2), by(20, alloc(DEV2)), call('iommu_sva_bind_device', { dev: DEV, mm: 'mm1' }, 'h1'), call('iommu_sva_unbind_device', { handle: 'h1' })).when({
      ...call('mm_pasid_drop', { mm: 'mm1' }),
      tid: 20,
    });
    expect(t.codes).toEqual([]);
  });
});

describe('a recorded global PASID the model did not predict (#21 B8)', () => {
  it('a number the model says an mm holds is adopted and reported against that mm: GLOBAL_PASID_COLLISION, no RET_MISMATCH', () => {
    const t = given('6.12.0', probe(), probe(DEV2), call('iommu_sva_bind_device', { dev: DEV, mm: 'mm1' }, 'h1')).when(call('iommu_alloc_global_pasid', { dev: DEV2 }, 1));
    expect(t.ret).toBe(1);
    expect(t.codes).toEqual(['GLOBAL_PASID_COLLISION']);
    expect(t.findings[0].message).toContain('mm1');
  });
  it('near miss: the lowest free number is no collision', () => {
    const t = given('6.12.0', probe(), probe(DEV2), call('iommu_sva_bind_device', { dev: DEV, mm: 'mm1' }, 'h1')).when(call('iommu_alloc_global_pasid', { dev: DEV2 }, 2));
    expect(t.codes).toEqual([]);
  });
});

describe('an exhaustion shows an unknown max_pasids (#21 B11)', () => {
  const allocs = (n: number) => Array.from({ length: n }, (_, i) => call('iommu_alloc_global_pasid', { dev: DEV }, i + 1));
  it('seven allocations then IOMMU_PASID_INVALID: the exhaustion is followed (max_pasids <= 8 inferred), no RET_MISMATCH', () => {
    const t = given('6.12.0', ...allocs(7)).when(call('iommu_alloc_global_pasid', { dev: DEV }, 'IOMMU_PASID_INVALID'));
    expect(t.ret).toBe('IOMMU_PASID_INVALID');
    expect(t.codes).toEqual(['GLOBAL_PASID_EXHAUSTED']);
    expect(t.facts).toContainEqual(expect.objectContaining({ type: 'DeviceMaxPasidsInferred', dev: DEV, max_pasids: 8 }));
  });
  it('the inferred bound refuses a later attach beyond it on v6.9-rc2+ (-EINVAL)', () => {
    const t = given('6.12.0', ...allocs(7), call('iommu_alloc_global_pasid', { dev: DEV }, 'IOMMU_PASID_INVALID'), domAlloc('dom1')).when(call('iommu_attach_device_pasid', { domain: 'dom1', dev: DEV, pasid: 4000 }, '-EINVAL'));
    expect(t.ret).toBe('-EINVAL');
    expect(t.codes).toEqual(['ATTACH_PASID_OUT_OF_RANGE']);
  });
  it('near miss: a free in between makes the lowest free one the kernel must hand out, so IOMMU_PASID_INVALID is RET_MISMATCH', () => {
    const t = given('6.12.0', ...allocs(7), free(3)).when(call('iommu_alloc_global_pasid', { dev: DEV }, 'IOMMU_PASID_INVALID'));
    expect(t.codes).toEqual(['RET_MISMATCH']);
  });
  it('near miss: a device whose max_pasids the probe gave infers nothing', () => {
    const t = given('6.12.0', probe(DEV, 64), ...allocs(7)).when(call('iommu_alloc_global_pasid', { dev: DEV }, 'IOMMU_PASID_INVALID'));
    expect(t.codes).toEqual(['RET_MISMATCH']);
  });
});

describe('global PASID leaks at the end of the trace (A6)', () => {
  it('a driver PASID never freed is GLOBAL_PASID_LEAKED', () => {
    const t = given('6.6.0', probe()).when(alloc());
    expect(t.endCodes).toEqual(['GLOBAL_PASID_LEAKED']);
    expect(t.replay.findings.find((f) => f.code === 'GLOBAL_PASID_LEAKED')?.seq).toBe(2);
  });
  it('near miss: the PASID of a live mm is not a leak', () => {
    const t = given('6.6.0', probe()).when(call('iommu_sva_bind_device', { dev: DEV, mm: 'mm1' }, 'h1'));
    expect(t.endCodes).toEqual(['SVA_BOND_LEAKED']);
  });
  it('near miss: a freed PASID is not a leak', () => {
    const t = given('6.6.0', probe(), alloc()).when(free(1));
    expect(t.endCodes).toEqual([]);
  });
});

describe('a PASID handed to an exited mm (A24) in the global-PASID eras', () => {
  it('is GLOBAL_PASID_LEAKED at the end: mm_pasid_drop already ran, nobody frees it', () => {
    const r = replayCalls('6.8.0', [
      call('iommu_probe_device', { dev: '0000:00:02.0', max_pasids: 32 }, 0),
      call('mm_pasid_drop', { mm: 'mm1' }, null),
      call('iommu_sva_bind_device', { dev: '0000:00:02.0', mm: 'mm1' }, 'sva1'),
      call('iommu_sva_unbind_device', { handle: 'sva1' }, null),
    ]);
    expect(codes(r)).toEqual(['SVA_BIND_AFTER_EXIT', 'GLOBAL_PASID_LEAKED']);
  });
  it('near miss: the PASID of a live mm is not a leak', () => {
    const r = replayCalls('6.8.0', [
      call('iommu_probe_device', { dev: '0000:00:02.0', max_pasids: 32 }, 0),
      call('iommu_sva_bind_device', { dev: '0000:00:02.0', mm: 'mm1' }, 'sva1'),
      call('iommu_sva_unbind_device', { handle: 'sva1' }, null),
    ]);
    expect(codes(r)).toEqual([]);
  });
});
