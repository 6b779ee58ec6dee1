/**
 * Facts: what the model derived from each call, in the past tense. The event log is a list of these;
 * projections fold them. This table is the one source of their schemas and types. Pure data.
 * Every fact carries `seq`, the call record it follows from.
 */
import type { FieldList, FieldsType } from './fields.js';

export const FACT_SPECS = {
  // IOASID allocator (ioasid.c). `space` names the ID space: "default" or a custom helper group.
  AllocatorRegistered: { ops: 'name', alloc: 'name', free: 'name', pdata: 'nameOrNull', role: 'text', space: 'name' },
  AllocatorUnregistered: { ops: 'name', space: 'name', removed: 'bool' },
  AllocatorSwitched: { from: 'name', to: 'name' },
  IoasidAllocated: { space: 'name', ioasid: 'count', set: 'nameOrNull', private: 'nameOrNull', refs: 'count' },
  IoasidFreed: { space: 'name', ioasid: 'count' },
  IoasidGot: { space: 'name', ioasid: 'count', refs: 'count' },
  IoasidPut: { space: 'name', ioasid: 'count', refs: 'count' },
  IoasidDataSet: { space: 'name', ioasid: 'count', data: 'nameOrNull' },
  IoasidOrphaned: { space: 'name', ioasid: 'count' },
  /** ioasid_register_allocator -EEXIST for an ops already on the list: its list node now points into freed allocator data (issue #20). */
  AllocatorListNodeDangling: { ops: 'name' },
  /** ioasid_unregister_allocator hit that dangling node (list_del corruption BUG): the ops is off the list, the entry as it was. */
  AllocatorListCorrupted: { ops: 'name', space: 'name' },
  /**
   * Who took a reference of an IOASID, as the trace shows it (the kernel keeps no holders): the tid of
   * a top-level ioasid_alloc/ioasid_get, or the object a nested one was made for; `fresh` for a new
   * allocation (a new generation of the number). Checked against later releases (#21 B2, B3).
   */
  IoasidHolderAdded: { space: 'name', ioasid: 'count', holder: 'name', fresh: 'bool' },
  /** The number was freed at record `at`: its holders become earlier holders (#21 B1, B2). */
  IoasidHoldersReleased: { space: 'name', ioasid: 'count', at: 'count' },
  // VT-d
  PasidAllocatorRegistrationFailed: { iommu: 'name' },
  RootTableProgrammed: { iommu: 'name', smt: 'bool' },
  ScalableModeDisabled: { iommu: 'nameOrNull' },
  /** register_pasid_allocator stopped before registering (bare metal, scalable mode off, no vcmd); what it read of vccap. */
  PasidAllocatorSkipped: { iommu: 'name', vccap_pasid: 'bool' },
  /** register_pasid_allocator filled in iommu->pasid_allocator and calls ioasid_register_allocator with it. */
  PasidAllocatorRegistering: { iommu: 'name', ops: 'name' },
  PasidAllocatorRegistered: { iommu: 'name' },
  /** free_dmar_iommu: the unit is gone. */
  DmarUnitFreed: { iommu: 'name' },
  // devices, domains, PASID slots
  DeviceProbed: { dev: 'dev', max_pasids: 'maxPasids', group: 'name' },
  DeviceReleased: { dev: 'dev' },
  DomainAllocated: { domain: 'name', domain_type: 'domainType', mm: 'nameOrNull' },
  DomainFreed: { domain: 'name' },
  PasidAttached: { group: 'name', dev: 'dev', pasid: 'pasid', domain: 'name', handle: 'name?' },
  PasidDetached: { group: 'name', dev: 'dev', pasid: 'pasid', domain: 'name' },
  PasidReplaced: { group: 'name', dev: 'dev', pasid: 'pasid', from: 'name', to: 'name', handle: 'name?' },
  GroupResetStarted: { group: 'name', dev: 'dev' },
  GroupResetDone: { group: 'name', dev: 'dev' },
  /** v5.2–v5.17 aux domains: `pasid` is the domain's default PASID when the capture shows it (C5). */
  AuxDomainAttached: { domain: 'name', dev: 'dev', pasid: 'count?' },
  /** `last`: the domain's last aux device, whose unlink frees the default PASID (domain->default_pasid is not reset). */
  AuxDomainDetached: { domain: 'name', dev: 'dev', last: 'bool' },
  /** The bound a run of global PASID allocations ending in exhaustion shows (#21 B11): max_pasids <= this. */
  DeviceMaxPasidsInferred: { dev: 'dev', max_pasids: 'maxPasids' },
  /** VT-d (v6.10+) dropped a per-IOMMU reference of a domain a wrong-domain detach named (domain_detach_iommu, #21 B10). */
  VtdDomainRefDropped: { domain: 'name' },
  // SVA
  /** `intel_svm`: intel_svm_bind_mm allocated it (Intel ≤ v5.13): one reference per mm, dropped with its last bond. */
  MmPasidAssigned: { mm: 'name', pasid: 'count', intel_svm: 'bool?' },
  MmPasidReleased: { mm: 'name', pasid: 'count' },
  /** `keepsPasid`: live bonds pin the mm (v5.18-rc6+, 2667ed10d9f0), so its PASID stays until they go. */
  MmExited: { mm: 'name', keepsPasid: 'bool?' },
  /** iommu_mm->sva_domains (v6.8+) gains or loses an SVA domain (list_add: the newest is tried first). */
  MmSvaDomainAdded: { mm: 'name', domain: 'name' },
  MmSvaDomainRemoved: { mm: 'name', domain: 'name' },
  SvaBound: { handle: 'name', dev: 'dev', mm: 'name', pasid: 'count', domain: 'nameOrNull', users: 'count' },
  SvaUnbound: { handle: 'name', dev: 'dev', mm: 'name', domain: 'nameOrNull', users: 'signed' },
  SvaDomainUsersChanged: { domain: 'name', users: 'signed' },
  // global PASIDs (v6.6+)
  /** `holder`: the thread of a top-level iommu_alloc_global_pasid (who may free it, #21 B2/B3). */
  GlobalPasidAllocated: { pasid: 'count', dev: 'nameOrNull', mm: 'nameOrNull', holder: 'name?' },
  /** `by`: the thread of a top-level iommu_free_global_pasid. */
  GlobalPasidFreed: { pasid: 'count', by: 'name?' },
} as const satisfies Record<string, FieldList>;

export type FactType = keyof typeof FACT_SPECS;
export const FACT_TYPES = Object.keys(FACT_SPECS) as FactType[];

export type FactOf<T extends FactType> = { readonly type: T; readonly seq: number } & FieldsType<(typeof FACT_SPECS)[T]>;
/** Any fact: a union discriminated on `type`. */
export type Fact = { [T in FactType]: FactOf<T> }[FactType];
/** A fact before the replay stamps it with the seq of its call record. */
export type FactBody = { [T in FactType]: Omit<FactOf<T>, 'seq'> }[FactType];

export const LOG_FORMAT = 'pasid-ledger-log' as const;
export const LOG_FORMAT_VERSION = 1;

/** Line 1 of every derived-event log. */
export interface LogHeader {
  readonly type: 'header';
  readonly format: typeof LOG_FORMAT;
  readonly version: number;
  /** Kernel version of the trace the facts were derived from. */
  readonly kernel?: string;
  /** Display name of that trace. */
  readonly trace?: string;
  readonly host?: Readonly<Record<string, string | number | boolean>>;
  readonly description?: string;
}
