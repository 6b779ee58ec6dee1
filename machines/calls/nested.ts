/**
 * The calls each call model makes inside itself (the nested calls a capture may record under it).
 * Under a call listed here, a nested record the model did not expect at that point is a
 * disagreement (NESTED_CALL_UNEXPECTED). Under a call not listed (iommu_probe_device allocating the
 * default domain, say), nested records are effects the model does not make itself and are decided
 * on their own. Pure data.
 */
import type { CallName } from '../../events/records.js';

export const NESTED_CALLS: Partial<Record<CallName, readonly CallName[]>> = {
  register_pasid_allocator: ['ioasid_register_allocator', 'intel_iommu_sm_disable'],
  free_dmar_iommu: ['ioasid_unregister_allocator'],
  iommu_attach_device_pasid: ['set_dev_pasid'],
  iommu_detach_device_pasid: ['remove_dev_pasid'],
  iommu_replace_device_pasid: ['set_dev_pasid'],
  iommu_sva_bind_device: ['ioasid_alloc', 'ioasid_get', 'iommu_alloc_global_pasid', 'iommu_sva_domain_alloc', 'iommu_attach_device_pasid', 'set_dev_pasid', 'remove_dev_pasid', 'iommu_domain_free'],
  iommu_sva_unbind_device: ['iommu_detach_device_pasid', 'remove_dev_pasid', 'iommu_domain_free', 'ioasid_put', 'ioasid_free'],
  mm_pasid_drop: ['ioasid_free', 'iommu_free_global_pasid'],
};

/** Whether the model of `parent` accounts for the calls nested in it. */
export function modelsNested(parent: CallName): boolean {
  return NESTED_CALLS[parent] !== undefined;
}
