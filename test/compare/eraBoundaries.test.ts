import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { boundaries, boundaryName, changesBetween, FLAG_NAMES, sameProfile, segmentStart, versionKernel } from '../../src/compare/boundaries.js';
import { compareVersions, parseKernelVersion } from '../../machines/kit/version.js';
import type { HostFacts } from '../../machines/profile.js';
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
  /** The header's host facts, where the rule is a vendor's. */
  readonly host?: HostFacts;
  /** `cause seq fn-or-finding ← boundary responsible` per difference (support.ts `across`). */
  readonly differences: readonly string[];
}

/**
 * Era-table flags that no rule reads yet: they date a kernel change (compare --kernel-range lists
 * them) but change no outcome, so no trace can show them: set_dev_pasid's old domain (v6.13) changes
 * only an argument the attach passes as NULL (the replace that passes one exists from v6.15).
 */
const READ_BY_NO_RULE: readonly string[] = ['setDevPasidGetsOld'];
const C = '0000:6a:03.0';

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
    name: 'the VT-d virtual-command records appear with the vcmd allocator (#21 C4)',
    boundary: '5.8', before: '5.7.0', after: '5.8.0',
    calls: [call('vcmd_alloc_pasid', { iommu: 'dmar0', status: 'SUCCESS', pasid: 5 }), call('vcmd_free_pasid', { iommu: 'dmar0', pasid: 5, status: 'SUCCESS' })],
    differences: ['call seq 1 vcmd_alloc_pasid ← 5.8 vcmdAllocator+vcmd_alloc_pasid', 'call seq 2 vcmd_free_pasid ← 5.8 vcmdAllocator+vcmd_free_pasid'],
  },
  {
    name: 'Intel implements sva_bind: a bind no longer fails -ENODEV',
    boundary: '5.8', before: '5.7.0', after: '5.8.0',
    calls: [probe(A), bind(A, 'mm@1', 'sva1')],
    differences: [
      'return seq 2 iommu_sva_bind_device ← 5.8 intelSvaBind',
      'state seq 2 iommu_sva_bind_device ← 5.8 intelSvaBind',
      'nested seq 2 iommu_sva_bind_device ← 5.8 intelSvaBind',
      'finding seq 2 SVA_BIND_NO_DRIVER vanishes ← 5.8 intelSvaBind',
      'finding seq 2 end SVA_BOND_LEAKED appears ← 5.8 intelSvaBind',
    ],
  },
  {
    // The group check is there from v5.2 (26b25a2b98e4) but sits after the sva_bind op test.
    name: 'the singleton-group check can first fire, behind the sva_bind op',
    boundary: '5.8', before: '5.7.0', after: '5.8.0',
    calls: [probe(A, 32, 'g1'), probe(B, 32, 'g1'), bind(A, 'mm@1', 'sva1')],
    differences: [
      'return seq 3 iommu_sva_bind_device ← 5.8 intelSvaBind',
      'finding seq 3 SVA_BIND_NO_DRIVER vanishes ← 5.8 intelSvaBind',
      'finding seq 3 SVA_BIND_GROUP_NOT_SINGLETON appears ← 5.8 intelSvaBind',
    ],
  },
  {
    name: 'the IOASID refcount: ioasid_get exists',
    boundary: '5.11', before: '5.10.0', after: '5.11.0',
    calls: [call('ioasid_alloc', { set: null, min: 1, max: 100, private: null }, 1), call('ioasid_get', { ioasid: 1 })],
    differences: ['call seq 2 ioasid_get ← 5.11 ioasidRefcount+ioasid_get'],
  },
  {
    name: 'SMMUv3 implements sva_bind',
    boundary: '5.11', before: '5.10.0', after: '5.11.0', host: { iommu: 'arm-smmu-v3' },
    calls: [probe(A), bind(A, 'mm@1', 'sva1')],
    differences: [
      'return seq 2 iommu_sva_bind_device ← 5.11 smmuSvaBind',
      'state seq 2 iommu_sva_bind_device ← 5.11 smmuSvaBind',
      'nested seq 2 iommu_sva_bind_device ← 5.11 smmuSvaBind',
      'finding seq 2 SVA_BIND_NO_DRIVER vanishes ← 5.11 smmuSvaBind',
      'finding seq 2 end SVA_BOND_LEAKED appears ← 5.11 smmuSvaBind',
    ],
  },
  {
    name: 'Intel SVA allocates through iommu_sva_alloc_pasid: a PASID wider than the device is -EINVAL, not -ENOSPC',
    boundary: '5.14', before: '5.13.0', after: '5.14.0', host: { iommu: 'intel' },
    calls: [probe(A), probe(B, 1), bind(A, 'mm@1', 'sva1'), bind(B, 'mm@1', 'sva2')],
    differences: [
      // ≤ v5.13 the first bind's PASID is intel_svm_bind_mm's (one reference per mm: MmPasidAssigned.intel_svm).
      'state seq 3 iommu_sva_bind_device ← 5.14 intelOwnPasid',
      'return seq 4 iommu_sva_bind_device ← 5.14 intelOwnPasid',
      'finding seq 4 SVA_BIND_PASID_OUT_OF_RANGE vanishes ← 5.14 intelOwnPasid',
      'finding seq 4 SVA_BIND_BAD_RANGE appears ← 5.14 intelOwnPasid',
    ],
  },
  {
    name: 'the aux-domain API is gone (8652d875939b)',
    boundary: '5.18', before: '5.17.0', after: '5.18.0',
    calls: [probe(A), unmanaged('dom1'), call('iommu_aux_get_pasid', { domain: 'dom1', dev: A })],
    differences: ['call seq 3 iommu_aux_get_pasid ← 5.18 auxDomains+iommu_aux_get_pasid'],
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
    name: 'mm_pasid_drop moves to __mmdrop: a drop under a live bond is a lost unbind, not a free',
    boundary: '5.18-rc6', before: '5.18.0-rc5', after: '5.18.0-rc6',
    calls: [probe(A), bind(A, 'mm@1', 'sva1'), call('mm_pasid_drop', { mm: 'mm@1' })],
    differences: ['state seq 3 mm_pasid_drop ← 5.18-rc6 mmPasidDropAtMmdrop'],
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
    name: 'SVA binds a device of a shared group (be51b1d6bbff drops the singleton check)',
    boundary: '6.2', before: '6.1.0', after: '6.2.0',
    calls: [probe(A, 32, 'g1'), probe(B, 32, 'g1'), bind(A, 'mm@1', 'sva1')],
    differences: [
      'return seq 3 iommu_sva_bind_device ← 6.2 svaSingletonGroup',
      'state seq 3 iommu_sva_bind_device ← 6.2 svaSingletonGroup',
      'nested seq 3 iommu_sva_bind_device ← 6.2 svaSingletonGroup',
      'finding seq 3 SVA_BIND_GROUP_NOT_SINGLETON vanishes ← 6.2 svaSingletonGroup',
      'finding seq 3 end SVA_BOND_LEAKED appears ← 6.2 svaSingletonGroup',
    ],
  },
  {
    // __arm_smmu_sva_bind found the bond before iommu_sva_alloc_pasid's `pasid >= max` (v5.18–v6.3).
    name: 'an SMMUv3 rebind of the same device and mm meets the range check once the core binds',
    boundary: '6.2', before: '6.1.0', after: '6.2.0', host: { iommu: 'arm-smmu-v3' },
    calls: [probe(A, 2), bind(A, 'mm@1', 'sva1'), bind(A, 'mm@1', 'sva1')],
    differences: [
      'state seq 2 iommu_sva_bind_device ← 6.2 svaDomains',
      'nested seq 2 iommu_sva_bind_device ← 6.2 svaDomains',
      'return seq 3 iommu_sva_bind_device ← 6.2 vendorBonds',
      'state seq 3 iommu_sva_bind_device ← 6.2 vendorBonds',
      'finding seq 3 SVA_BIND_PASID_OUT_OF_RANGE appears ← 6.2 vendorBonds',
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
    name: 'the VT-d virtual-command records go with the vcmd allocator (#21 C4, "iommu/vt-d: Remove virtual command interface")',
    boundary: '6.4', before: '6.3.0', after: '6.4.0',
    calls: [call('vcmd_alloc_pasid', { iommu: 'dmar0', status: 'SUCCESS', pasid: 5 }), call('vcmd_free_pasid', { iommu: 'dmar0', pasid: 5, status: 'SUCCESS' })],
    differences: ['call seq 1 vcmd_alloc_pasid ← 6.4 vcmdAllocator+vcmd_alloc_pasid', 'call seq 2 vcmd_free_pasid ← 6.4 vcmdAllocator+vcmd_free_pasid'],
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
      // v6.8+ the first bind lists its SVA domain on iommu_mm->sva_domains (MmSvaDomainAdded).
      'state seq 3 iommu_sva_bind_device ← 6.8 svaDomainPerMm',
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
    boundary: '6.9-rc2', before: '6.9.0-rc1', after: '6.9.0-rc2',
    calls: [probe(A), unmanaged('dom1'), attach('dom1', 0)],
    differences: [
      'return seq 3 iommu_attach_device_pasid ← 6.9-rc2 attachChecksPasidZero',
      'state seq 3 iommu_attach_device_pasid ← 6.9-rc2 attachChecksPasidZero',
      'nested seq 3 iommu_attach_device_pasid ← 6.9-rc2 attachChecksPasidZero',
      'finding seq 3 ATTACH_PASID_ZERO reaction ← 6.9-rc2 attachChecksPasidZero',
      'finding seq 3 end ATTACH_LEAKED vanishes ← 6.9-rc2 attachChecksPasidZero',
    ],
  },
  {
    name: 'attach refuses a PASID beyond max_pasids',
    boundary: '6.9-rc2', before: '6.9.0-rc1', after: '6.9.0-rc2',
    calls: [probe(A), unmanaged('dom1'), attach('dom1', 40)],
    differences: [
      'return seq 3 iommu_attach_device_pasid ← 6.9-rc2 attachChecksMaxPasids',
      'state seq 3 iommu_attach_device_pasid ← 6.9-rc2 attachChecksMaxPasids',
      'nested seq 3 iommu_attach_device_pasid ← 6.9-rc2 attachChecksMaxPasids',
      'finding seq 3 ATTACH_PASID_OUT_OF_RANGE reaction ← 6.9-rc2 attachChecksMaxPasids',
      'finding seq 3 end ATTACH_LEAKED vanishes ← 6.9-rc2 attachChecksMaxPasids',
    ],
  },
  {
    name: 'remove_dev_pasid is given the domain',
    boundary: '6.10', before: '6.9.0', after: '6.10.0',
    calls: [probe(A), unmanaged('dom1'), attach('dom1', 1), call('iommu_detach_device_pasid', { domain: 'dom1', dev: A, pasid: 1 })],
    differences: ['nested seq 4 iommu_detach_device_pasid ← 6.10 removeDevPasidGetsDomain'],
  },
  {
    name: 'a driver set_dev_pasid error is undone only on the group devices that succeeded (c6cbe8392097, #21 B5)',
    boundary: '6.10', before: '6.9.0', after: '6.10.0',
    calls: [
      probe(A, 32, 'g1'), probe(C, 32, 'g1'), unmanaged('dom1'),
      call('iommu_attach_device_pasid', { domain: 'dom1', dev: A, pasid: 1 }, '-ENOSPC'),
      call('set_dev_pasid', { domain: 'dom1', dev: A, pasid: 1 }, 0, { parent: 4 }),
      call('set_dev_pasid', { domain: 'dom1', dev: C, pasid: 1 }, '-ENOSPC', { parent: 4 }),
    ],
    differences: ['nested seq 4 iommu_attach_device_pasid ← 6.10 rollbackOnlySucceeded'],
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
    name: 'the removal goes through the blocked domain\'s set_dev_pasid; remove_dev_pasid is gone (647b7aad1949)',
    boundary: '6.14', before: '6.13.0', after: '6.14.0',
    calls: [probe(A), unmanaged('dom1'), attach('dom1', 1), call('iommu_detach_device_pasid', { domain: 'dom1', dev: A, pasid: 1 })],
    differences: ['nested seq 4 iommu_detach_device_pasid ← 6.14 removalViaBlockedDomain'],
  },
  {
    name: 'iommu_replace_device_pasid exists',
    boundary: '6.15', before: '6.14.0', after: '6.15.0',
    calls: [probe(A), unmanaged('dom1'), unmanaged('dom2'), attach('dom1', 1), call('iommu_replace_device_pasid', { domain: 'dom2', dev: A, pasid: 1 })],
    differences: ['call seq 5 iommu_replace_device_pasid ← 6.15 replace+iommu_replace_device_pasid'],
  },
  {
    name: 'an attach to a group with a device without PASIDs skips that device (b3f6fcd8404f)',
    boundary: '6.15-rc7', before: '6.15.0-rc6', after: '6.15.0-rc7',
    calls: [probe(A, 32, 'g1'), probe(B, 0, 'g1'), unmanaged('dom1'), attach('dom1', 1)],
    differences: [
      'return seq 4 iommu_attach_device_pasid ← 6.15-rc7 attachSkipsNoPasidDevices',
      'state seq 4 iommu_attach_device_pasid ← 6.15-rc7 attachSkipsNoPasidDevices',
      'nested seq 4 iommu_attach_device_pasid ← 6.15-rc7 attachSkipsNoPasidDevices',
      'finding seq 4 ATTACH_PASID_OUT_OF_RANGE vanishes ← 6.15-rc7 attachSkipsNoPasidDevices',
      'finding seq 4 end ATTACH_LEAKED appears ← 6.15-rc7 attachSkipsNoPasidDevices',
    ],
  },
  {
    name: 'a PCI reset blocks attach: pci_dev_reset_iommu_prepare exists',
    boundary: '7.0', before: '6.19.0', after: '7.0.0',
    calls: [probe(A), call('pci_dev_reset_iommu_prepare', { dev: A })],
    differences: ['call seq 2 pci_dev_reset_iommu_prepare ← 7.0 resetBlocksAttach+pci_dev_reset_iommu_prepare'],
  },
  {
    name: 'VT-d returns early on a wrong-domain detach: no reference dropped, no NULL dereference (79ea2feb917b, #21 B10)',
    boundary: '7.1', before: '7.0.9', after: '7.1.0',
    host: { iommu: 'intel-vt-d' },
    calls: [
      probe(A), unmanaged('dom1'), unmanaged('dom2'), attach('dom1', 1), attach('dom2', 2),
      call('iommu_detach_device_pasid', { domain: 'dom2', dev: A, pasid: 1 }),
      call('iommu_detach_device_pasid', { domain: 'dom2', dev: A, pasid: 2 }),
    ],
    differences: ['state seq 6 iommu_detach_device_pasid ← 7.1 vtdRemoveChecksDomain', 'finding seq 7 VTD_DOMAIN_REFCOUNT_CORRUPT vanishes ← 7.1 vtdRemoveChecksDomain'],
  },
];

describe('compare across each era boundary', () => {
  it('has a trace for every boundary at which a rule reads what changes', () => {
    const read = boundaries().filter((b, i) => changesBetween(kernel(i === 0 ? '5.5.0' : versionKernel(boundaries()[i - 1])), kernel(versionKernel(b))).some((ch) => ch.kind !== 'flag' || !READ_BY_NO_RULE.includes(ch.flag)));
    expect([...new Set(CASES.map((c) => c.boundary))]).toEqual(read.map(boundaryName));
  });

  it('has a trace for every flag a rule reads', () => {
    const blamed = new Set(CASES.flatMap((c) => c.differences.flatMap((d) => d.split(' ← ')[1].split(' ')[1].split('+'))));
    expect(FLAG_NAMES.filter((f) => !READ_BY_NO_RULE.includes(f) && !blamed.has(f))).toEqual([]);
  });

  it('leaves out only flags that no rule of machines/ reads (a rule that starts reading one needs its case)', () => {
    const sources = readdirSync(new URL('../../machines/', import.meta.url), { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts') && f !== 'profile.ts')
      .map((f) => readFileSync(new URL(`../../machines/${f}`, import.meta.url), 'utf8'));
    for (const flag of READ_BY_NO_RULE) expect(sources.some((src) => new RegExp(`\\.${flag}\\b`).test(src)), flag).toBe(false);
  });

  for (const c of CASES) {
    it(`v${c.boundary}: ${c.name}`, () => {
      // Given the trace, when compared from the kernel before the boundary to the one at it,
      // then exactly the differences of that rule show, each tied to that boundary.
      expect(across(c.before, c.after, c.calls, c.host)).toEqual(c.differences);
    });

    it(`v${c.boundary}: ${c.name} — the same differences going back down`, () => {
      const down = comparison(c.after, c.before, c.calls, c.host).differences;
      expect(down.map((d) => `${d.cause} ${d.seq}`)).toEqual(comparison(c.before, c.after, c.calls, c.host).differences.map((d) => `${d.cause} ${d.seq}`));
      expect(new Set(down.map((d) => d.blame.boundary))).toEqual(new Set([c.boundary]));
    });

    it(`v${c.boundary}: ${c.name} — found again when the pair spans every era`, () => {
      const wide = comparison('5.5.0', '6.20.0', c.calls, c.host).differences;
      // Dated at the first boundary where the record's outcome leaves its v5.5 value: this rule's
      // boundary, or an earlier one where the outcome really changed on the way (and changed back).
      for (const d of comparison(c.before, c.after, c.calls, c.host).differences) {
        const again = wide.find((w) => w.cause === d.cause && w.seq === d.seq && w.subject === d.subject && w.atEnd === d.atEnd);
        if (again === undefined || again.from !== d.from || again.to !== d.to || again.blame.boundary === c.boundary) continue;
        const earlier = boundaries().find((b) => boundaryName(b) === again.blame.boundary);
        expect(earlier, again.blame.boundary).toBeDefined();
        expect(compareVersions(earlier!, parseKernelVersion(c.after)!)).toBeLessThan(0);
        const upTo = comparison('5.5.0', versionKernel(earlier!), c.calls, c.host).differences;
        expect(upTo.some((u) => u.cause === d.cause && u.seq === d.seq && u.subject === d.subject && u.atEnd === d.atEnd)).toBe(true);
      }
    });
  }
});

/** Every segment of the era table: its first kernel and its last release before the next boundary. */
function segmentPairs(): [string, string][] {
  const starts = [{ major: 5, minor: 5, rc: null }, ...boundaries()];
  return starts.map((s, i) => {
    const next = boundaries()[i] ?? null;
    const first = versionKernel(s);
    if (next === null) return [first, '7.30.0'];
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
    for (const [i, b] of boundaries().entries()) {
      const last = segmentPairs()[i][1];
      expect(sameProfile(kernel(last), kernel(versionKernel(b))), `${last} vs ${boundaryName(b)}`).toBe(false);
    }
  });
});
