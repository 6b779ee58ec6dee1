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
  // VT-d
  PasidAllocatorRegistrationFailed: { iommu: 'name' },
  RootTableProgrammed: { iommu: 'name', smt: 'bool' },
  ScalableModeDisabled: { iommu: 'nameOrNull' },
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
  MmPasidAssigned: { mm: 'name', pasid: 'count' },
  MmPasidReleased: { mm: 'name', pasid: 'count' },
  /** `keepsPasid`: live bonds pin the mm (v5.18-rc6+, 2667ed10d9f0), so its PASID stays until they go. */
  MmExited: { mm: 'name', keepsPasid: 'bool?' },
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
