import { describe, it, expect } from 'vitest';
import { validateRecord, validateHeader, validateFact } from '../events/validate.js';
describe('smoke', () => {
  it('validates', () => {
    expect(validateHeader({ type: 'header', format: 'pasid-ledger-trace', version: 1, kernel: '6.8.0', source: 'hand-written' })).toBeNull();
    expect(validateRecord({ seq: 1, ts: 2, cpu: 0, tid: 1, fn: 'iommu_attach_device_pasid', args: { domain: 'dom1', dev: '0000:00:02.0', pasid: 5 }, ret: 0 })).toBeNull();
    console.log(validateRecord({ seq: 1, ts: 2, cpu: 0, tid: 1, fn: 'iommu_attach_device_pasid', args: { domain: 'dom1', dev: '0000:00:02.0', pasid: 5000000 }, ret: 0 }));
    console.log(validateRecord({ seq: 1, ts: 2, cpu: 0, tid: 1, fn: 'iommu_attach_device_pasidx', args: {} }));
    console.log(validateRecord({ seq: 1, ts: 2, cpu: 0, tid: 1, fn: 'ioasid_free', args: {ioasid: 'INVALID_IOASID'}, ret: null }));
    expect(validateFact({ type: 'PasidAttached', seq: 3, group: 'g', dev: 'd', pasid: 3, domain: 'x' })).toBeNull();
  });
});
