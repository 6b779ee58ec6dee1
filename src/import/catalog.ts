/**
 * How each trace record is read from a capture: which kernel symbols produce it and how its
 * pointer-valued arguments are named. Argument kinds not listed here (dev, pasid, ioasid, bool…)
 * are decoded from their kind in events/records.ts alone. Pure data.
 */
import type { CallName } from '../../events/records.js';
import type { NameCategory } from './naming.js';

/** How a `name`/`nameOrNull` argument is captured. */
export type NameSource =
  /** a kernel pointer (hex), named by category */
  | { readonly from: 'pointer'; readonly category: NameCategory }
  /** a symbol the capture resolved (bpftrace ksym(), kprobe symstr) */
  | { readonly from: 'symbol' }
  /** a string the capture read from the object (iommu->name) */
  | { readonly from: 'string' };

/** A bool argument computed from a raw register the capture printed (VT-d capability bits). */
export interface BitSource {
  readonly field: 'cap' | 'ecap' | 'vccap';
  readonly bit: number;
}

export interface CaptureMapping {
  /** Kernel symbols whose probes produce this record (the record name first when it is a symbol). */
  readonly symbols: readonly string[];
  readonly names?: Readonly<Record<string, NameSource>>;
  readonly bits?: Readonly<Record<string, BitSource>>;
  /** Category of the name a pointer return gets. */
  readonly retCategory?: NameCategory;
  /** The argument whose object this call frees: its pointer gets a new name next time. */
  readonly retires?: string;
}

const ptr = (category: NameCategory): NameSource => ({ from: 'pointer', category });
const SYMBOL: NameSource = { from: 'symbol' };
const STRING: NameSource = { from: 'string' };
// include/linux/intel-iommu.h: cap_caching_mode = bit 7 of CAP, ecap_smts = bit 43 of ECAP, vccap_pasid = bit 0 of VCCAP (DMA_VCS_PAS).
const CACHING_MODE: BitSource = { field: 'cap', bit: 7 };
const SMTS: BitSource = { field: 'ecap', bit: 43 };
const VCCAP_PASID: BitSource = { field: 'vccap', bit: 0 };

export const CAPTURE_MAPPINGS: { readonly [F in CallName]: CaptureMapping } = {
  ioasid_register_allocator: {
    symbols: ['ioasid_register_allocator'],
    names: { ops: ptr('ops'), alloc: SYMBOL, free: SYMBOL, pdata: ptr('pdata') },
  },
  ioasid_unregister_allocator: { symbols: ['ioasid_unregister_allocator'], names: { ops: ptr('ops'), alloc: SYMBOL, free: SYMBOL } },
  ioasid_alloc: { symbols: ['ioasid_alloc'], names: { set: ptr('set'), private: ptr('mm') } },
  ioasid_free: { symbols: ['ioasid_free'] },
  ioasid_get: { symbols: ['ioasid_get'] },
  ioasid_put: { symbols: ['ioasid_put'] },
  ioasid_find: { symbols: ['ioasid_find'], names: { set: ptr('set'), getter: SYMBOL }, retCategory: 'mm' },
  ioasid_set_data: { symbols: ['ioasid_set_data'], names: { data: ptr('data') } },
  register_pasid_allocator: {
    symbols: ['register_pasid_allocator'],
    names: { iommu: STRING },
    bits: { cap_caching_mode: CACHING_MODE, ecap_smts: SMTS, vccap_pasid: VCCAP_PASID },
  },
  iommu_set_root_entry: { symbols: ['iommu_set_root_entry'], names: { iommu: STRING }, bits: { ecap_smts: SMTS } },
  // Not a function: the kit cannot probe it (it is a pr_warn); listed so hand-made captures still map.
  intel_iommu_sm_disable: { symbols: ['intel_iommu_sm_disable'], names: { iommu: STRING } },
  free_dmar_iommu: { symbols: ['free_dmar_iommu'], names: { iommu: STRING } },
  // The host's status (named as the kernel's switch names it) and PASID come from the response register (#21 C4).
  vcmd_alloc_pasid: { symbols: ['vcmd_alloc_pasid'], names: { iommu: STRING, status: STRING } },
  vcmd_free_pasid: { symbols: ['vcmd_free_pasid'], names: { iommu: STRING, status: STRING } },
  iommu_probe_device: { symbols: ['iommu_probe_device', '__iommu_probe_device'], names: { group: ptr('group'), iommu: STRING } },
  iommu_release_device: { symbols: ['iommu_release_device'] },
  iommu_domain_alloc: { symbols: ['iommu_domain_alloc', '__iommu_domain_alloc'], retCategory: 'domain' },
  iommu_sva_domain_alloc: { symbols: ['iommu_sva_domain_alloc'], names: { mm: ptr('mm') }, retCategory: 'domain' },
  iommu_domain_free: { symbols: ['iommu_domain_free'], names: { domain: ptr('domain') }, retires: 'domain' },
  iommu_attach_device_pasid: { symbols: ['iommu_attach_device_pasid'], names: { domain: ptr('domain'), handle: ptr('sva') } },
  iommu_detach_device_pasid: { symbols: ['iommu_detach_device_pasid'], names: { domain: ptr('domain') } },
  iommu_aux_attach_device: { symbols: ['iommu_aux_attach_device'], names: { domain: ptr('domain') } },
  iommu_aux_detach_device: { symbols: ['iommu_aux_detach_device'], names: { domain: ptr('domain') } },
  iommu_aux_get_pasid: { symbols: ['iommu_aux_get_pasid'], names: { domain: ptr('domain') } },
  iommu_replace_device_pasid: { symbols: ['iommu_replace_device_pasid'], names: { domain: ptr('domain'), handle: ptr('sva') } },
  set_dev_pasid: {
    // VT-d, AMD (amd/pasid.c names its SVA op iommu_sva_set_dev_pasid), ARM SMMUv3; VT-d's blocked
    // domain from v6.14, which removes a PASID (remove_dev_pasid is gone, 647b7aad1949).
    symbols: ['set_dev_pasid', 'intel_svm_set_dev_pasid', 'intel_iommu_set_dev_pasid', 'iommu_sva_set_dev_pasid', 'arm_smmu_sva_set_dev_pasid', 'blocking_domain_set_dev_pasid'],
    names: { domain: ptr('domain'), old: ptr('domain') },
  },
  remove_dev_pasid: {
    symbols: ['remove_dev_pasid', 'intel_iommu_remove_dev_pasid', 'intel_svm_remove_dev_pasid', 'amd_iommu_remove_dev_pasid', 'arm_smmu_remove_dev_pasid'],
    names: { domain: ptr('domain') },
  },
  pci_dev_reset_iommu_prepare: { symbols: ['pci_dev_reset_iommu_prepare'] },
  pci_dev_reset_iommu_done: { symbols: ['pci_dev_reset_iommu_done'] },
  iommu_sva_bind_device: { symbols: ['iommu_sva_bind_device'], names: { mm: ptr('mm'), drvdata: ptr('drvdata') }, retCategory: 'sva' },
  iommu_sva_unbind_device: { symbols: ['iommu_sva_unbind_device'], names: { handle: ptr('sva') }, retires: 'handle' },
  iommu_sva_get_pasid: { symbols: ['iommu_sva_get_pasid'], names: { handle: ptr('sva') } },
  mm_pasid_drop: { symbols: ['mm_pasid_drop'], names: { mm: ptr('mm') }, retires: 'mm' },
  iommu_alloc_global_pasid: { symbols: ['iommu_alloc_global_pasid'] },
  iommu_free_global_pasid: { symbols: ['iommu_free_global_pasid'] },
};

const CALL_BY_SYMBOL: ReadonlyMap<string, CallName> = new Map(
  (Object.keys(CAPTURE_MAPPINGS) as CallName[]).flatMap((fn) => CAPTURE_MAPPINGS[fn].symbols.map((s) => [s, fn] as const)),
);

/** The record a probed kernel symbol produces, or undefined for a function pasid-ledger does not model. */
export function callForSymbol(symbol: string): CallName | undefined {
  return CALL_BY_SYMBOL.get(symbol);
}

/** Calls that run in the binding task's context, so the task's thread group names the mm. */
export function namesMmByTask(fn: CallName): boolean {
  return fn === 'iommu_sva_bind_device' || fn === 'iommu_sva_domain_alloc';
}

