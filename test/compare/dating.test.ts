import { describe, expect, it } from 'vitest';
import { call } from '../support/calls.js';
import { comparison } from './support.js';

const alloc = call('ioasid_alloc', { set: null, min: 1, max: 100, private: null }, 1);
const free = call('ioasid_free', { ioasid: 1 });

describe('dating a difference at its first boundary', () => {
  it('a call that comes and goes (ioasid_free: gone in 5.11, back in 5.18, gone in 6.4) is dated where it first goes', () => {
    // Given a trace that frees an IOASID, when 5.10 is compared with 6.8 (ioasid_free is missing on both 5.11 and 6.8),
    // then the missing call is dated at v5.11, not at v6.4.
    const d = comparison('5.10.0', '6.8.0', [alloc, free]).differences.find((x) => x.cause === 'call' && x.fn === 'ioasid_free');
    expect(d?.blame.boundary).toBe('5.11');
  });

  it('going down from 6.8 to 5.10 the same call first appears at 6.4 (from above)', () => {
    const d = comparison('6.8.0', '5.10.0', [alloc, free]).differences.find((x) => x.cause === 'call' && x.fn === 'ioasid_free');
    expect(d?.blame.boundary).toBe('6.4');
  });

  it('the kernels between the two are replayed on the trace\'s host: an SMMUv3 bind is dated at v5.11, not at Intel\'s v5.8', () => {
    // Given an SMMUv3 host (header host.iommu), when 5.5 is compared with 6.8, then the bind that
    // starts succeeding is dated where SMMUv3 gained sva_bind (32784a9562fb), not where Intel did.
    const calls = [call('iommu_probe_device', { dev: '0000:6a:01.0', max_pasids: 32 }), call('iommu_sva_bind_device', { dev: '0000:6a:01.0', mm: 'mm@1' }, 'sva1')];
    const d = comparison('5.5.0', '6.8.0', calls, { iommu: 'arm-smmu-v3' }).differences.find((x) => x.cause === 'return');
    expect(d?.blame.boundary).toBe('5.11');
  });

  it('near miss: with no vendor in the header the same bind is dated at v5.8 (Intel, the only sva_bind driver then)', () => {
    const calls = [call('iommu_probe_device', { dev: '0000:6a:01.0', max_pasids: 32 }), call('iommu_sva_bind_device', { dev: '0000:6a:01.0', mm: 'mm@1' }, 'sva1')];
    const d = comparison('5.5.0', '6.8.0', calls).differences.find((x) => x.cause === 'return');
    expect(d?.blame.boundary).toBe('5.8');
  });

  it('near miss: from 5.18, where ioasid_free exists again, to 6.8 it is dated at 6.4', () => {
    const d = comparison('5.18.0', '6.8.0', [alloc, free]).differences.find((x) => x.cause === 'call' && x.fn === 'ioasid_free');
    expect(d?.blame.boundary).toBe('6.4');
  });

  it('counts one replay per distinct set of rules, however many differences are dated', () => {
    const pair = comparison('5.10.0', '6.8.0', [alloc, free]);
    // Nine boundaries lie between 5.10 and 6.8 (5.18-rc6 and 6.8-rc6 included); the call differences need no replay to date.
    expect(pair.boundaries).toHaveLength(9);
    expect(pair.summary.replays).toBeLessThanOrEqual(pair.boundaries.length + 1 + pair.boundaries.reduce((n, b) => n + b.changes.length, 0));
  });
});
