/**
 * Every call record's model, by kernel function name, and `decideCall`: what the kernel does for
 * one call under the trace's profile. Pure apart from stepping the given world.
 */
import type { CallName, CallRecord } from '../../events/records.js';
import { newDecision, type Decision, type World } from '../kit/world.js';
import type { CallModel } from './callContext.js';
import * as ioasid from './ioasid.calls.js';
import * as vtd from './vtd.calls.js';
import * as device from './device.calls.js';
import * as sva from './sva.calls.js';
import * as global from './global.calls.js';

export const CALL_MODELS: { readonly [F in CallName]: CallModel<F> } = {
  ioasid_register_allocator: ioasid.ioasid_register_allocator,
  ioasid_unregister_allocator: ioasid.ioasid_unregister_allocator,
  ioasid_alloc: ioasid.ioasid_alloc,
  ioasid_free: ioasid.ioasid_free,
  ioasid_get: ioasid.ioasid_get,
  ioasid_put: ioasid.ioasid_put,
  ioasid_find: ioasid.ioasid_find,
  ioasid_set_data: ioasid.ioasid_set_data,
  register_pasid_allocator: vtd.register_pasid_allocator,
  iommu_set_root_entry: vtd.iommu_set_root_entry,
  intel_iommu_sm_disable: vtd.intel_iommu_sm_disable,
  free_dmar_iommu: vtd.free_dmar_iommu,
  iommu_probe_device: device.iommu_probe_device,
  iommu_release_device: device.iommu_release_device,
  iommu_domain_alloc: device.iommu_domain_alloc,
  iommu_sva_domain_alloc: device.iommu_sva_domain_alloc,
  iommu_domain_free: device.iommu_domain_free,
  iommu_attach_device_pasid: device.iommu_attach_device_pasid,
  iommu_detach_device_pasid: device.iommu_detach_device_pasid,
  iommu_replace_device_pasid: device.iommu_replace_device_pasid,
  set_dev_pasid: device.set_dev_pasid,
  remove_dev_pasid: device.remove_dev_pasid,
  pci_dev_reset_iommu_prepare: device.pci_dev_reset_iommu_prepare,
  pci_dev_reset_iommu_done: device.pci_dev_reset_iommu_done,
  iommu_sva_bind_device: sva.iommu_sva_bind_device,
  iommu_sva_unbind_device: sva.iommu_sva_unbind_device,
  mm_pasid_drop: sva.mm_pasid_drop,
  iommu_alloc_global_pasid: global.iommu_alloc_global_pasid,
  iommu_free_global_pasid: global.iommu_free_global_pasid,
};

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
  (CALL_MODELS[rec.fn] as CallModel<CallName>)({ w, p, rec: rec as never, d, children });
  return d;
}
