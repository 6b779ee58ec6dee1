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
  it('free of a never-allocated PASID WARNs (A39)', () => {
    const t = given('6.7.0', probe()).when(free(3));
    expect(t.codes).toEqual(['GLOBAL_PASID_DOUBLE_FREE']);
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
  it('A40: after the early free the number goes to another device while the old attachment is live', () => {
    const t = given('6.6.0', probe(), probe(DEV2), alloc(), domAlloc('dom1'), attach('dom1', 1), free(1)).when(alloc(DEV2));
    expect(t.ret).toBe(1);
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
