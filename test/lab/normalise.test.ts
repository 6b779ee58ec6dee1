import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { normaliseDmesgLine, normaliseMessage } from '../../src/lab/normalise.js';

describe('golden normalisation of kernel log lines', () => {
  it('drops the timestamp', () => {
    expect(normaliseDmesgLine('[   11.877194] Trying to free unknown IOASID 10')).toBe('Trying to free unknown IOASID 10');
  });

  it('replaces kernel and module addresses, keeping the words around them', () => {
    expect(normaliseDmesgLine('[   13.471839] list_del corruption. prev->next should be ffffffffc03a7090, but was ffffffffc03a7010. (prev=ff3106e482823618)')).toBe(
      'list_del corruption. prev->next should be <addr>, but was <addr>. (prev=<addr>)',
    );
  });

  it('replaces symbol offsets, CPU numbers and pids of a WARNING line', () => {
    expect(normaliseDmesgLine('[   11.878473] WARNING: CPU: 1 PID: 225 at drivers/iommu/ioasid.c:229 ioasid_unregister_allocator+0x155/0x180')).toBe(
      'WARNING: CPU: <cpu> PID: <pid> at drivers/iommu/ioasid.c:229 ioasid_unregister_allocator+<off>',
    );
    expect(normaliseDmesgLine('note: insmod[272] exited with preempt_count 1')).toBe('note: insmod[<pid>] exited with preempt_count 1');
  });

  it('keeps small numbers that are results, not addresses (IDs, errnos, line numbers)', () => {
    expect(normaliseDmesgLine('[    1.0] lab: ioasid_alloc(set_a, 10, 12) = 12')).toBe('lab: ioasid_alloc(set_a, 10, 12) = 12');
    expect(normaliseDmesgLine('lab: iommu_attach_device_pasid(d1, pasid 4000) = -22')).toBe('lab: iommu_attach_device_pasid(d1, pasid 4000) = -22');
  });

  it('two runs that differ only in timestamps and addresses normalise to the same line', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 99999, noNaN: true }), fc.bigInt({ min: 0xffff000000000000n, max: 0xffffffffffffffffn }), (t, a) => {
        const line = (ts: string, addr: string) => `[${ts}] lab: begin; ops at ${addr}`;
        return normaliseDmesgLine(line(t.toFixed(6).padStart(12), a.toString(16))) === normaliseDmesgLine(line('    0.000001', 'ffffffffc0000000'));
      }),
    );
  });
});

describe('golden normalisation of finding messages', () => {
  it('replaces the tgid of an mm name and the seq of a handle name', () => {
    expect(normaliseMessage('no free PASID for mm@444; the model predicts sva@8')).toBe('no free PASID for mm@<tgid>; the model predicts sva@<seq>');
  });

  it('replaces the task id a holder names (it differs from boot to boot)', () => {
    expect(normaliseMessage('PASID 1 was already freed (by tid:542) (Linux 6.12 WARNs in iommu_free_global_pasid)')).toBe('PASID 1 was already freed (by tid:<tid>) (Linux 6.12 WARNs in iommu_free_global_pasid)');
  });

  it('leaves the importer’s stable names (ops1, dom1, BDFs) alone', () => {
    expect(normaliseMessage('0000:00:02.0 pasid 2: dom1 is already attached')).toBe('0000:00:02.0 pasid 2: dom1 is already attached');
  });
});

describe('the caller a finding names', () => {
  it('is dropped from the message (it depends on the kernel build)', () => {
    expect(normaliseMessage('IOASID 999 is not allocated in default (Linux 6.1 returns an error in ioasid_set_data) [called from lab_init+0x1c/0x80 [ioasid_lab]]')).toBe(
      'IOASID 999 is not allocated in default (Linux 6.1 returns an error in ioasid_set_data)',
    );
  });
  it('near miss: a bracket inside the message stays', () => {
    expect(normaliseMessage('ops [a] was registered')).toBe('ops [a] was registered');
  });
});
