/** Terse call builders for the IOASID and VT-d specifications (kernel argument names). */
import { call, type CallSpec } from './calls.js';
import { profile } from './calls.js';

export const H = { alloc: 'vcmd_alloc', free: 'vcmd_free' } as const;
export const OTHER = { alloc: 'other_alloc', free: 'other_free' } as const;
export const VCMD = { alloc: 'intel_vcmd_ioasid_alloc', free: 'intel_vcmd_ioasid_free' } as const;

export const register = (ops: string, helpers: { alloc: string; free: string } = H, pdata: string | null = null, ret?: number | string) =>
  call('ioasid_register_allocator', { ops, ...helpers, pdata }, ret as never);
export const unregister = (ops: string, helpers?: { alloc: string; free: string }) =>
  call('ioasid_unregister_allocator', helpers ? { ops, ...helpers } : { ops });
export const alloc = (min = 1, max = 100, ret?: number | 'INVALID_IOASID', set: string | null = null, priv: string | null = null) =>
  call('ioasid_alloc', { set, min, max, private: priv }, ret as never);
export const free = (ioasid: number | 'INVALID_IOASID') => call('ioasid_free', { ioasid });
export const get = (ioasid: number) => call('ioasid_get', { ioasid });
export const put = (ioasid: number, ret?: boolean) => call('ioasid_put', { ioasid }, ret as never);
/** The era's way to drop the ID: ioasid_free, or ioasid_put in v5.11–v5.17. */
export const release = (kernel: string, ioasid: number): CallSpec => (profile(kernel).ioasidRefcount ? put(ioasid) : free(ioasid));
export const setData = (ioasid: number, data: string | null, ret?: number | string) => call('ioasid_set_data', { ioasid, data }, ret as never);
export const find = (ioasid: number, set: string | null = null, ret?: string | null) => call('ioasid_find', { set, ioasid }, ret as never);

/** A VT-d guest unit (caching mode, scalable mode, vcmd capability) unless told otherwise. */
export const registerPasidAllocator = (iommu: string, caps: Partial<{ cap_caching_mode: boolean; ecap_smts: boolean; vccap_pasid: boolean }> = {}) =>
  call('register_pasid_allocator', { iommu, cap_caching_mode: true, ecap_smts: true, vccap_pasid: true, ...caps });
export const setRootEntry = (iommu: string, smt?: boolean, ecap_smts = true) =>
  call('iommu_set_root_entry', smt === undefined ? { iommu, ecap_smts } : { iommu, ecap_smts, smt });
export const smDisable = (iommu?: string) => call('intel_iommu_sm_disable', iommu === undefined ? {} : { iommu });
export const freeDmarIommu = (iommu: string) => call('free_dmar_iommu', { iommu });

/** Eras with ioasid_free (v5.5–v5.10, v5.18–v6.3) and with the refcount (v5.11–v5.17). */
export const FREE_KERNELS = ['5.10.0', '6.1.0', '6.3.0'] as const;
export const REFCOUNT_KERNELS = ['5.11.0', '5.17.0'] as const;
export const IOASID_KERNELS = [...FREE_KERNELS, ...REFCOUNT_KERNELS] as const;
/** Kernels with the VT-d vcmd allocator (v5.8–v6.3), one per ioasid era. */
export const VCMD_KERNELS = ['5.8.0', '5.15.0', '6.1.0', '6.3.0'] as const;
