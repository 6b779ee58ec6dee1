/**
 * pci_dev_reset_iommu_done(dev) — drivers/iommu/iommu.c, v7.0+ (c279e83953d9, §4.1): the reset is
 * over and attach is allowed again. Pure.
 */
import { defineCall, setRet } from '../kit/call.js';
import { deviceOf } from './reads.js';

export default defineCall({
  fn: 'pci_dev_reset_iommu_done',
  exists: [{ since: '7.0' }],
  existsFollows: ['resetBlocksAttach'],
  footprint: (rec) => ({ reads: [], writes: [`dev:${rec.args.dev}`] }),
  decide: ({ w, d, rec }) => {
    w.emit(d, { type: 'GroupResetDone', group: deviceOf(w, rec.args.dev).context.group, dev: rec.args.dev });
    setRet(d, null, 'pci_dev_reset_iommu_done');
  },
});
