/**
 * The call registry: one definition per kernel function (machines/calls/<function>.ts), and what is
 * derived from them — the calls of a kernel version, the nested-call table, where each finding is
 * raised, the race explorer's footprints — plus `decideCall`, what the kernel does for one call.
 * Adding a kernel function is its schema row in events/records.ts and its file here (the mapped type
 * below then asks for its line). Pure apart from stepping the given world.
 */
import { CALL_NAMES, type CallName, type CallRecord, type CallRecordOf } from '../../events/records.js';
import type { FindingCode } from '../findings.js';
import type { Profile } from '../profile.js';
import type { CallDefinition } from '../kit/call.js';
import { EMPTY, OPEN_SCOPE, type Footprint, type FootprintScope } from '../kit/footprint.js';
import { inAnyRange, type KernelVersion } from '../kit/version.js';
import { newDecision, type Decision, type World } from '../kit/world.js';
import ioasid_register_allocator from './ioasid_register_allocator.js';
import ioasid_unregister_allocator from './ioasid_unregister_allocator.js';
import ioasid_alloc from './ioasid_alloc.js';
import ioasid_free from './ioasid_free.js';
import ioasid_get from './ioasid_get.js';
import ioasid_put from './ioasid_put.js';
import ioasid_find from './ioasid_find.js';
import ioasid_set_data from './ioasid_set_data.js';
import register_pasid_allocator from './register_pasid_allocator.js';
import iommu_set_root_entry from './iommu_set_root_entry.js';
import intel_iommu_sm_disable from './intel_iommu_sm_disable.js';
import free_dmar_iommu from './free_dmar_iommu.js';
import iommu_probe_device from './iommu_probe_device.js';
import iommu_release_device from './iommu_release_device.js';
import iommu_domain_alloc from './iommu_domain_alloc.js';
import iommu_sva_domain_alloc from './iommu_sva_domain_alloc.js';
import iommu_domain_free from './iommu_domain_free.js';
import iommu_attach_device_pasid from './iommu_attach_device_pasid.js';
import iommu_detach_device_pasid from './iommu_detach_device_pasid.js';
import iommu_replace_device_pasid from './iommu_replace_device_pasid.js';
import set_dev_pasid from './set_dev_pasid.js';
import remove_dev_pasid from './remove_dev_pasid.js';
import pci_dev_reset_iommu_prepare from './pci_dev_reset_iommu_prepare.js';
import pci_dev_reset_iommu_done from './pci_dev_reset_iommu_done.js';
import iommu_sva_bind_device from './iommu_sva_bind_device.js';
import iommu_sva_unbind_device from './iommu_sva_unbind_device.js';
import iommu_sva_get_pasid from './iommu_sva_get_pasid.js';
import mm_pasid_drop from './mm_pasid_drop.js';
import iommu_alloc_global_pasid from './iommu_alloc_global_pasid.js';
import iommu_free_global_pasid from './iommu_free_global_pasid.js';
import iommu_aux_attach_device from './iommu_aux_attach_device.js';
import iommu_aux_detach_device from './iommu_aux_detach_device.js';
import iommu_aux_get_pasid from './iommu_aux_get_pasid.js';
import vcmd_alloc_pasid from './vcmd_alloc_pasid.js';
import vcmd_free_pasid from './vcmd_free_pasid.js';

export const CALLS: { readonly [F in CallName]: CallDefinition<F> } = {
  ioasid_register_allocator, ioasid_unregister_allocator, ioasid_alloc, ioasid_free, ioasid_get, ioasid_put,
  ioasid_find, ioasid_set_data, register_pasid_allocator, iommu_set_root_entry, intel_iommu_sm_disable,
  free_dmar_iommu, iommu_probe_device, iommu_release_device, iommu_domain_alloc, iommu_sva_domain_alloc,
  iommu_domain_free, iommu_attach_device_pasid, iommu_detach_device_pasid, iommu_replace_device_pasid,
  set_dev_pasid, remove_dev_pasid, pci_dev_reset_iommu_prepare, pci_dev_reset_iommu_done,
  iommu_sva_bind_device, iommu_sva_unbind_device, iommu_sva_get_pasid, mm_pasid_drop, iommu_alloc_global_pasid, iommu_free_global_pasid,
  iommu_aux_attach_device, iommu_aux_detach_device, iommu_aux_get_pasid, vcmd_alloc_pasid, vcmd_free_pasid,
};

/** The definition of a record's function, typed by that function (so its footprint and decide take the record as it is). */
const definitionOf = <F extends CallName>(rec: CallRecordOf<F>): CallDefinition<F> => CALLS[rec.fn as F];

/** The calls that exist in a kernel version (each call's `exists`). */
export function callsOf(v: KernelVersion): ReadonlySet<CallName> {
  return new Set(CALL_NAMES.filter((fn) => inAnyRange(v, CALLS[fn].exists)));
}

/** The calls each call makes inside itself (the nested calls a capture may record under it). */
export const NESTED_CALLS: Partial<Record<CallName, readonly CallName[]>> = Object.fromEntries(
  CALL_NAMES.flatMap((fn) => (CALLS[fn].nested === undefined ? [] : [[fn, CALLS[fn].nested]])),
);

/** Whether the model of `parent` accounts for the calls nested in it. */
export function modelsNested(parent: CallName): boolean {
  return CALLS[parent].nested !== undefined;
}

/**
 * The kernel function a finding arises in, when that can be a call nested inside the recorded one
 * (bind → attach, register_pasid_allocator → ioasid_register_allocator): the audit then points at
 * the nested record, where the kernel printed its WARN or returned its error.
 */
export const RAISED_IN: Partial<Record<FindingCode, CallName>> = (() => {
  const out: Partial<Record<FindingCode, CallName>> = {};
  for (const fn of CALL_NAMES) {
    for (const code of CALLS[fn].raises ?? []) {
      if (out[code] !== undefined) throw new Error(`${code} is raised in both ${out[code]} and ${fn} (a pasid-ledger bug)`);
      out[code] = fn;
    }
  }
  return out;
})();

/** The footprint of one top-level call record under a profile (what the race explorer compares). */
export function footprint(rec: CallRecord, p: Profile, scope: FootprintScope = OPEN_SCOPE): Footprint {
  if (!p.calls.has(rec.fn)) return EMPTY;
  return footprintOf(rec, p, scope);
}

/**
 * Decides one top-level call record: steps the world and returns the return the kernel gives, the
 * facts, the findings and the nested calls the model expects. `children` are the nested records the
 * capture saw inside this call (they name objects the model cannot predict).
 */
export function decideCall(w: World, rec: CallRecord, children: readonly CallRecord[] = []): Decision {
  const d = newDecision();
  const p = w.profile;
  if (!p.calls.has(rec.fn)) {
    d.findings.push({
      code: 'CALL_NOT_IN_KERNEL',
      rule: `the kernel version map: ${rec.fn} is not in Linux ${p.major}.${p.minor}`,
      detail: `${rec.fn} does not exist in Linux ${p.major}.${p.minor} (era ${p.era}); the record was skipped`,
      objects: {},
    });
    return d;
  }
  decideOf(rec, w, p, d, children);
  return d;
}

function footprintOf<F extends CallName>(rec: CallRecordOf<F>, p: Profile, scope: FootprintScope): Footprint {
  return definitionOf(rec).footprint(rec, p, scope);
}

function decideOf<F extends CallName>(rec: CallRecordOf<F>, w: World, p: Profile, d: Decision, children: readonly CallRecord[]): void {
  definitionOf(rec).decide({ w, p, rec, d, children });
}
