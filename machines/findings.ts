/**
 * The finding catalogue: every lifecycle violation the machines can report, with the kernel's
 * reaction, the semantics reference (bug catalogue §A, sections §1–§5, orderings §B) and the fix.
 * Machines name a code in `decide({ finding })`; messages are filled from the call's arguments.
 * Pure data.
 */
import type { Profile } from './profile.js';

/** How the kernel reacts: returns an error (state unchanged), WARNs, only logs, or says nothing. */
export type Reaction = 'ERR' | 'WARN' | 'LOG' | 'SILENT';
/** `bug`: the kernel is left wrong or splats; `misuse`: refused or logged misuse; `info`: worth knowing. */
export type Severity = 'bug' | 'misuse' | 'info';

export interface FindingSpec {
  readonly ref: string;
  readonly reaction: Reaction | ((p: Profile) => Reaction);
  readonly severity: Severity | ((p: Profile) => Severity);
  /** Short title for the codes table. */
  readonly title: string;
  /** One sentence: what to fix. */
  readonly fix: string;
}

export const FINDINGS = {
  // ── IOASID allocator (ioasid.c) ──
  IOASID_FREE_UNKNOWN: {
    ref: 'A1 §1.6', reaction: 'LOG', severity: 'misuse',
    title: 'ioasid_free of an ID the active allocator does not hold',
    fix: 'free each IOASID exactly once, while the allocator that handed it out is still active',
  },
  IOASID_DOUBLE_FREE: {
    ref: 'A1 A2 §1.6 §1.7', reaction: 'LOG', severity: 'bug',
    title: 'a second ioasid_free/ioasid_put of an ID that was allocated and already released',
    fix: 'release each IOASID reference exactly once; the kernel only logs "Trying to free unknown IOASID"',
  },
  IOASID_STALE_RELEASE: {
    ref: 'A2 §1.6 §1.7', reaction: 'SILENT', severity: 'bug',
    title: 'an earlier holder released an ID after it was handed out again: the new owner loses it',
    fix: 'forget an IOASID once it is released; ioasid_free/ioasid_put do not check who holds the ID',
  },
  IOASID_FREE_BY_OTHER: {
    ref: '§1.6 §1.7', reaction: 'SILENT', severity: 'bug',
    title: 'an IOASID released by a caller that never held it (it holds IDs of another set)',
    fix: 'release only your own IDs: ioasid_free/ioasid_put take no set, so nothing stops a release of another owner\'s ID',
  },
  IOASID_PUT_UNKNOWN: {
    ref: 'A2 §1.7', reaction: 'LOG', severity: 'misuse',
    title: 'ioasid_put of an unknown or already freed ID (refcount underflow)',
    fix: 'balance ioasid_put with ioasid_alloc/ioasid_get; the extra put hits a freed (or reused) ID',
  },
  IOASID_GET_UNKNOWN: {
    ref: 'A3 §1.7', reaction: 'WARN', severity: 'bug',
    title: 'ioasid_get of an unknown or freed ID',
    fix: 'take references only while the IOASID is allocated (check ownership before ioasid_get)',
  },
  IOASID_SET_DATA_UNKNOWN: {
    ref: 'A13 §1.9', reaction: 'ERR', severity: 'misuse',
    title: 'ioasid_set_data on an unknown ID',
    fix: 'set private data only on an allocated IOASID of the active allocator',
  },
  IOASID_FIND_MISS: {
    ref: 'A14 §1.8', reaction: 'ERR', severity: 'info',
    title: 'ioasid_find of an unknown ID or an ID of another set',
    fix: 'look up only IDs of your own set that are allocated in the active allocator',
  },
  IOASID_ALLOC_FAILED: {
    ref: 'A17 §1.5 §2.4', reaction: 'LOG', severity: 'misuse',
    title: 'ioasid_alloc returned INVALID_IOASID',
    fix: 'check the range and the allocator (host out of PASIDs for VT-d vcmd); handle INVALID_IOASID',
  },
  IOASID_DUPLICATE_IN_USE: {
    ref: 'A10 §1.4', reaction: 'SILENT', severity: 'bug',
    title: 'an ID is handed out while the same number is still held as an orphan of a retired allocator',
    fix: 'free every IOASID before its allocator is unregistered; the orphan and the new ID now alias',
  },
  VTD_VCMD_HOST_DUPLICATE: {
    ref: '§1.5 §2.3 §2.5 (#21 C4)', reaction: 'LOG', severity: 'bug',
    title: 'the VT-d host answered a guest PASID allocation with a PASID the guest still tracks (ioasid_alloc fails; with no private data the guest gives the live PASID back to the host)',
    fix: 'the VMM hands out a PASID twice, or the guest lost a free: check the host PASID allocator',
  },
  VTD_VCMD_UNEXPECTED_STATUS: {
    ref: '§2.3 §2.5 (#21 C4)', reaction: 'LOG', severity: 'bug',
    title: 'the VT-d host answered a PASID allocation with a status the kernel does not know (vcmd_alloc_pasid: pr_warn "Unexpected error code", -ENODEV)',
    fix: 'check the VMM\'s virtual command emulation (VCMD/VCRSP registers)',
  },
  VTD_VCMD_FREE_REFUSED: {
    ref: '§2.5 (#21 C4)', reaction: 'LOG', severity: 'bug',
    title: 'the VT-d host refused a PASID the guest gave back (vcmd_free_pasid: INVALID_PASID, pr_info "Invalid PASID"; any other status, pr_warn)',
    fix: 'free each host PASID once; check the capture for a lost allocation, or the VMM\'s virtual command emulation',
  },
  IOASID_COLLISION: {
    ref: '§1.2 §1.5 (#21 B8)', reaction: 'SILENT', severity: 'bug',
    title: 'an ioasid_alloc returned an IOASID the model says another owner (an mm, a domain, a thread) still holds (xa_alloc never does: lost release records, or two owners now share it)',
    fix: 'check the capture for lost ioasid_free/ioasid_put/unbind records; otherwise the two owners share one PASID',
  },
  IOASID_LEAKED: {
    ref: 'A6', reaction: 'SILENT', severity: 'bug',
    title: 'IOASID never freed by the end of the trace',
    fix: 'free (or put) every IOASID its owner allocated; for SVA PASIDs, let the mm exit',
  },
  IOASID_ORPHANED: {
    ref: 'A9 §1.4', reaction: 'SILENT', severity: 'bug',
    title: 'IOASIDs orphaned by unregistering their allocator (still orphaned at end of trace)',
    fix: 'free the IDs before the last allocator of a helper group is unregistered',
  },
  ALLOCATOR_REGISTER_OUTSTANDING: {
    ref: 'A7 §1.3', reaction: 'ERR', severity: 'misuse',
    title: 'first custom allocator registered while the default allocator has outstanding IDs (-EAGAIN)',
    fix: 'register the custom allocator before any ioasid_alloc (early in boot, before the first user)',
  },
  ALLOCATOR_ALREADY_REGISTERED: {
    ref: 'A8 §1.3', reaction: 'ERR', severity: 'bug',
    title: 'the same ops registered twice: -EEXIST, but ops->list is left pointing into the freed temporary allocator',
    fix: 'register each ioasid_allocator_ops once; the -EEXIST path has already overwritten ops->list',
  },
  ALLOCATOR_LIST_CORRUPT: {
    ref: 'A8 §1.3 §1.4 (issue #20)', reaction: 'WARN', severity: 'bug',
    title: 'an allocator list operation follows the ops->list an -EEXIST left in freed memory (list_del corruption: BUG with CONFIG_BUG_ON_DATA_CORRUPTION, silent write after free without CONFIG_DEBUG_LIST)',
    fix: 'never register an ops twice; after the -EEXIST the ops cannot be unregistered safely',
  },
  ALLOCATOR_OPS_USE_AFTER_UNREGISTER: {
    ref: 'A12 §1.4', reaction: 'SILENT', severity: 'bug',
    title: 'an allocation or free goes through the alloc/free/pdata of a head ops that was unregistered (use after free for VT-d: the unit is gone)',
    fix: 'unregister the sharers before the head ops, or keep the head registered while its entry has sharers',
  },
  ALLOCATOR_REREGISTER_SHARER: {
    ref: 'A12b §1.3', reaction: 'SILENT', severity: 'bug',
    title: 're-registration of an ops that already shares helpers: returns 0, list node added twice',
    fix: 'never register an ops that is already registered; the -EEXIST check misses sharers',
  },
  ALLOCATOR_UNREGISTER_OUTSTANDING: {
    ref: 'A9 §1.4', reaction: 'WARN', severity: 'bug',
    title: 'last allocator of a helper group unregistered with outstanding IDs (IDs orphaned)',
    fix: 'free every IOASID of that allocator before unregistering it (vIOMMU hot-unplug)',
  },
  ALLOCATOR_UNREGISTER_NONE: {
    ref: 'A11 §1.4', reaction: 'LOG', severity: 'misuse',
    title: 'unregister while no custom allocator is registered',
    fix: 'unregister only what was registered (and registered successfully)',
  },
  ALLOCATOR_UNREGISTER_UNKNOWN: {
    ref: '§1.4', reaction: 'SILENT', severity: 'misuse',
    title: 'unregister of ops whose helpers match no registered allocator (no-op)',
    fix: 'unregister only ops that were registered successfully',
  },
  ALLOCATOR_UNREGISTER_OTHER_OPS: {
    ref: '§1.4', reaction: 'SILENT', severity: 'bug',
    title: 'unregister removed the allocator of another ops with the same helpers',
    fix: 'unregister only registered ops: the lookup matches helpers, not the ops pointer',
  },
  ALLOCATOR_DANGLING_PDATA: {
    ref: 'A12 §1.4', reaction: 'SILENT', severity: 'bug',
    title: 'unregistered ops was the head of a shared allocator: its pdata stays in use',
    fix: 'unregister sharers in reverse order, or re-point the entry before freeing the ops owner',
  },
  // ── VT-d ──
  VTD_ALLOCATOR_REGISTRATION_FAILED: {
    ref: 'A15 §2.1', reaction: 'LOG', severity: 'bug',
    title: 'VT-d vcmd allocator registration failed: scalable mode switched off',
    fix: 'register the vcmd allocator before any PASID is allocated (intel_iommu_init ordering)',
  },
  VTD_SM_DISABLED_AFTER_ROOT: {
    ref: 'A16 §2.2', reaction: 'SILENT', severity: 'bug',
    title: 'scalable mode switched off after a root table was programmed with SMT',
    fix: 'fail early instead: scalable mode cannot be switched off once DMA_RTADDR_SMT is programmed',
  },
  VTD_ROOT_MODE_MISMATCH: {
    ref: '§2.2', reaction: 'SILENT', severity: 'info',
    title: 'root table SMT bit differs from what scalable mode predicts',
    fix: 'check intel_iommu_sm and ecap_smts at iommu_set_root_entry',
  },
  VTD_VCMD_FREE_ACTIVE: {
    ref: 'A18 §2.5', reaction: 'LOG', severity: 'bug',
    title: 'vcmd free of an IOASID that still has private data: host PASID leaked',
    fix: 'clear the private data (ioasid_set_data(id, NULL)) before ioasid_free',
  },
  // ── SVA ──
  SVA_BIND_NO_PASID_SUPPORT: {
    ref: 'A19 §3.4 §3.5', reaction: 'ERR', severity: 'misuse',
    title: 'SVA bind on a device with max_pasids 0',
    fix: 'enable PASID on the device (or do not bind it)',
  },
  SVA_BIND_PASID_OUT_OF_RANGE: {
    ref: 'A20 §3.2–§3.5', reaction: 'ERR', severity: 'misuse',
    title: "SVA bind: the mm's PASID is outside the device's range (-EOVERFLOW)",
    fix: 'bind the device with the smallest PASID range first, or give the devices equal ranges',
  },
  SVA_BIND_SLOT_BUSY: {
    ref: 'A21 §3.4', reaction: 'ERR', severity: 'misuse',
    title: "SVA bind: the mm's PASID slot holds a non-SVA domain (-EBUSY)",
    fix: 'detach the non-SVA domain from that PASID first',
  },
  SVA_BIND_BAD_RANGE: {
    ref: 'A22 §3.3', reaction: 'ERR', severity: 'misuse',
    title: 'SVA bind with an empty PASID range (-EINVAL)',
    fix: 'the device needs max_pasids >= 2 for SVA',
  },
  SVA_BIND_GROUP_NOT_SINGLETON: {
    ref: 'A23 §3.1', reaction: 'ERR', severity: 'misuse',
    title: 'SVA bind on a device whose group has several devices (-EINVAL)',
    fix: 'SVA needs a singleton IOMMU group (ACS on the path)',
  },
  SVA_BIND_AFTER_EXIT: {
    ref: 'A24 §3.3', reaction: 'SILENT', severity: 'bug',
    title: 'SVA bind of an mm that has exited (caller held no mm_users)',
    fix: 'hold an mm_users reference (mmget) across iommu_sva_bind_device',
  },
  SVA_BIND_TWICE_BUSY: {
    ref: 'A27 §3.5', reaction: 'ERR', severity: 'misuse',
    title: 'second bind of the same (device, mm) fails -EBUSY (v6.8 regression)',
    fix: 'reuse the first handle, or run a kernel with per-handle SVA refcounts',
  },
  SVA_UNBIND_FREED_HANDLE: {
    ref: 'A25 §3.4', reaction: 'SILENT', severity: 'bug',
    title: 'unbind of an SVA handle that was already unbound (use-after-free)',
    fix: 'unbind each handle exactly once',
  },
  SVA_BOND_LEAKED: {
    ref: 'A26 §3.4', reaction: 'SILENT', severity: 'bug',
    title: 'SVA bond never unbound by the end of the trace',
    fix: 'unbind from the driver release path (file release, mmu_notifier release)',
  },
  MM_EXIT_WITH_BONDS: {
    ref: '§B.2.6 §3.3 §3.4', reaction: 'SILENT', severity: (p) => (p.mmPasidDropAtMmdrop ? 'info' : 'bug'),
    title: 'mm_pasid_drop while SVA bonds still use the PASID (v5.18-rc1..rc5: freed under the bonds; from v5.18-rc6 a bond pins the mm, so the capture lost unbind/iommu_domain_free records)',
    fix: 'v5.18-rc1..rc5: unbind every bond before the mm exits; later kernels: check the capture for lost events (mm_pasid_drop runs at __mmdrop)',
  },
  SVA_BIND_NO_DRIVER: {
    ref: 'A4 §3.1', reaction: 'ERR', severity: 'misuse',
    title: 'SVA bind where no IOMMU driver implements sva_bind (-ENODEV: v5.5–v5.7, SMMUv3 before v5.11)',
    fix: 'SVA needs Linux 5.8 (Intel) or 5.11 (SMMUv3); before that use the vendor API',
  },
  SVA_BIND_DISABLED_X86: {
    ref: '§3.1 (CVE-2025-71089)', reaction: 'ERR', severity: 'info',
    title: 'SVA bind on an x86 stable kernel that disables SVA (-EOPNOTSUPP for every bind)',
    fix: 'run a kernel with the full stale-IOTLB series (mainline v6.19+), or a stable kernel before the backport',
  },
  // ── PASID attach/detach (iommu.c) ──
  ATTACH_BUSY: {
    ref: 'A29 §4.1', reaction: 'ERR', severity: 'misuse',
    title: 'attach to a PASID that already has a domain (-EBUSY)',
    fix: 'detach (or replace) the current domain first',
  },
  ATTACH_PASID_OUT_OF_RANGE: {
    ref: 'A30 §4.1', reaction: (p) => (p.attachChecksMaxPasids ? 'ERR' : 'SILENT'), severity: 'bug',
    title: "attach with pasid >= the device's max_pasids",
    fix: 'allocate the PASID for this device (iommu_alloc_global_pasid(dev)) so it fits its range',
  },
  ATTACH_PASID_ZERO: {
    ref: 'A31 §4.1', reaction: (p) => (p.attachChecksPasidZero ? 'ERR' : 'SILENT'), severity: 'bug',
    title: 'attach to PASID 0 (IOMMU_NO_PASID, the RID slot)',
    fix: 'PASID 0 is reserved for DMA without PASID; use a PASID from the global allocator',
  },
  ATTACH_NO_PASID_SUPPORT: {
    ref: 'A32 §4.1', reaction: 'ERR', severity: 'misuse',
    title: 'attach/bind on a device that is released or has no IOMMU group',
    fix: 'attach only to probed devices',
  },
  ATTACH_DURING_RESET: {
    ref: 'A33 §4.1', reaction: 'ERR', severity: 'misuse',
    title: 'attach while the group is being reset (-EBUSY)',
    fix: 'retry after pci_dev_reset_iommu_done',
  },
  ATTACH_FREED_DOMAIN: {
    ref: '§4 (inference)', reaction: 'SILENT', severity: 'bug',
    title: 'attach of a domain that was already freed (use-after-free)',
    fix: 'allocate a new domain; never reuse a freed one',
  },
  DETACH_WRONG_DOMAIN: {
    // VT-d's removal WARNs once from v6.10, when it is handed the caller's domain (#21 B10).
    ref: 'A34 §4.2', reaction: (p) => (p.detachWarnsOnMismatch || (p.vendor === 'intel' && p.removeDevPasidGetsDomain) ? 'WARN' : 'SILENT'), severity: 'bug',
    title: 'detach with a domain other than the attached one (from v6.10 the driver tears down with the wrong domain: VT-d drops its references, see VTD_DOMAIN_REFCOUNT_CORRUPT)',
    fix: 'pass the domain that is attached to that PASID (the driver needs the old domain to flush)',
  },
  DETACH_NOT_ATTACHED: {
    ref: 'A35 §4.2', reaction: (p) => (p.detachWarnsOnMismatch ? 'WARN' : 'SILENT'), severity: 'bug',
    title: 'detach of a PASID that has nothing attached',
    fix: 'detach only what was attached (check the attach return value)',
  },
  DETACH_FREED_DOMAIN: {
    ref: 'A37 §4.2 (#21 B6)', reaction: 'SILENT', severity: 'bug',
    title: 'detach that hands a freed domain to the driver (use-after-free: from v6.10 the driver gets the caller\'s domain; in every era when the slot still holds the freed domain)',
    fix: 'detach before iommu_domain_free, and never name a domain after its free',
  },
  VTD_DOMAIN_REFCOUNT_CORRUPT: {
    ref: 'A34 §4.2 (#21 B10, CVE-2026-53281)', reaction: 'SILENT', severity: 'bug',
    title: 'VT-d domain_detach_iommu finds no per-IOMMU info of the domain: NULL dereference (a wrong-domain detach dropped a reference it never held)',
    fix: 'pass the attached domain to iommu_detach_device_pasid; kernels with 79ea2feb917b (7.0.10, 6.18.33) return early instead',
  },
  AUX_ATTACH_NOT_AUX: {
    ref: '#21 C5', reaction: 'ERR', severity: 'misuse',
    title: 'aux attach of a domain that is not an unmanaged domain (-EPERM, v5.2–v5.17)',
    fix: 'aux-attach only IOMMU_DOMAIN_UNMANAGED domains, after iommu_dev_enable_feature(IOMMU_DEV_FEAT_AUX)',
  },
  AUX_ATTACH_NO_PASID: {
    ref: '#21 C5', reaction: 'LOG', severity: 'misuse',
    title: 'aux attach could not allocate the domain\'s default PASID ("Can\'t allocate default pasid", -ENODEV)',
    fix: 'the PASID space of the device is exhausted: free unused IOASIDs',
  },
  AUX_REATTACH_FREED_PASID: {
    ref: '#21 C5', reaction: 'SILENT', severity: 'bug',
    title: 'aux attach of a domain whose default PASID was freed at its last aux detach: the freed number is programmed again (VT-d does not reset default_pasid)',
    fix: 'free the aux domain after its last aux detach and allocate a new one',
  },
  AUX_DETACH_NOT_ATTACHED: {
    ref: '#21 C5', reaction: 'SILENT', severity: 'misuse',
    title: 'aux detach of a (domain, device) pair that is not aux-attached',
    fix: 'aux-detach only what was aux-attached (check the aux attach return value)',
  },
  AUX_GET_PASID_NONE: {
    ref: '#21 C5', reaction: 'ERR', severity: 'misuse',
    title: 'iommu_aux_get_pasid of a domain that was never aux-attached (-EINVAL)',
    fix: 'aux-attach the domain first; its default PASID is allocated then',
  },
  ATTACH_LEAKED: {
    ref: 'A36 §4', reaction: 'SILENT', severity: 'bug',
    title: 'PASID attachment never detached by the end of the trace',
    fix: 'detach every PASID before freeing its PASID or domain (driver remove path)',
  },
  DOMAIN_FREE_ATTACHED: {
    ref: 'A37', reaction: 'SILENT', severity: 'bug',
    title: 'domain freed while still attached to a PASID (use-after-free)',
    fix: 'detach the domain from every PASID before iommu_domain_free',
  },
  DOMAIN_DOUBLE_FREE: {
    ref: 'A37 (inference)', reaction: 'SILENT', severity: 'bug',
    title: 'domain freed twice',
    fix: 'free each domain once',
  },
  REPLACE_NOT_ATTACHED: {
    ref: 'A42 §4.3', reaction: 'ERR', severity: 'misuse',
    title: 'replace on a PASID with nothing attached (-EINVAL)',
    fix: 'attach first; replace swaps an existing attachment',
  },
  REPLACE_SAME_HANDLE: {
    ref: 'A42 §4.3', reaction: 'WARN', severity: 'bug',
    title: 'replace with the handle that is already installed (WARN, -EINVAL)',
    fix: 'pass a new attach handle to iommu_replace_device_pasid',
  },
  DEVICE_RELEASED_WITH_PASIDS: {
    ref: '§4 (inference)', reaction: 'SILENT', severity: 'bug',
    title: 'device released while PASIDs are still attached or bound',
    fix: 'unbind and detach every PASID of the device in its remove path',
  },
  // ── global PASIDs (v6.6+) ──
  GLOBAL_PASID_FREE_INVALID: {
    ref: 'A38 §5', reaction: 'WARN', severity: 'bug',
    title: 'iommu_free_global_pasid(IOMMU_PASID_INVALID)',
    fix: 'check the allocation result before freeing; do not free IOMMU_PASID_INVALID',
  },
  GLOBAL_PASID_DOUBLE_FREE: {
    ref: 'A39 §5 (#21 B1)', reaction: 'WARN', severity: 'bug',
    title: 'iommu_free_global_pasid of a PASID that was allocated and already freed (ida_free WARN)',
    fix: 'free each global PASID once',
  },
  GLOBAL_PASID_FREE_UNKNOWN: {
    ref: 'A39 §5 (#21 B1)', reaction: 'WARN', severity: 'misuse',
    title: 'iommu_free_global_pasid of a PASID the capture never saw allocated (ida_free WARN)',
    fix: 'free only PASIDs you allocated (or start the capture before the allocation)',
  },
  GLOBAL_PASID_STALE_FREE: {
    ref: '§5 (#21 B2)', reaction: 'SILENT', severity: 'bug',
    title: 'an earlier holder freed a global PASID after it was handed out again: the new owner loses it',
    fix: 'forget a PASID once you free it; ida_free does not check who holds the ID',
  },
  GLOBAL_PASID_FREE_BY_OTHER: {
    ref: '§5 (#21 B3)', reaction: 'SILENT', severity: 'bug',
    title: 'a thread that holds global PASIDs of its own freed one it never held: the owner loses it (ida_free takes no owner)',
    fix: 'free only the PASIDs your driver allocated; pass the PASID to the owner\'s teardown instead',
  },
  GLOBAL_PASID_COLLISION: {
    ref: '§5 (#21 B8)', reaction: 'SILENT', severity: 'bug',
    title: 'an allocation returned a global PASID the model says another owner still holds (the IDA never does: lost free records, or two owners now share it)',
    fix: 'check the capture for lost iommu_free_global_pasid/mm_pasid_drop records; otherwise the two owners share one PASID',
  },
  GLOBAL_PASID_SECOND_OWNER: {
    ref: 'A40 §5.1 §B.2.7 (#21 B7)', reaction: 'SILENT', severity: 'bug',
    title: 'a global PASID freed while attached is handed to (or attached by) a new owner while the old attachment lives on',
    fix: 'detach every attachment of a PASID before iommu_free_global_pasid',
  },
  GLOBAL_PASID_FREE_ATTACHED: {
    ref: 'A40 §5.1 §B.2.7', reaction: 'SILENT', severity: 'bug',
    title: 'global PASID freed while still attached to a device (free before detach)',
    fix: 'detach (iommu_detach_device_pasid) before iommu_free_global_pasid',
  },
  GLOBAL_PASID_EXHAUSTED: {
    ref: 'A41 §5', reaction: 'ERR', severity: 'misuse',
    title: 'iommu_alloc_global_pasid returned IOMMU_PASID_INVALID (max_pasids 0, or its range exhausted)',
    fix: 'the device has no PASID support or its range is exhausted; free unused PASIDs',
  },
  GLOBAL_PASID_LEAKED: {
    ref: 'A6 §5', reaction: 'SILENT', severity: 'bug',
    title: 'global PASID never freed by the end of the trace',
    fix: 'free the PASID in the driver teardown (after detach)',
  },
  // ── the trace against the model ──
  RET_MISMATCH: {
    ref: '§1–§5', reaction: 'SILENT', severity: 'bug',
    title: "the recorded return differs from the kernel's rules",
    fix: 'check the kernel version in the header (--kernel), lost events in the capture, or a kernel change the model lacks',
  },
  CALL_NOT_IN_KERNEL: {
    ref: 'version map', reaction: 'SILENT', severity: 'misuse',
    title: 'a call that does not exist in this kernel version',
    fix: 'set the right kernel version in the header (or --kernel); the call was skipped',
  },
  NESTED_CALL_UNEXPECTED: {
    ref: '§3–§5', reaction: 'SILENT', severity: 'info',
    title: 'a nested call of a kind the enclosing call makes, but not at this point under the model',
    fix: 'check the parent field of the record, the kernel version, or lost events',
  },
  NESTED_CALL_MISMATCH: {
    ref: '§3–§5', reaction: 'SILENT', severity: 'bug',
    title: 'a nested call whose arguments or return differ from what the enclosing call does',
    fix: 'check the capture (lost events?) or the kernel version',
  },
} as const satisfies Record<string, FindingSpec>;

export type FindingCode = keyof typeof FINDINGS;
export const FINDING_CODES = Object.keys(FINDINGS) as FindingCode[];

export function severityOf(code: FindingCode, p: Profile): Severity {
  const s: FindingSpec['severity'] = FINDINGS[code].severity;
  return typeof s === 'function' ? s(p) : s;
}

export function reactionOf(code: FindingCode, p: Profile): Reaction {
  const r: FindingSpec['reaction'] = FINDINGS[code].reaction;
  return typeof r === 'function' ? r(p) : r;
}
