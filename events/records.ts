/**
 * The call records of a trace: one per kernel function, named and shaped as the kernel names them.
 * This table is the one source of the record schemas (events/schemas.ts) and of their types. Pure data.
 */
import type { FieldList, FieldsType } from './fields.js';

interface RecordSpec {
  /** Arguments under the kernel's parameter names (plus observed state the capture reads, documented). */
  readonly args: FieldList;
  /** Kind of the recorded return value. */
  readonly ret: 'retInt' | 'retIntValue' | 'retVoid' | 'retBool' | 'retIoasid' | 'retPasid' | 'retHandle' | 'retPtr' | 'retDomain';
  /** One line for `--help` and the README. */
  readonly doc: string;
}

export const RECORD_SPECS = {
  // drivers/iommu/ioasid.c (v5.5–v6.3)
  ioasid_register_allocator: {
    args: { ops: 'name', alloc: 'name', free: 'name', pdata: 'nameOrNull?' },
    ret: 'retInt',
    doc: 'register custom allocator ops; alloc/free name the helper functions (ksym of ops->alloc/free)',
  },
  ioasid_unregister_allocator: {
    args: { ops: 'name', alloc: 'name?', free: 'name?' },
    ret: 'retVoid',
    doc: 'unregister custom allocator ops (helpers default to those it was registered with)',
  },
  ioasid_alloc: {
    args: { set: 'nameOrNull', min: 'ioasid', max: 'ioasid', private: 'nameOrNull' },
    ret: 'retIoasid',
    doc: 'allocate an IOASID in [min, max] from the active allocator',
  },
  ioasid_free: { args: { ioasid: 'ioasid' }, ret: 'retVoid', doc: 'free an IOASID (v5.5–v5.10, v5.18–v6.3)' },
  ioasid_get: { args: { ioasid: 'ioasid' }, ret: 'retVoid', doc: 'take a reference on an IOASID (v5.11–v5.17)' },
  ioasid_put: { args: { ioasid: 'ioasid' }, ret: 'retBool', doc: 'drop a reference; true when it freed the IOASID (v5.11–v5.17)' },
  ioasid_find: {
    args: { set: 'nameOrNull', ioasid: 'ioasid', getter: 'nameOrNull?' },
    ret: 'retPtr',
    doc: 'look up the private data of an IOASID (RCU only)',
  },
  ioasid_set_data: { args: { ioasid: 'ioasid', data: 'nameOrNull' }, ret: 'retInt', doc: 'set the private data of an IOASID' },

  // drivers/iommu/intel/iommu.c (VT-d)
  register_pasid_allocator: {
    args: { iommu: 'name', cap_caching_mode: 'bool', ecap_smts: 'bool', vccap_pasid: 'bool' },
    ret: 'retVoid',
    doc: 'VT-d: register the vcmd custom PASID allocator of one IOMMU (capability bits as read from the unit)',
  },
  iommu_set_root_entry: {
    args: { iommu: 'name', ecap_smts: 'bool', smt: 'bool?' },
    ret: 'retVoid',
    doc: 'VT-d: program the root table; smt is the DMA_RTADDR_SMT bit written, if the capture saw it',
  },
  intel_iommu_sm_disable: {
    args: { iommu: 'name?' },
    ret: 'retVoid',
    doc: 'VT-d: `intel_iommu_sm = 0` (scalable mode switched off), as seen through its pr_warn',
  },
  free_dmar_iommu: { args: { iommu: 'name' }, ret: 'retVoid', doc: 'VT-d: tear down one IOMMU (init failure or hot-remove)' },
  // drivers/iommu/intel/pasid.c (VT-d in a guest, v5.8–v6.3): the host-side virtual command exchange.
  // `status` is the host's answer as the kernel's switch names it (SUCCESS, NO_PASID_AVAIL,
  // INVALID_PASID, or the raw code of any other answer; the raw codes moved between releases).
  vcmd_alloc_pasid: {
    args: { iommu: 'name', status: 'name?', pasid: 'pasid?' },
    ret: 'retInt',
    doc: "VT-d guest: ask the host for a PASID (VCMD_CMD_ALLOC); status is the host's answer, pasid the PASID it gave (VCMD_VRSP_RESULT_PASID)",
  },
  vcmd_free_pasid: {
    args: { iommu: 'name', pasid: 'pasid', status: 'name?' },
    ret: 'retVoid',
    doc: "VT-d guest: give a PASID back to the host (VCMD_CMD_FREE); status is the host's answer",
  },

  // drivers/iommu/iommu.c: devices, domains, PASID attach
  iommu_probe_device: {
    args: { dev: 'dev', max_pasids: 'maxPasids', group: 'name?', iommu: 'name?' },
    ret: 'retInt',
    doc: 'device probed by the IOMMU core; max_pasids as computed at probe (0 = no PASID, null = the capture could not read it)',
  },
  iommu_release_device: { args: { dev: 'dev' }, ret: 'retVoid', doc: 'device released by the IOMMU core' },
  iommu_domain_alloc: {
    args: { type: 'domainType', dev: 'dev?' },
    ret: 'retDomain',
    doc: 'allocate a domain of a type (paging/DMA/identity/blocked...)',
  },
  iommu_sva_domain_alloc: { args: { dev: 'dev', mm: 'name' }, ret: 'retDomain', doc: 'allocate an SVA domain wrapping mm (v6.2+)' },
  iommu_domain_free: { args: { domain: 'name' }, ret: 'retVoid', doc: 'free a domain' },
  iommu_attach_device_pasid: {
    args: { domain: 'name', dev: 'dev', pasid: 'pasid', handle: 'nameOrNull?' },
    ret: 'retInt',
    doc: 'attach a domain to a device PASID (v6.2+)',
  },
  iommu_detach_device_pasid: {
    args: { domain: 'name', dev: 'dev', pasid: 'pasid' },
    ret: 'retVoid',
    doc: 'detach a domain from a device PASID (v6.2+)',
  },
  iommu_replace_device_pasid: {
    args: { domain: 'name', dev: 'dev', pasid: 'pasid', handle: 'nameOrNull?' },
    ret: 'retInt',
    doc: 'replace the domain of an attached device PASID (newest kernels, iommufd)',
  },
  set_dev_pasid: {
    args: { domain: 'name', dev: 'dev', pasid: 'pasid', old: 'nameOrNull?' },
    ret: 'retInt',
    doc: 'driver op domain->ops->set_dev_pasid (usually nested in attach/replace/detach)',
  },
  remove_dev_pasid: {
    args: { dev: 'dev', pasid: 'pasid', domain: 'nameOrNull?' },
    ret: 'retVoid',
    doc: 'driver op remove_dev_pasid (usually nested in detach); domain passed from the attach-handle era on',
  },
  pci_dev_reset_iommu_prepare: { args: { dev: 'dev' }, ret: 'retInt', doc: 'PCI reset begins: the group blocks attach (v7.0+)' },
  pci_dev_reset_iommu_done: { args: { dev: 'dev' }, ret: 'retVoid', doc: 'PCI reset done (v7.0+)' },

  // drivers/iommu/iommu.c aux domains (v5.2–v5.17; VT-d aux_domain_add_dev / aux_domain_remove_dev)
  iommu_aux_attach_device: {
    args: { domain: 'name', dev: 'dev' },
    ret: 'retInt',
    doc: 'aux-attach a domain to a device (v5.2–v5.17): the first attach of the domain allocates its default PASID (nested ioasid_alloc)',
  },
  iommu_aux_detach_device: {
    args: { domain: 'name', dev: 'dev' },
    ret: 'retVoid',
    doc: "aux-detach (v5.2–v5.17): the domain's last device frees its default PASID (nested ioasid_free / ioasid_put)",
  },
  iommu_aux_get_pasid: { args: { domain: 'name', dev: 'dev' }, ret: 'retIntValue', doc: "the domain's default PASID, or -EINVAL without one (v5.2–v5.17)" },

  // drivers/iommu/iommu-sva.c (and iommu-sva-lib.c / iommu.c before v6.2)
  iommu_sva_bind_device: {
    args: { dev: 'dev', mm: 'name', drvdata: 'nameOrNull?' },
    ret: 'retHandle',
    doc: 'bind an mm to a device; returns the SVA handle name or an ERR_PTR errno',
  },
  iommu_sva_unbind_device: { args: { handle: 'name' }, ret: 'retVoid', doc: 'unbind an SVA handle' },
  iommu_sva_get_pasid: {
    args: { handle: 'name' },
    ret: 'retPasid',
    doc: "the PASID of an SVA handle (u32; IOMMU_PASID_INVALID without a driver op): record it next to the bind's handle",
  },
  mm_pasid_drop: { args: { mm: 'name' }, ret: 'retVoid', doc: 'mm exit (__mmput): drops the PASID of the mm (v5.18+)' },

  // global PASIDs (v6.6+)
  iommu_alloc_global_pasid: { args: { dev: 'dev' }, ret: 'retPasid', doc: 'allocate a global PASID in [1, max_pasids-1] (v6.6+)' },
  iommu_free_global_pasid: { args: { pasid: 'pasidOrInvalid' }, ret: 'retVoid', doc: 'free a global PASID (v6.6+)' },
} as const satisfies Record<string, RecordSpec>;

export type CallName = keyof typeof RECORD_SPECS;
export const CALL_NAMES = Object.keys(RECORD_SPECS) as CallName[];

type RetKind<F extends CallName> = (typeof RECORD_SPECS)[F]['ret'];

/** Fields every call record carries besides fn/args/ret. */
export const COMMON_FIELDS = {
  seq: 'count',
  ts: 'count',
  cpu: 'count',
  tid: 'count',
  parent: 'count?',
  comm: 'text?',
  /** Where the call returned to, as the capture printed it (`caller+off/size [mod]` or `0x…`). */
  caller: 'text?',
  /**
   * The kernel report (BUG, oops) that cut this call short: the task died inside it and it never
   * returned (no `ret`). The importer writes it from the capture's kernel log; the model decides the
   * call but none of its effects take effect (#20).
   */
  cutBy: 'text?',
} as const satisfies FieldList;

/** One call record of function F. `ret` is absent in scenario files (the model computes it). */
export type CallRecordOf<F extends CallName> = {
  readonly seq: number;
  readonly ts: number;
  readonly cpu: number;
  readonly tid: number;
  readonly parent?: number;
  readonly comm?: string;
  readonly caller?: string;
  readonly cutBy?: string;
  readonly fn: F;
  readonly args: FieldsType<(typeof RECORD_SPECS)[F]['args']>;
  readonly ret?: import('./fields.js').FieldType<RetKind<F>>;
};

/** Any call record: a union discriminated on `fn`. */
export type CallRecord = { [F in CallName]: CallRecordOf<F> }[CallName];

/** The value a call returns (what `ret` holds). */
export type Ret = number | string | boolean | null;

export const TRACE_FORMAT = 'pasid-ledger-trace' as const;
export const TRACE_FORMAT_VERSION = 1;
export const CAPTURE_SOURCES = ['hand-written', 'bpftrace', 'ftrace', 'generated', 'explored', 'scenario'] as const;

/** Line 1 of every trace. */
export interface TraceHeader {
  readonly type: 'header';
  readonly format: typeof TRACE_FORMAT;
  readonly version: number;
  /** Kernel version the trace was captured on, e.g. "6.8.0" or "6.2.0-rc3"; selects the rule profile. */
  readonly kernel: string;
  readonly source: (typeof CAPTURE_SOURCES)[number];
  readonly host?: Readonly<Record<string, string | number | boolean>>;
  readonly description?: string;
  /** What `import` kept and skipped of the capture this trace came from (absent in other traces). */
  readonly import?: ImportCounts;
}

/** The import's counts, repeated by `audit` so a trace with skipped calls never reads as complete. */
export interface ImportCounts {
  /** Records written. */
  readonly kept: number;
  /** Calls or lines that became no record. */
  readonly skipped: number;
  /** Why calls became no record: problem code → how many times (the import's stable codes, e.g. FIELD_INVALID). */
  readonly reasons: Readonly<Record<string, number>>;
  /** Notes about records that were kept: code → how many times (e.g. ENTRY_WITHOUT_RETURN, LOST_EVENTS). */
  readonly notes?: Readonly<Record<string, number>>;
  /** The kernel's WARN/BUG/oops reports during the capture, and the seqs of the calls each happened in. */
  readonly kernelReports?: readonly { readonly text: string; readonly tid: number; readonly rip?: string; readonly inside: readonly number[] }[];
  /** Events the tracer said it dropped. */
  readonly lostEvents: number;
}
