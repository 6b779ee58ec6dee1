/**
 * fast-check arbitraries of call sequences over a small universe of objects, so random traces hit
 * the same devices, PASIDs, domains, mms and allocators often enough to reach every rule.
 */
import fc from 'fast-check';
import type { CallSpec } from './calls.js';
import { call } from './calls.js';
import { ERAS, profileFor } from '../../machines/profile.js';

export const KERNELS_BY_ERA: Record<(typeof ERAS)[number], readonly string[]> = {
  'v5.5': ['5.5.0', '5.10.0'],
  'v5.11': ['5.11.0', '5.15.0'],
  'v5.18': ['5.18.0', '6.1.0'],
  'v6.2': ['6.2.0', '6.5.0'],
  'v6.6': ['6.6.0', '6.7.0'],
  'v6.8': ['6.8.0', '6.8.0-rc3', '6.9.0', '6.10.0'],
  newest: ['6.11.0', '6.15.0', '6.18.0'],
};
export const ALL_KERNELS = Object.values(KERNELS_BY_ERA).flat();

const dev = fc.constantFrom('0000:00:01.0', '0000:00:02.0', '0000:00:03.0');
const mm = fc.constantFrom('mm1', 'mm2', 'mm3');
const domain = fc.constantFrom('dom1', 'dom2', 'dom3');
const pasid = fc.integer({ min: 0, max: 6 });
const ioasid = fc.integer({ min: 0, max: 6 });
const handle = fc.constantFrom('sva1', 'sva2', 'sva3', 'sva4');
const ops = fc.constantFrom('opsA', 'opsB', 'opsC');
const helpers = fc.constantFrom(['vcmd_alloc', 'vcmd_free'], ['other_alloc', 'other_free']);
const iommu = fc.constantFrom('dmar0', 'dmar1');

/** One call record spec (no `ret`: the model computes it, as in a scenario file). */
export const anyCall: fc.Arbitrary<CallSpec> = fc.oneof(
  fc.record({ dev, max: fc.constantFrom(0, 1, 4, 8, 32768) }).map((a) => call('iommu_probe_device', { dev: a.dev, max_pasids: a.max })),
  dev.map((d) => call('iommu_release_device', { dev: d })),
  domain.map((d) => call('iommu_domain_alloc', { type: 'dma' }, d)),
  domain.map((d) => call('iommu_domain_free', { domain: d })),
  fc.record({ domain, dev, pasid }).map((a) => call('iommu_attach_device_pasid', a)),
  fc.record({ domain, dev, pasid }).map((a) => call('iommu_detach_device_pasid', a)),
  fc.record({ domain, dev, pasid, handle }).map((a) => call('iommu_replace_device_pasid', a)),
  fc.record({ dev, mm, h: handle }).map((a) => call('iommu_sva_bind_device', { dev: a.dev, mm: a.mm }, a.h)),
  handle.map((h) => call('iommu_sva_unbind_device', { handle: h })),
  mm.map((m) => call('mm_pasid_drop', { mm: m })),
  dev.map((d) => call('iommu_alloc_global_pasid', { dev: d })),
  fc.oneof(pasid, fc.constant('IOMMU_PASID_INVALID' as const)).map((p) => call('iommu_free_global_pasid', { pasid: p })),
  fc.record({ min: fc.constantFrom(0, 1), max: fc.constantFrom(3, 6) }).map((a) => call('ioasid_alloc', { set: null, min: a.min, max: a.max, private: null })),
  ioasid.map((i) => call('ioasid_free', { ioasid: i })),
  ioasid.map((i) => call('ioasid_get', { ioasid: i })),
  ioasid.map((i) => call('ioasid_put', { ioasid: i })),
  ioasid.map((i) => call('ioasid_set_data', { ioasid: i, data: 'priv' })),
  fc.record({ ops, helpers }).map((a) => call('ioasid_register_allocator', { ops: a.ops, alloc: a.helpers[0], free: a.helpers[1] })),
  ops.map((o) => call('ioasid_unregister_allocator', { ops: o })),
  fc.record({ iommu, cm: fc.boolean() }).map((a) => call('register_pasid_allocator', { iommu: a.iommu, cap_caching_mode: a.cm, ecap_smts: true, vccap_pasid: true })),
  iommu.map((i) => call('iommu_set_root_entry', { iommu: i, ecap_smts: true })),
  fc.constant(call('intel_iommu_sm_disable', {})),
  iommu.map((i) => call('free_dmar_iommu', { iommu: i })),
  dev.map((d) => call('pci_dev_reset_iommu_prepare', { dev: d })),
  dev.map((d) => call('pci_dev_reset_iommu_done', { dev: d })),
);

export const anyKernel = fc.constantFrom(...ALL_KERNELS);
export const anyCalls = (max = 40) => fc.array(anyCall, { maxLength: max });

/** A kernel and a call sequence using only calls that exist in it (any era). */
export const anyTrace = (maxLength = 60): fc.Arbitrary<[string, CallSpec[]]> =>
  anyKernel.chain((kernel) => {
    const calls = profileFor(kernel)?.calls;
    const inEra = anyCall.filter((c) => calls?.has(c.fn) ?? false);
    return fc.tuple(fc.constant(kernel), fc.array(inEra, { minLength: 5, maxLength }));
  });
