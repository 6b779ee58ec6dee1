import { describe, expect, it } from 'vitest';
import { draftDmesg } from '../../src/lab/draft.js';

describe('drafting expectations from a run', () => {
  const dmesg = [
    '[    2.9] pci 0000:00:02.0: Adding to iommu group 2',
    '[   11.8] ioasid_lab: loading out-of-tree module taints kernel.',
    '[   11.8] ioasid_lab: module verification failed: signature and/or required key missing - tainting kernel',
    '[   11.9] lab: begin',
    '[   11.9] WARNING: CPU: 0 PID: 225 at drivers/iommu/ioasid.c:229 ioasid_unregister_allocator+0x155/0x180',
    '[   11.9] CPU: 0 PID: 225 Comm: insmod Tainted: G           OE      6.1.0-57-amd64 #1  Debian 6.1.192-3',
    '[   11.9] RAX: 0000000000000000 RBX: ff164b8ec2815000 RCX: ff164b8ecace4b80',
    '[   11.9]  ioasid_unregister_allocator+0xa8/0x180',
    '[   11.9] lab: end',
  ].join('\n');

  it('starts at the module load and keeps what the kernel said, normalised', () => {
    expect(draftDmesg(dmesg)).toEqual(['lab: begin', 'WARNING: CPU: <cpu> PID: <pid> at drivers/iommu/ioasid.c:229 ioasid_unregister_allocator+<off>', 'lab: end']);
  });
});
