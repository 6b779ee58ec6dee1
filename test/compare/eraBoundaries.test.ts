import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { BOUNDARIES, boundaryName, sameProfile, segmentStart, versionKernel } from '../../src/compare/boundaries.js';
import { parseKernelVersion } from '../../machines/kit/version.js';
import { call, type CallSpec } from '../support/calls.js';
import { across, comparison } from './support.js';
import type { Entry } from '../../src/replay/replayTrace.js';
import type { CallRecord } from '../../events/records.js';
import { comparePair, RunCache } from '../../src/compare/compare.js';
import { kernel } from './support.js';

const A = '0000:6a:01.0';
const B = '0000:6a:02.0';
const probe = (dev: string, max_pasids = 32, group?: string) => call('iommu_probe_device', { dev, max_pasids, ...(group === undefined ? {} : { group }) });
const bind = (dev: string, mm: string, handle: string) => call('iommu_sva_bind_device', { dev, mm }, handle);
const unmanaged = (name: string) => call('iommu_domain_alloc', { type: 'unmanaged', dev: A }, name);
const attach = (domain: string, pasid: number) => call('iommu_attach_device_pasid', { domain, dev: A, pasid });

interface Case {
  readonly name: string;
  readonly boundary: string;
  readonly before: string;
  readonly after: string;
  readonly calls: readonly CallSpec[];
  /** `cause seq fn-or-finding ← boundary responsible` per difference (support.ts `across`). */
  readonly differences: readonly string[];
}

// Each trace exercises one rule of one boundary; its comparison across the boundary lists exactly
// the differences that rule makes, all tied to that boundary and that flag (or call range).
const CASES: readonly Case[] = [
  {
    name: 'the VT-d vcmd allocator appears (register_pasid_allocator exists)',
    boundary: '5.8', before: '5.7.0', after: '5.8.0',
    calls: [call('register_pasid_allocator', { iommu: 'dmar0', cap_caching_mode: true, ecap_smts: true, vccap_pasid: true })],
    differences: ['call seq 1 register_pasid_allocator ← 5.8 vcmdAllocator+register_pasid_allocator'],
  },
  {
    name: 'SVA bind needs a singleton group',
    boundary: '5.11', before: '5.10.0', after: '5.11.0',
    calls: [probe(A, 32, 'g1'), probe(B, 32, 'g1'), bind(A, 'mm@1', 'sva1')],
    differences: [
      'return seq 3 iommu_sva_bind_device ← 5.11 svaSingletonGroup',
      'state seq 3 iommu_sva_bind_device ← 5.11 svaSingletonGroup',
      'nested seq 3 iommu_sva_bind_device ← 5.11 svaSingletonGroup',
      'finding seq 3 SVA_BIND_GROUP_NOT_SINGLETON appears ← 5.11 svaSingletonGroup',
      'finding seq 3 end SVA_BOND_LEAKED vanishes ← 5.11 svaSingletonGroup',
    ],
  },
  {
    name: 'the IOASID refcount: ioasid_get exists',
    boundary: '5.11', before: '5.10.0', after: '5.11.0',
    calls: [call('ioasid_alloc', { set: null, min: 1, max: 100, private: null }, 1), call('ioasid_get', { ioasid: 1 })],
    differences: ['call seq 2 ioasid_get ← 5.11 ioasidRefcount+ioasid_get'],
  },
  {
    name: 'the SVA PASID lives until mm exit, not until the last unbind',
    boundary: '5.18', before: '5.17.0', after: '5.18.0',
    calls: [probe(A), bind(A, 'mm@1', 'sva1'), call('iommu_sva_unbind_device', { handle: 'sva1' })],
    differences: [
      'state seq 3 iommu_sva_unbind_device ← 5.18 svaPasidUntilMmExit',
      'nested seq 3 iommu_sva_unbind_device ← 5.18 svaPasidUntilMmExit',
    ],
  },
  {
    name: 'bind on a device without PASIDs fails -EOPNOTSUPP',
    boundary: '6.2', before: '6.1.0', after: '6.2.0',
    calls: [probe(A, 0), bind(A, 'mm@1', 'sva1')],
    differences: [
      'return seq 2 iommu_sva_bind_device ← 6.2 svaZeroMaxPasidsEopnotsupp',
      'finding seq 2 SVA_BIND_BAD_RANGE vanishes ← 6.2 svaZeroMaxPasidsEopnotsupp',
      'finding seq 2 SVA_BIND_NO_PASID_SUPPORT appears ← 6.2 svaZeroMaxPasidsEopnotsupp',
    ],
  },
  {
    name: 'SVA domains: iommu_attach_device_pasid exists',
    boundary: '6.2', before: '6.1.0', after: '6.2.0',
    calls: [probe(A), unmanaged('dom1'), attach('dom1', 1)],
    differences: [
      'call seq 3 iommu_attach_device_pasid ← 6.2 svaDomains+iommu_attach_device_pasid',
      'finding seq 3 end ATTACH_LEAKED appears ← 6.2 svaDomains+iommu_attach_device_pasid',
    ],
  },
  {
    name: 'ioasid.c is gone and the -EOVERFLOW off-by-one is fixed',
    boundary: '6.4', before: '6.3.0', after: '6.4.0',
    calls: [probe(A), probe(B, 2), bind(A, 'mm@1', 'sva1'), bind(B, 'mm@1', 'sva2')],
    differences: [
      'state seq 3 iommu_sva_bind_device ← 6.4 ioasid',
      'nested seq 3 iommu_sva_bind_device ← 6.4 ioasid',
      'return seq 4 iommu_sva_bind_device ← 6.4 svaOverflowOffByOne',
      'state seq 4 iommu_sva_bind_device ← 6.4 svaOverflowOffByOne',
      'nested seq 4 iommu_sva_bind_device ← 6.4 svaOverflowOffByOne',
      'finding seq 4 SVA_BIND_PASID_OUT_OF_RANGE vanishes ← 6.4 svaOverflowOffByOne',
      'finding seq 4 end SVA_BOND_LEAKED appears ← 6.4 svaOverflowOffByOne',
    ],
  },
  {
    name: 'global PASIDs: iommu_alloc_global_pasid exists',
    boundary: '6.6', before: '6.5.0', after: '6.6.0',
    calls: [probe(A), call('iommu_alloc_global_pasid', { dev: A })],
    differences: [
      'call seq 2 iommu_alloc_global_pasid ← 6.6 globalPasids+iommu_alloc_global_pasid',
      'finding seq 2 end GLOBAL_PASID_LEAKED appears ← 6.6 globalPasids+iommu_alloc_global_pasid',
    ],
  },
  {
    name: 'bind on a device without PASIDs fails in the global allocator instead',
    boundary: '6.6', before: '6.5.0', after: '6.6.0',
    calls: [probe(A, 0), bind(A, 'mm@1', 'sva1')],
    differences: [
      'return seq 2 iommu_sva_bind_device ← 6.6 svaZeroMaxPasidsEopnotsupp',
      'nested seq 2 iommu_sva_bind_device ← 6.6 svaZeroMaxPasidsEopnotsupp+globalPasids+iommu_alloc_global_pasid+iommu_free_global_pasid',
      'finding seq 2 SVA_BIND_NO_PASID_SUPPORT vanishes ← 6.6 svaZeroMaxPasidsEopnotsupp',
      'finding seq 2 GLOBAL_PASID_EXHAUSTED appears ← 6.6 svaZeroMaxPasidsEopnotsupp+globalPasids+iommu_alloc_global_pasid+iommu_free_global_pasid',
    ],
  },
  {
    name: 'one SVA domain per mm, shared by the devices',
    boundary: '6.8', before: '6.7.0', after: '6.8-rc1',
    calls: [probe(A), probe(B), bind(A, 'mm@1', 'sva1'), bind(B, 'mm@1', 'sva2')],
    differences: [
      'state seq 4 iommu_sva_bind_device ← 6.8 svaDomainPerMm',
      'nested seq 4 iommu_sva_bind_device ← 6.8 svaDomainPerMm',
    ],
  },
  {
    name: 'a second bind of the same device and mm shares the handle again',
    boundary: '6.8-rc6', before: '6.8-rc5', after: '6.8-rc6',
    calls: [probe(A), bind(A, 'mm@1', 'sva1'), bind(A, 'mm@1', 'sva1')],
    differences: [
      'return seq 3 iommu_sva_bind_device ← 6.8-rc6 svaHandleRefcount',
      'state seq 3 iommu_sva_bind_device ← 6.8-rc6 svaHandleRefcount',
      'nested seq 3 iommu_sva_bind_device ← 6.8-rc6 svaHandleRefcount',
      'finding seq 3 SVA_BIND_TWICE_BUSY vanishes ← 6.8-rc6 svaHandleRefcount',
    ],
  },
  {
    name: 'attach refuses PASID 0',
    boundary: '6.9', before: '6.8.0', after: '6.9.0',
    calls: [probe(A), unmanaged('dom1'), attach('dom1', 0)],
    differences: [
      'return seq 3 iommu_attach_device_pasid ← 6.9 attachChecksPasidZero',
      'state seq 3 iommu_attach_device_pasid ← 6.9 attachChecksPasidZero',
      'nested seq 3 iommu_attach_device_pasid ← 6.9 attachChecksPasidZero',
      'finding seq 3 ATTACH_PASID_ZERO reaction ← 6.9 attachChecksPasidZero',
      'finding seq 3 end ATTACH_LEAKED vanishes ← 6.9 attachChecksPasidZero',
    ],
  },
  {
    name: 'attach refuses a PASID beyond max_pasids',
    boundary: '6.9', before: '6.8.0', after: '6.9.0',
    calls: [probe(A), unmanaged('dom1'), attach('dom1', 40)],
    differences: [
      'return seq 3 iommu_attach_device_pasid ← 6.9 attachChecksMaxPasids',
      'state seq 3 iommu_attach_device_pasid ← 6.9 attachChecksMaxPasids',
      'nested seq 3 iommu_attach_device_pasid ← 6.9 attachChecksMaxPasids',
      'finding seq 3 ATTACH_PASID_OUT_OF_RANGE reaction ← 6.9 attachChecksMaxPasids',
      'finding seq 3 end ATTACH_LEAKED vanishes ← 6.9 attachChecksMaxPasids',
    ],
  },
  {
    name: 'remove_dev_pasid is given the domain',
    boundary: '6.10', before: '6.9.0', after: '6.10.0',
    calls: [probe(A), unmanaged('dom1'), attach('dom1', 1), call('iommu_detach_device_pasid', { domain: 'dom1', dev: A, pasid: 1 })],
    differences: ['nested seq 4 iommu_detach_device_pasid ← 6.10 removeDevPasidGetsDomain'],
  },
  {
    name: 'a detach of an empty PASID no longer WARNs',
    boundary: '6.11', before: '6.10.0', after: '6.11.0',
    calls: [probe(A), unmanaged('dom1'), call('iommu_detach_device_pasid', { domain: 'dom1', dev: A, pasid: 1 })],
    differences: ['finding seq 3 DETACH_NOT_ATTACHED reaction ← 6.11 detachWarnsOnMismatch'],
  },
  {
    name: 'attach handles: a bind through another device of the group joins its bond',
    boundary: '6.11', before: '6.10.0', after: '6.11.0',
    calls: [probe(A, 32, 'g1'), probe(B, 32, 'g1'), bind(A, 'mm@1', 'sva1'), bind(B, 'mm@1', 'sva2')],
    differences: [
      'return seq 4 iommu_sva_bind_device ← 6.11 attachHandles',
      'state seq 4 iommu_sva_bind_device ← 6.11 attachHandles',
      'nested seq 4 iommu_sva_bind_device ← 6.11 attachHandles',
      'finding seq 4 SVA_BIND_SLOT_BUSY vanishes ← 6.11 attachHandles',
    ],
  },
  {
    name: 'iommu_replace_device_pasid exists',
    boundary: '6.15', before: '6.14.0', after: '6.15.0',
    calls: [probe(A), unmanaged('dom1'), unmanaged('dom2'), attach('dom1', 1), call('iommu_replace_device_pasid', { domain: 'dom2', dev: A, pasid: 1 })],
    differences: ['call seq 5 iommu_replace_device_pasid ← 6.15 replace+iommu_replace_device_pasid'],
  },
  {
    name: 'a PCI reset blocks attach: pci_dev_reset_iommu_prepare exists',
    boundary: '7.0', before: '6.19.0', after: '7.0.0',
    calls: [probe(A), call('pci_dev_reset_iommu_prepare', { dev: A })],
    differences: ['call seq 2 pci_dev_reset_iommu_prepare ← 7.0 resetBlocksAttach+pci_dev_reset_iommu_prepare'],
  },
];

describe('compare across each era boundary', () => {
  it('has a trace for every boundary of the era table', () => {
    expect([...new Set(CASES.map((c) => c.boundary))]).toEqual(BOUNDARIES.map(boundaryName));
  });

  for (const c of CASES) {
    it(`v${c.boundary}: ${c.name}`, () => {
      // Given the trace, when compared from the kernel before the boundary to the one at it,
      // then exactly the differences of that rule show, each tied to that boundary.
      expect(across(c.before, c.after, c.calls)).toEqual(c.differences);
    });

    it(`v${c.boundary}: ${c.name} — the same differences going back down`, () => {
      const down = comparison(c.after, c.before, c.calls).differences;
      expect(down.map((d) => `${d.cause} ${d.seq}`)).toEqual(comparison(c.before, c.after, c.calls).differences.map((d) => `${d.cause} ${d.seq}`));
      expect(new Set(down.map((d) => d.blame.boundary))).toEqual(new Set([c.boundary]));
    });

    it(`v${c.boundary}: ${c.name} — found again when the pair spans every era`, () => {
      const wide = comparison('5.5.0', '6.20.0', c.calls).differences;
      // A difference between the oldest and newest kernel that this rule makes is dated at its boundary.
      for (const d of comparison(c.before, c.after, c.calls).differences) {
        const again = wide.find((w) => w.cause === d.cause && w.seq === d.seq && w.subject === d.subject && w.atEnd === d.atEnd);
        if (again !== undefined && again.from === d.from && again.to === d.to) expect(again.blame.boundary).toBe(c.boundary);
      }
    });
  }
});

/** Every segment of the era table: its first kernel and its last release before the next boundary. */
function segmentPairs(): [string, string][] {
  const starts = [{ major: 5, minor: 5, rc: null }, ...BOUNDARIES];
  return starts.map((s, i) => {
    const next = BOUNDARIES[i] ?? null;
    const first = versionKernel(s);
    if (next === null) return [first, '6.30.0'];
    // The last version before `next`: the release before it, or its previous release candidate.
    const last = next.rc !== null && next.rc > 1 ? `${next.major}.${next.minor}.0-rc${next.rc - 1}` : next.minor > 0 ? `${next.major}.${next.minor - 1}.9` : `${next.major - 1}.19.0`;
    return [first, last];
  });
}

const sampleEntries = (file: string): Entry[] => {
  const lines = readFileSync(new URL(`../../samples/${file}`, import.meta.url), 'utf8').split('\n').filter((l) => l.trim() !== '');
  return lines.slice(1).map((l, i) => ({ record: JSON.parse(l) as CallRecord, line: i + 2 }));
};

describe('compare within one era segment', () => {
  const samples = readdirSync(new URL('../../samples/', import.meta.url)).filter((f) => f.endsWith('.jsonl'));
  for (const [lo, hi] of segmentPairs()) {
    it(`${lo} → ${hi} (no boundary between them) shows nothing on any trace`, () => {
      expect(segmentStart(parseKernelVersion(hi)!)).toEqual(segmentStart(parseKernelVersion(lo)!));
      for (const c of CASES) expect(across(lo, hi, c.calls)).toEqual([]);
      for (const s of samples) expect(comparePair(new RunCache(sampleEntries(s)), kernel(lo), kernel(hi)).differences).toEqual([]);
    });
  }

  it('near misses: the last kernel before each boundary and the boundary itself do differ', () => {
    for (const [i, b] of BOUNDARIES.entries()) {
      const last = segmentPairs()[i][1];
      expect(sameProfile(kernel(last), kernel(versionKernel(b))), `${last} vs ${boundaryName(b)}`).toBe(false);
    }
  });
});
