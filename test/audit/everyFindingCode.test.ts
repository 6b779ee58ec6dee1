/**
 * Every finding code of the catalogue, with one trace that raises it and one near miss that must
 * not. The table is typed `Record<FindingCode, …>`: a new code does not compile until it has both.
 */
import { describe, it, expect } from 'vitest';
import type { FindingCode } from '../../machines/findings.js';
import { call, codes, replayCalls, type CallSpec } from '../support/calls.js';

const D = '0000:00:02.0';
const E = '0000:00:03.0';
const probe = (dev = D, max_pasids = 32, group?: string) => call('iommu_probe_device', { dev, max_pasids, ...(group ? { group } : {}) }, 0);
const attach = (domain: string, pasid: number, ret: 0 | `-E${string}` = 0, dev = D, handle?: string) =>
  call('iommu_attach_device_pasid', { domain, dev, pasid, ...(handle ? { handle } : {}) }, ret as 0);
const detach = (domain: string, pasid: number, dev = D) => call('iommu_detach_device_pasid', { domain, dev, pasid }, null);
const alloc = (min = 1, max = 10, ret?: number | 'INVALID_IOASID', set: string | null = null, priv: string | null = null) =>
  call('ioasid_alloc', { set, min, max, private: priv }, ret);
const free = (ioasid: number) => call('ioasid_free', { ioasid }, null);
const register = (ops: string, helpers = 'a', ret?: 0 | '-EAGAIN' | '-EEXIST') => call('ioasid_register_allocator', { ops, alloc: `${helpers}_alloc`, free: `${helpers}_free` }, ret);
const unregister = (ops: string, helpers?: string) => call('ioasid_unregister_allocator', { ops, ...(helpers ? { alloc: `${helpers}_alloc`, free: `${helpers}_free` } : {}) }, null);
const vcmdAlloc = (status: string, pasid: number | undefined, ret: 0 | '-ENOSPC' | '-ENODEV') =>
  call('vcmd_alloc_pasid', { iommu: 'dmar0', status, ...(pasid === undefined ? {} : { pasid }) }, ret);
const vtdRegister = (iommu: string) => call('register_pasid_allocator', { iommu, cap_caching_mode: true, ecap_smts: true, vccap_pasid: true }, null);
const bind = (mm: string, ret: string, dev = D) => call('iommu_sva_bind_device', { dev, mm }, ret);
const unbind = (handle: string) => call('iommu_sva_unbind_device', { handle }, null);
const exit = (mm: string) => call('mm_pasid_drop', { mm }, null);
const gAlloc = (ret: number | 'IOMMU_PASID_INVALID', dev = D) => call('iommu_alloc_global_pasid', { dev }, ret);
const gFree = (pasid: number | 'IOMMU_PASID_INVALID') => call('iommu_free_global_pasid', { pasid }, null);
const domAlloc = (name: string) => call('iommu_domain_alloc', { type: 'dma' }, name);
const domFree = (domain: string) => call('iommu_domain_free', { domain }, null);
const unmanaged = (name: string) => call('iommu_domain_alloc', { type: 'unmanaged' }, name);
const auxAttach = (domain: string, ret: 0 | '-EPERM' | '-ENODEV') => call('iommu_aux_attach_device', { domain, dev: D }, ret);
const auxDetach = (domain: string) => call('iommu_aux_detach_device', { domain, dev: D }, null);
/** v5.10: an aux attach allocating the default PASID, and the detach that frees it (nested records). */
const AUX_CLEAN: readonly CallSpec[] = [probe(), unmanaged('dom1'), auxAttach('dom1', 0), { ...alloc(1, 31, 1), parent: 3 }, auxDetach('dom1'), { ...free(1), parent: 5 }];

interface Case {
  readonly kernel: string;
  readonly trigger: readonly CallSpec[];
  readonly nearMiss: readonly CallSpec[];
  /** Findings the near miss raises on purpose (it is a near miss of this code, not of those). */
  readonly nearMissAlso?: readonly FindingCode[];
}

const CASES: Record<FindingCode, Case> = {
  IOASID_FREE_UNKNOWN: { kernel: '5.10.0', trigger: [free(7)], nearMiss: [alloc(1, 10, 1), free(1)] },
  IOASID_DOUBLE_FREE: {
    kernel: '5.10.0',
    trigger: [alloc(100, 103, 100, 's1', 'p1'), free(100), free(100)],
    nearMiss: [alloc(100, 103, 100, 's1', 'p1'), free(100), alloc(100, 103, 100, 's1', 'p1'), free(100)],
  },
  IOASID_STALE_RELEASE: {
    kernel: '5.15.0',
    trigger: [alloc(5, 5, 5, 's1', 'p1'), call('ioasid_put', { ioasid: 5 }, true), call('ioasid_alloc', { set: 's1', min: 5, max: 5, private: 'p2' }, 5, { tid: 200 }), call('ioasid_put', { ioasid: 5 }, true)],
    nearMiss: [alloc(5, 5, 5, 's1', 'p1'), call('ioasid_put', { ioasid: 5 }, true), call('ioasid_alloc', { set: 's1', min: 5, max: 5, private: 'p2' }, 5, { tid: 200 }), call('ioasid_put', { ioasid: 5 }, true, { tid: 200 })],
  },
  IOASID_FREE_BY_OTHER: {
    kernel: '6.1.0',
    trigger: [call('ioasid_alloc', { set: 'setA', min: 7, max: 7, private: 'a' }, 7, { tid: 10 }), call('ioasid_alloc', { set: 'setB', min: 8, max: 8, private: 'b' }, 8, { tid: 20 }), call('ioasid_free', { ioasid: 7 }, null, { tid: 20 }), call('ioasid_free', { ioasid: 8 }, null, { tid: 20 })],
    nearMiss: [call('ioasid_alloc', { set: 'setA', min: 7, max: 7, private: 'a' }, 7, { tid: 10 }), call('ioasid_alloc', { set: 'setB', min: 8, max: 8, private: 'b' }, 8, { tid: 20 }), call('ioasid_free', { ioasid: 7 }, null, { tid: 30 }), call('ioasid_free', { ioasid: 8 }, null, { tid: 20 })],
  },
  IOASID_PUT_UNKNOWN: {
    kernel: '5.15.0',
    trigger: [call('ioasid_put', { ioasid: 3 }, false)],
    nearMiss: [alloc(1, 10, 1), call('ioasid_get', { ioasid: 1 }, null), call('ioasid_put', { ioasid: 1 }, false), call('ioasid_put', { ioasid: 1 }, true)],
  },
  IOASID_GET_UNKNOWN: {
    kernel: '5.15.0',
    trigger: [call('ioasid_get', { ioasid: 3 }, null)],
    nearMiss: [alloc(1, 10, 1), call('ioasid_get', { ioasid: 1 }, null), call('ioasid_put', { ioasid: 1 }, false), call('ioasid_put', { ioasid: 1 }, true)],
  },
  IOASID_SET_DATA_UNKNOWN: {
    kernel: '5.10.0',
    trigger: [call('ioasid_set_data', { ioasid: 4, data: 'x' }, '-ENOENT')],
    nearMiss: [alloc(1, 10, 1), call('ioasid_set_data', { ioasid: 1, data: 'x' }, 0), free(1)],
  },
  IOASID_FIND_MISS: {
    kernel: '5.10.0',
    trigger: [call('ioasid_find', { set: null, ioasid: 4 }, '-ENOENT')],
    nearMiss: [alloc(1, 10, 1, 's1', 'p'), call('ioasid_find', { set: 's1', ioasid: 1 }, 'p'), free(1)],
  },
  IOASID_ALLOC_FAILED: { kernel: '5.10.0', trigger: [alloc(5, 4, 'INVALID_IOASID')], nearMiss: [alloc(4, 4, 4), free(4)] },
  IOASID_DUPLICATE_IN_USE: {
    kernel: '5.10.0',
    trigger: [register('opsA', 'a', 0), alloc(1, 10, 5), unregister('opsA'), alloc(5, 5, 5)],
    nearMiss: [register('opsA', 'a', 0), alloc(1, 10, 5), free(5), unregister('opsA'), alloc(5, 5, 5), free(5)],
  },
  IOASID_COLLISION: {
    kernel: '5.10.0',
    trigger: [alloc(1, 10, 1, null, 'p1'), alloc(1, 10, 1, null, 'p2'), free(1)],
    nearMiss: [alloc(1, 10, 1, null, 'p1'), alloc(1, 10, 2, null, 'p2'), free(1), free(2)],
  },
  IOASID_LEAKED: { kernel: '5.10.0', trigger: [alloc(1, 10, 1)], nearMiss: [alloc(1, 10, 1), free(1)] },
  IOASID_ORPHANED: {
    kernel: '5.10.0',
    trigger: [register('opsA', 'a', 0), alloc(1, 10, 9), unregister('opsA')],
    nearMiss: [register('opsA', 'a', 0), alloc(1, 10, 9), free(9), unregister('opsA')],
  },
  ALLOCATOR_REGISTER_OUTSTANDING: {
    kernel: '5.10.0',
    trigger: [alloc(1, 10, 1), register('opsA', 'a', '-EAGAIN'), free(1)],
    nearMiss: [alloc(1, 10, 1), free(1), register('opsA', 'a', 0), unregister('opsA')],
  },
  ALLOCATOR_ALREADY_REGISTERED: {
    kernel: '5.10.0',
    trigger: [register('opsA', 'a', 0), register('opsA', 'a', '-EEXIST'), unregister('opsA')],
    nearMiss: [register('opsA', 'a', 0), register('opsB', 'b', 0), unregister('opsB'), unregister('opsA')],
  },
  ALLOCATOR_LIST_CORRUPT: {
    kernel: '6.1.0',
    trigger: [register('ops1', 'x', 0), register('ops2', 'x', 0), register('ops1', 'x', '-EEXIST'), register('ops3', 'y', 0), call('ioasid_unregister_allocator', { ops: 'ops1' })],
    nearMiss: [register('ops1', 'x', 0), register('ops1', 'x', '-EEXIST'), unregister('ops1')],
    nearMissAlso: ['ALLOCATOR_ALREADY_REGISTERED'],
  },
  ALLOCATOR_OPS_USE_AFTER_UNREGISTER: {
    kernel: '5.10.0',
    trigger: [register('opsA', 'a', 0), register('opsB', 'a', 0), unregister('opsA'), alloc(1, 10)],
    nearMiss: [register('opsA', 'a', 0), register('opsB', 'a', 0), unregister('opsB'), alloc(1, 10)],
    nearMissAlso: ['IOASID_LEAKED'],
  },
  ALLOCATOR_REREGISTER_SHARER: {
    kernel: '5.10.0',
    trigger: [register('opsA', 'a', 0), register('opsB', 'a', 0), register('opsB', 'a', 0)],
    nearMiss: [register('opsA', 'a', 0), register('opsB', 'a', 0), unregister('opsB'), register('opsB', 'a', 0)],
  },
  ALLOCATOR_UNREGISTER_OUTSTANDING: {
    kernel: '5.10.0',
    trigger: [register('opsA', 'a', 0), alloc(1, 10, 7), unregister('opsA')],
    nearMiss: [register('opsA', 'a', 0), alloc(1, 10, 7), free(7), unregister('opsA')],
  },
  ALLOCATOR_UNREGISTER_NONE: { kernel: '5.10.0', trigger: [unregister('opsA', 'a')], nearMiss: [register('opsA', 'a', 0), unregister('opsA')] },
  ALLOCATOR_UNREGISTER_UNKNOWN: {
    kernel: '5.10.0',
    trigger: [register('opsA', 'a', 0), unregister('opsB', 'x')],
    nearMiss: [register('opsA', 'a', 0), unregister('opsA')],
  },
  ALLOCATOR_UNREGISTER_OTHER_OPS: {
    kernel: '5.10.0',
    trigger: [register('opsA', 'a', 0), unregister('opsB', 'a')],
    nearMiss: [register('opsA', 'a', 0), register('opsB', 'a', 0), unregister('opsB'), unregister('opsA')],
  },
  ALLOCATOR_DANGLING_PDATA: {
    kernel: '5.10.0',
    trigger: [register('opsA', 'a', 0), register('opsB', 'a', 0), unregister('opsA')],
    nearMiss: [register('opsA', 'a', 0), register('opsB', 'a', 0), unregister('opsB'), unregister('opsA')],
  },
  VTD_ALLOCATOR_REGISTRATION_FAILED: {
    kernel: '5.10.0',
    trigger: [alloc(1, 10, 1), vtdRegister('dmar0'), free(1)],
    nearMiss: [vtdRegister('dmar0'), alloc(1, 10, 300), free(300)],
  },
  VTD_SM_DISABLED_AFTER_ROOT: {
    kernel: '5.10.0',
    trigger: [call('iommu_set_root_entry', { iommu: 'dmar0', ecap_smts: true }, null), call('intel_iommu_sm_disable', {}, null)],
    nearMiss: [call('intel_iommu_sm_disable', {}, null), call('iommu_set_root_entry', { iommu: 'dmar0', ecap_smts: true, smt: false }, null)],
  },
  VTD_ROOT_MODE_MISMATCH: {
    kernel: '5.10.0',
    trigger: [call('iommu_set_root_entry', { iommu: 'dmar0', ecap_smts: false, smt: true }, null)],
    nearMiss: [call('iommu_set_root_entry', { iommu: 'dmar0', ecap_smts: true, smt: true }, null)],
  },
  // #21 C4: records nested at seq 2 (the first alloc) and 4 (the second) of the vCMD exchange.
  VTD_VCMD_HOST_DUPLICATE: {
    kernel: '5.10.0',
    trigger: [vtdRegister('dmar0'), alloc(1, 1000, 100, null, 'p1'), { ...vcmdAlloc('SUCCESS', 100, 0), parent: 2 }, alloc(1, 1000, 'INVALID_IOASID', null, 'p2'), { ...vcmdAlloc('SUCCESS', 100, 0), parent: 4 }, call('ioasid_set_data', { ioasid: 100, data: null }, 0), free(100)],
    nearMiss: [vtdRegister('dmar0'), alloc(1, 1000, 100, null, 'p1'), { ...vcmdAlloc('SUCCESS', 100, 0), parent: 2 }, alloc(1, 1000, 101, null, 'p2'), { ...vcmdAlloc('SUCCESS', 101, 0), parent: 4 }, call('ioasid_set_data', { ioasid: 100, data: null }, 0), call('ioasid_set_data', { ioasid: 101, data: null }, 0), free(100), free(101)],
  },
  VTD_VCMD_UNEXPECTED_STATUS: {
    kernel: '5.10.0',
    trigger: [vtdRegister('dmar0'), alloc(1, 1000, 'INVALID_IOASID'), { ...vcmdAlloc('7', undefined, '-ENODEV'), parent: 2 }],
    nearMiss: [vtdRegister('dmar0'), alloc(1, 1000, 'INVALID_IOASID'), { ...vcmdAlloc('NO_PASID_AVAIL', undefined, '-ENOSPC'), parent: 2 }],
    nearMissAlso: ['IOASID_ALLOC_FAILED'],
  },
  VTD_VCMD_FREE_REFUSED: {
    kernel: '5.10.0',
    trigger: [call('vcmd_free_pasid', { iommu: 'dmar0', pasid: 5, status: 'INVALID_PASID' }, null)],
    nearMiss: [call('vcmd_free_pasid', { iommu: 'dmar0', pasid: 5, status: 'SUCCESS' }, null)],
  },
  VTD_VCMD_FREE_ACTIVE: {
    kernel: '5.10.0',
    trigger: [vtdRegister('dmar0'), alloc(1, 10, 300, null, 'mm1'), free(300)],
    nearMiss: [vtdRegister('dmar0'), alloc(1, 10, 300, null, 'mm1'), call('ioasid_set_data', { ioasid: 300, data: null }, 0), free(300)],
  },
  SVA_BIND_NO_PASID_SUPPORT: {
    kernel: '6.2.0',
    trigger: [probe(D, 0), bind('mm1', '-EOPNOTSUPP')],
    nearMiss: [probe(D, 32), bind('mm1', 'sva1'), unbind('sva1')],
  },
  SVA_BIND_PASID_OUT_OF_RANGE: {
    kernel: '6.8.0',
    trigger: [probe(D, 32), probe(E, 4), gAlloc(1), gAlloc(2), gAlloc(3), gAlloc(4), bind('mm1', 'sva1'), bind('mm1', '-EOVERFLOW', E), unbind('sva1'), gFree(1), gFree(2), gFree(3), gFree(4)],
    nearMiss: [probe(D, 32), probe(E, 8), gAlloc(1), gAlloc(2), gAlloc(3), gAlloc(4), bind('mm1', 'sva1'), bind('mm1', 'sva2', E), unbind('sva1'), unbind('sva2'), gFree(1), gFree(2), gFree(3), gFree(4)],
  },
  SVA_BIND_SLOT_BUSY: {
    kernel: '6.2.0',
    trigger: [probe(), domAlloc('dom1'), attach('dom1', 1), bind('mm1', '-EBUSY'), detach('dom1', 1)],
    nearMiss: [probe(), domAlloc('dom1'), attach('dom1', 5), bind('mm1', 'sva1'), unbind('sva1'), detach('dom1', 5)],
  },
  SVA_BIND_BAD_RANGE: { kernel: '6.2.0', trigger: [probe(D, 1), bind('mm1', '-EINVAL')], nearMiss: [probe(D, 2), bind('mm1', 'sva1'), unbind('sva1')] },
  SVA_BIND_GROUP_NOT_SINGLETON: {
    kernel: '5.15.0',
    trigger: [probe(D, 32, 'g1'), probe(E, 32, 'g1'), bind('mm1', '-EINVAL')],
    nearMiss: [probe(D, 32, 'g1'), probe(E, 32, 'g2'), bind('mm1', 'sva1'), unbind('sva1')],
  },
  SVA_BIND_AFTER_EXIT: {
    kernel: '6.8.0',
    trigger: [probe(), exit('mm1'), bind('mm1', 'sva1'), unbind('sva1')],
    nearMiss: [probe(), bind('mm1', 'sva1'), unbind('sva1'), exit('mm1')],
  },
  SVA_BIND_TWICE_BUSY: {
    kernel: '6.8.0-rc3',
    trigger: [probe(), bind('mm1', 'sva1'), bind('mm1', '-EBUSY'), unbind('sva1')],
    nearMiss: [probe(), bind('mm1', 'sva1'), unbind('sva1'), bind('mm1', 'sva2'), unbind('sva2')],
  },
  SVA_UNBIND_FREED_HANDLE: {
    kernel: '6.8.0',
    trigger: [probe(), bind('mm1', 'sva1'), unbind('sva1'), unbind('sva1')],
    nearMiss: [probe(), bind('mm1', 'sva1'), bind('mm1', 'sva1'), unbind('sva1'), unbind('sva1')],
  },
  SVA_BOND_LEAKED: { kernel: '6.8.0', trigger: [probe(), bind('mm1', 'sva1')], nearMiss: [probe(), bind('mm1', 'sva1'), unbind('sva1')] },
  SVA_BIND_NO_DRIVER: {
    kernel: '5.6.0',
    trigger: [probe(), bind('mm1', '-ENODEV')],
    nearMiss: [probe(), unbind('sva1')],
  },
  SVA_BIND_DISABLED_X86: {
    kernel: '6.12.64 x86 intel',
    trigger: [probe(), bind('mm1', '-EOPNOTSUPP')],
    nearMiss: [probe(), unbind('sva1')],
  },
  MM_EXIT_WITH_BONDS: {
    kernel: '6.8.0',
    trigger: [probe(), bind('mm1', 'sva1'), exit('mm1'), unbind('sva1')],
    nearMiss: [probe(), bind('mm1', 'sva1'), unbind('sva1'), exit('mm1')],
  },
  ATTACH_BUSY: {
    kernel: '6.2.0',
    trigger: [probe(), attach('dom1', 3), attach('dom2', 3, '-EBUSY'), detach('dom1', 3)],
    nearMiss: [probe(), attach('dom1', 3), attach('dom2', 4), detach('dom1', 3), detach('dom2', 4)],
  },
  ATTACH_PASID_OUT_OF_RANGE: {
    kernel: '6.9.0',
    trigger: [probe(D, 8), attach('dom1', 8, '-EINVAL')],
    nearMiss: [probe(D, 8), attach('dom1', 7), detach('dom1', 7)],
  },
  ATTACH_PASID_ZERO: { kernel: '6.9.0', trigger: [probe(), attach('dom1', 0, '-EINVAL')], nearMiss: [probe(), attach('dom1', 1), detach('dom1', 1)] },
  ATTACH_NO_PASID_SUPPORT: {
    kernel: '6.2.0',
    trigger: [probe(), call('iommu_release_device', { dev: D }, null), attach('dom1', 1, '-ENODEV')],
    nearMiss: [probe(), attach('dom1', 1), detach('dom1', 1), call('iommu_release_device', { dev: D }, null)],
  },
  ATTACH_DURING_RESET: {
    kernel: '7.0.0',
    trigger: [probe(), call('pci_dev_reset_iommu_prepare', { dev: D }, 0), attach('dom1', 1, '-EBUSY'), call('pci_dev_reset_iommu_done', { dev: D }, null)],
    nearMiss: [probe(), call('pci_dev_reset_iommu_prepare', { dev: D }, 0), call('pci_dev_reset_iommu_done', { dev: D }, null), attach('dom1', 1), detach('dom1', 1)],
  },
  ATTACH_FREED_DOMAIN: {
    kernel: '6.2.0',
    trigger: [probe(), domAlloc('dom1'), domFree('dom1'), attach('dom1', 1), detach('dom1', 1)],
    nearMiss: [probe(), domAlloc('dom1'), attach('dom1', 1), detach('dom1', 1), domFree('dom1')],
  },
  DETACH_WRONG_DOMAIN: { kernel: '6.2.0', trigger: [probe(), attach('dom1', 1), detach('dom2', 1)], nearMiss: [probe(), attach('dom1', 1), detach('dom1', 1)] },
  DETACH_NOT_ATTACHED: { kernel: '6.2.0', trigger: [probe(), detach('dom1', 1)], nearMiss: [probe(), attach('dom1', 1), detach('dom1', 1)] },
  ATTACH_LEAKED: { kernel: '6.2.0', trigger: [probe(), attach('dom1', 1)], nearMiss: [probe(), attach('dom1', 1), detach('dom1', 1)] },
  DOMAIN_FREE_ATTACHED: {
    kernel: '6.2.0',
    trigger: [probe(), domAlloc('dom1'), attach('dom1', 1), domFree('dom1'), detach('dom1', 1)],
    nearMiss: [probe(), domAlloc('dom1'), attach('dom1', 1), detach('dom1', 1), domFree('dom1')],
  },
  DOMAIN_DOUBLE_FREE: {
    kernel: '6.2.0',
    trigger: [domAlloc('dom1'), domFree('dom1'), domFree('dom1')],
    nearMiss: [domAlloc('dom1'), domFree('dom1'), domAlloc('dom1'), domFree('dom1')],
  },
  REPLACE_NOT_ATTACHED: {
    kernel: '6.15.0',
    trigger: [probe(), call('iommu_replace_device_pasid', { domain: 'dom1', dev: D, pasid: 1, handle: 'h1' }, '-EINVAL')],
    nearMiss: [probe(), attach('dom1', 1, 0, D, 'h0'), call('iommu_replace_device_pasid', { domain: 'dom2', dev: D, pasid: 1, handle: 'h1' }, 0), detach('dom2', 1)],
  },
  REPLACE_SAME_HANDLE: {
    kernel: '6.15.0',
    trigger: [probe(), attach('dom1', 1, 0, D, 'h1'), call('iommu_replace_device_pasid', { domain: 'dom2', dev: D, pasid: 1, handle: 'h1' }, '-EINVAL'), detach('dom1', 1)],
    nearMiss: [probe(), attach('dom1', 1, 0, D, 'h1'), call('iommu_replace_device_pasid', { domain: 'dom2', dev: D, pasid: 1, handle: 'h2' }, 0), detach('dom2', 1)],
  },
  DEVICE_RELEASED_WITH_PASIDS: {
    kernel: '6.2.0',
    trigger: [probe(), attach('dom1', 1), call('iommu_release_device', { dev: D }, null)],
    nearMiss: [probe(), attach('dom1', 1), detach('dom1', 1), call('iommu_release_device', { dev: D }, null)],
  },
  DETACH_FREED_DOMAIN: {
    kernel: '6.12.0',
    trigger: [probe(), domAlloc('dom1'), attach('dom1', 1), detach('dom1', 1), domFree('dom1'), detach('dom1', 1)],
    nearMiss: [probe(), domAlloc('dom1'), attach('dom1', 1), detach('dom1', 1), domFree('dom1')],
  },
  VTD_DOMAIN_REFCOUNT_CORRUPT: {
    kernel: '6.12.0 intel',
    trigger: [probe(), domAlloc('dom1'), domAlloc('dom2'), attach('dom1', 1), attach('dom2', 2), detach('dom2', 1), detach('dom2', 2)],
    nearMiss: [probe(), domAlloc('dom1'), domAlloc('dom2'), attach('dom1', 1), attach('dom2', 2), detach('dom1', 1), detach('dom2', 2)],
  },
  AUX_ATTACH_NOT_AUX: { kernel: '5.10.0', trigger: [probe(), domAlloc('dom1'), auxAttach('dom1', '-EPERM')], nearMiss: AUX_CLEAN },
  AUX_ATTACH_NO_PASID: { kernel: '5.10.0', trigger: [probe(), unmanaged('dom1'), auxAttach('dom1', '-ENODEV'), { ...alloc(1, 31, 'INVALID_IOASID'), parent: 3 }], nearMiss: AUX_CLEAN },
  AUX_REATTACH_FREED_PASID: {
    kernel: '5.10.0',
    trigger: [...AUX_CLEAN, auxAttach('dom1', 0)],
    nearMiss: [...AUX_CLEAN, unmanaged('dom2'), auxAttach('dom2', 0), { ...alloc(1, 31, 1), parent: 8 }, auxDetach('dom2'), { ...free(1), parent: 10 }],
  },
  AUX_DETACH_NOT_ATTACHED: { kernel: '5.10.0', trigger: [probe(), unmanaged('dom1'), auxDetach('dom1')], nearMiss: AUX_CLEAN },
  AUX_GET_PASID_NONE: {
    kernel: '5.10.0',
    trigger: [probe(), unmanaged('dom1'), call('iommu_aux_get_pasid', { domain: 'dom1', dev: D }, '-EINVAL')],
    nearMiss: [...AUX_CLEAN.slice(0, 4), call('iommu_aux_get_pasid', { domain: 'dom1', dev: D }, 1), auxDetach('dom1'), { ...free(1), parent: 6 }],
  },
  GLOBAL_PASID_FREE_UNKNOWN: { kernel: '6.6.0', trigger: [probe(), gFree(3)], nearMiss: [probe(), gAlloc(1), gFree(1)] },
  GLOBAL_PASID_STALE_FREE: {
    kernel: '6.12.0',
    trigger: [probe(), probe(E), { ...gAlloc(1), tid: 10 }, { ...gFree(1), tid: 10 }, { ...gAlloc(1, E), tid: 20 }, { ...gFree(1), tid: 10 }],
    nearMiss: [probe(), probe(E), { ...gAlloc(1), tid: 10 }, { ...gFree(1), tid: 10 }, { ...gAlloc(1, E), tid: 20 }, { ...gFree(1), tid: 20 }],
  },
  GLOBAL_PASID_FREE_BY_OTHER: {
    kernel: '6.12.0',
    trigger: [probe(), probe(E), { ...gAlloc(1), tid: 10 }, { ...gAlloc(2, E), tid: 20 }, { ...gFree(1), tid: 20 }, { ...gFree(2), tid: 20 }],
    nearMiss: [probe(), probe(E), { ...gAlloc(1), tid: 10 }, { ...gAlloc(2, E), tid: 20 }, { ...gFree(2), tid: 20 }, { ...gFree(1), tid: 20 }],
  },
  GLOBAL_PASID_COLLISION: {
    kernel: '6.12.0',
    trigger: [probe(), probe(E), gAlloc(1), gAlloc(1, E)],
    nearMiss: [probe(), probe(E), gAlloc(1), gAlloc(2, E), gFree(1), gFree(2)],
    nearMissAlso: [],
  },
  GLOBAL_PASID_SECOND_OWNER: {
    kernel: '6.12.0',
    trigger: [probe(), probe(E), gAlloc(1), domAlloc('dom1'), attach('dom1', 1), gFree(1), gAlloc(1, E)],
    nearMiss: [probe(), probe(E), gAlloc(1), domAlloc('dom1'), attach('dom1', 1), detach('dom1', 1), gFree(1), gAlloc(1, E), gFree(1)],
  },
  GLOBAL_PASID_FREE_INVALID: { kernel: '6.6.0', trigger: [gFree('IOMMU_PASID_INVALID')], nearMiss: [probe(), gAlloc(1), gFree(1)] },
  GLOBAL_PASID_DOUBLE_FREE: { kernel: '6.6.0', trigger: [probe(), gAlloc(1), gFree(1), gFree(1)], nearMiss: [probe(), gAlloc(1), gFree(1), gAlloc(1), gFree(1)] },
  GLOBAL_PASID_FREE_ATTACHED: {
    kernel: '6.6.0',
    trigger: [probe(), gAlloc(1), attach('dma1', 1), gFree(1), detach('dma1', 1)],
    nearMiss: [probe(), gAlloc(1), attach('dma1', 1), detach('dma1', 1), gFree(1)],
  },
  GLOBAL_PASID_EXHAUSTED: { kernel: '6.6.0', trigger: [probe(D, 0), gAlloc('IOMMU_PASID_INVALID')], nearMiss: [probe(D, 2), gAlloc(1), gFree(1)] },
  GLOBAL_PASID_LEAKED: { kernel: '6.6.0', trigger: [probe(), gAlloc(1)], nearMiss: [probe(), gAlloc(1), gFree(1)] },
  RET_MISMATCH: {
    kernel: '6.2.0',
    trigger: [probe(), attach('dom1', 1), attach('dom2', 1, 0), detach('dom1', 1)],
    nearMiss: [probe(), attach('dom1', 1), attach('dom2', 1, '-EBUSY'), detach('dom1', 1)],
    nearMissAlso: ['ATTACH_BUSY'],
  },
  CALL_NOT_IN_KERNEL: { kernel: '6.8.0', trigger: [alloc(1, 10, 1)], nearMiss: [probe(), gAlloc(1), gFree(1)] },
  NESTED_CALL_UNEXPECTED: {
    kernel: '6.2.0',
    trigger: [probe(), domAlloc('dom1'), attach('dom1', 3), attach('dom1', 3, '-EBUSY'), call('set_dev_pasid', { domain: 'dom1', dev: D, pasid: 3 }, 0, { parent: 4 }), detach('dom1', 3)],
    nearMiss: [probe(), domAlloc('dom1'), attach('dom1', 3), call('set_dev_pasid', { domain: 'dom1', dev: D, pasid: 3 }, 0, { parent: 3 }), detach('dom1', 3)],
    nearMissAlso: [],
  },
  NESTED_CALL_MISMATCH: {
    kernel: '6.8.0',
    trigger: [probe(), bind('mm1', 'sva1'), call('iommu_attach_device_pasid', { domain: 'dom1', dev: D, pasid: 9 }, 0, { parent: 2 }), unbind('sva1')],
    nearMiss: [probe(), bind('mm1', 'sva1'), call('iommu_attach_device_pasid', { domain: 'dom1', dev: D, pasid: 1 }, 0, { parent: 2 }), unbind('sva1')],
  },
};

describe('every finding code', () => {
  for (const [code, c] of Object.entries(CASES) as [FindingCode, Case][]) {
    it(`${code} is raised by its trigger on ${c.kernel}`, () => {
      expect(codes(replayCalls(c.kernel, c.trigger))).toContain(code);
    });
    it(`${code} is not raised by its near miss on ${c.kernel}`, () => {
      expect(codes(replayCalls(c.kernel, c.nearMiss))).not.toContain(code);
    });
  }

  it('near misses are clean: no other bug or misuse either', () => {
    const dirty = Object.entries(CASES).flatMap(([code, c]) => {
      const left = replayCalls(c.kernel, c.nearMiss).findings.filter((f) => f.severity !== 'info' && !c.nearMissAlso?.includes(f.code));
      return left.length > 0 ? [`${code}: ${left.map((f) => f.code).join(', ')}`] : [];
    });
    expect(dirty).toEqual([]);
  });

  it('the same traces give the same findings through XState as through the compiled table', () => {
    for (const c of Object.values(CASES)) {
      for (const calls of [c.trigger, c.nearMiss]) {
        expect(replayCalls(c.kernel, calls, 'xstate').findings).toEqual(replayCalls(c.kernel, calls, 'fast').findings);
      }
    }
  });
});
