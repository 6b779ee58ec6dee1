/**
 * What a call's return says, in one place: success (an ID, 0, void, or the name of a new object),
 * an errno (`-EBUSY`), or an invalid-ID sentinel (`INVALID_IOASID`, `IOMMU_PASID_INVALID`). Every
 * "did the call fail?" in the tool asks `isFailure`. Pure.
 */
import { INVALID_IOASID, IOMMU_PASID_INVALID } from './fields.js';
import type { Ret } from './records.js';

export type RetKind = 'ok' | 'errno' | 'invalid' | 'name' | 'void';

export function retKind(ret: Ret): RetKind {
  if (ret === null) return 'void';
  if (typeof ret === 'string') {
    if (ret.startsWith('-E')) return 'errno';
    if (ret === INVALID_IOASID || ret === IOMMU_PASID_INVALID) return 'invalid';
    return 'name';
  }
  return 'ok';
}

/** True when the return is an errno or an invalid-ID sentinel: the kernel refused the call. */
export function isFailure(ret: Ret | undefined): boolean {
  if (ret === undefined) return false;
  const k = retKind(ret);
  return k === 'errno' || k === 'invalid';
}
