/**
 * What the kit's tracefs route gives on kernels with BTF probe arguments (v6.6+, Debian 6.12):
 * bare return probes of void functions, the start marker naming functions without a return probe,
 * and dev->iommu->max_pasids read at the call.
 */
import { describe, it, expect } from 'vitest';
import { importText } from '../support/importText.js';

const MARK = '          insmod-272     (    272) [001] .....    10.000000: tracing_mark_write: pasid_ledger: capture kernel=6.12.95+deb12-amd64 kit=ftrace-probes';
const line = (ts: string, event: string, rest: string, task = '          insmod-272     (    272) [001] .....') => `${task} ${ts}: ${event}: ${rest}`;

describe('void functions captured through bare return probes', () => {
  const capture = [
    MARK,
    line('10.000100', 'iommu_detach_device_pasid', '(iommu_detach_device_pasid+0x4/0x120) domain=0xff11000004a0c000 dev="0000:00:02.0" pasid=2'),
    line('10.000110', 'intel_iommu_remove_dev_pasid', '(intel_iommu_remove_dev_pasid+0x4/0x1b0) dev="0000:00:02.0" pasid=2'),
    line('10.000120', 'intel_iommu_remove_dev_pasid__return', '(iommu_detach_device_pasid+0x8e/0x120 <- intel_iommu_remove_dev_pasid)'),
    line('10.000130', 'iommu_detach_device_pasid__return', '(pasid_lab_init+0x1f0/0xff0 [pasid_lab] <- iommu_detach_device_pasid)'),
    '',
  ].join('\n');

  it('pairs a return line without ret= and records the void return as null', async () => {
    const { records, summary } = await importText(capture, { from: 'ftrace' });
    expect(records.map((r) => [r.seq, r.fn, r.parent, r.ret])).toEqual([
      [1, 'iommu_detach_device_pasid', undefined, null],
      [2, 'remove_dev_pasid', 1, null],
    ]);
    expect(summary.clean).toBe(true);
  });
  it('takes the kernel from the start marker when --kernel is not given', async () => {
    const { header } = await importText(capture, { from: 'ftrace' });
    expect(header?.kernel).toBe('6.12.95+deb12-amd64');
  });
  it('still refuses ftrace text with neither a marker nor --kernel, naming --kernel', async () => {
    const { problems, summary } = await importText(capture.split('\n').slice(1).join('\n'), { from: 'ftrace' });
    expect(summary.fatal).toBe(true);
    expect(problems.map((p) => p.code)).toEqual(['KERNEL_UNKNOWN']);
    expect(problems[0]?.message).toContain('--kernel');
  });
});

describe('an entry whose return probe could not be defined', () => {
  const free = (ts: string, pasid: number) => line(ts, 'iommu_free_global_pasid', `(iommu_free_global_pasid+0x4/0x40) pasid=${pasid}`);
  const alloc = [
    line('10.000200', 'iommu_alloc_global_pasid', '(iommu_alloc_global_pasid+0x4/0x50) dev="0000:00:02.0"'),
    line('10.000210', 'iommu_alloc_global_pasid__return', '(pasid_lab_init+0x90/0xff0 [pasid_lab] <- iommu_alloc_global_pasid) ret=0x1'),
  ];

  it('is kept as a call when the start marker lists it under noreturn=', async () => {
    const text = [`${MARK} noreturn=iommu_free_global_pasid`, ...alloc, free('10.000300', 1), free('10.000400', 1), ''].join('\n');
    const { records, summary } = await importText(text, { from: 'ftrace' });
    expect(records.map((r) => [r.fn, r.ret])).toEqual([['iommu_alloc_global_pasid', 1], ['iommu_free_global_pasid', null], ['iommu_free_global_pasid', null]]);
    expect(summary.clean).toBe(true);
  });
  it('has no ret at all when the function returns a value (the model computes it)', async () => {
    const text = [`${MARK} noreturn=iommu_alloc_global_pasid`, alloc[0], ''].join('\n');
    const { records } = await importText(text, { from: 'ftrace' });
    expect(records).toHaveLength(1);
    expect(records[0]).not.toHaveProperty('ret');
  });
  it('is kept, with one RETURN_PROBE_MISSING per function, when no return of it appears anywhere and no marker says why', async () => {
    const text = [MARK, ...alloc, free('10.000300', 1), free('10.000400', 1), ''].join('\n');
    const { records, problems } = await importText(text, { from: 'ftrace' });
    expect(records.map((r) => r.fn)).toEqual(['iommu_alloc_global_pasid', 'iommu_free_global_pasid', 'iommu_free_global_pasid']);
    expect(problems.map((p) => [p.code, p.line])).toEqual([['RETURN_PROBE_MISSING', 4]]);
    expect(problems[0]?.message).toContain('kept 2 entries');
  });
  it('is ENTRY_WITHOUT_RETURN, kept without a return value, when other calls of the function did return', async () => {
    const text = [MARK, ...alloc, alloc[0]?.replace('10.000200', '10.000300'), ''].join('\n');
    const { records, problems } = await importText(text, { from: 'ftrace' });
    expect(records.map((r) => [r.fn, r.ret])).toEqual([['iommu_alloc_global_pasid', 1], ['iommu_alloc_global_pasid', undefined]]);
    expect(problems.map((p) => p.code)).toEqual(['ENTRY_WITHOUT_RETURN']);
    expect(problems[0]?.message).toContain('kept as a call with an unknown return');
  });
});

describe('max_pasids read through BTF at the call', () => {
  const allocWith = (ts: string, max: number, ret: string) => [
    line(ts + '00', 'iommu_alloc_global_pasid', `(iommu_alloc_global_pasid+0x4/0x50) dev="0000:00:02.0" max_pasids=${max}`),
    line(ts + '10', 'iommu_alloc_global_pasid__return', `(pasid_lab_init+0x90/0xff0 [pasid_lab] <- iommu_alloc_global_pasid) ret=${ret}`),
  ];

  it('writes an iommu_probe_device record before the first call that shows it', async () => {
    const { records, summary } = await importText([MARK, ...allocWith('10.0001', 0, '0xffffffff'), ''].join('\n'), { from: 'ftrace' });
    expect(records.map((r) => [r.seq, r.fn, r.args, r.ret])).toEqual([
      [1, 'iommu_probe_device', { dev: '0000:00:02.0', max_pasids: 0 }, 0],
      [2, 'iommu_alloc_global_pasid', { dev: '0000:00:02.0' }, 'IOMMU_PASID_INVALID'],
    ]);
    expect(summary.notes.PROBE_RECORD_ADDED?.count).toBe(1);
    expect(summary.reasons).toEqual({});
    expect(summary.clean).toBe(true);
  });
  it('writes another only when the value changes', async () => {
    const text = [MARK, ...allocWith('10.0001', 8, '0x1'), ...allocWith('10.0002', 8, '0x2'), ...allocWith('10.0003', 16, '0x3'), ''].join('\n');
    const { records } = await importText(text, { from: 'ftrace' });
    expect(records.map((r) => r.fn)).toEqual(['iommu_probe_device', 'iommu_alloc_global_pasid', 'iommu_alloc_global_pasid', 'iommu_probe_device', 'iommu_alloc_global_pasid']);
  });
  it('writes none inside another probed call (the bind would not expect a probe nested in it)', async () => {
    const text = [
      MARK,
      line('10.000050', 'iommu_sva_bind_device', '(iommu_sva_bind_device+0x4/0x300) dev="0000:00:02.0" mm=0xff11000003e00000'),
      ...allocWith('10.0001', 8, '0x1'),
      line('10.000150', 'iommu_sva_bind_device__return', '(idxd_wq_enable+0x4c/0x90 [idxd] <- iommu_sva_bind_device) ret=0xffffffffffffffa1'),
      '',
    ].join('\n');
    const { records } = await importText(text, { from: 'ftrace' });
    expect(records.map((r) => r.fn)).toEqual(['iommu_sva_bind_device', 'iommu_alloc_global_pasid']);
  });
});

describe('devices already behind an IOMMU when the capture started', () => {
  it('become iommu_probe_device records from the kit\'s device markers', async () => {
    const text = [
      MARK,
      '          insmod-272     (    272) [001] .....    10.000001: tracing_mark_write: pasid_ledger: device dev="0000:6a:01.0" max_pasids=1048576 group=17',
      '',
    ].join('\n');
    const { records } = await importText(text, { from: 'ftrace' });
    expect(records.map((r) => [r.fn, r.args, r.ret])).toEqual([['iommu_probe_device', { dev: '0000:6a:01.0', max_pasids: 1048576, group: 'group1' }, 0]]);
  });
});

describe('allocator helpers printed by the kprobe `symbol` type (before v6.2)', () => {
  it('name the ops by their helpers, the module suffix left out', async () => {
    const text = [
      '          insmod-294     (    294) [001] .....    28.743063: ioasid_register_allocator: (ioasid_register_allocator+0x0/0x210) ops=0xffffffffc0598000 alloc=lab_alloc+0x0/0x20 [ioasid_lab] free=lab_free+0x0/0x10 [ioasid_lab] pdata=0x0',
      '          insmod-294     (    294) [001] .....    28.743106: ioasid_register_allocator__return: (lab_init+0x6b/0x1000 [ioasid_lab] <- ioasid_register_allocator) ret=0x0',
      '',
    ].join('\n');
    const { records, summary } = await importText(text, { from: 'ftrace', kernel: '6.1.0' });
    expect(summary.clean).toBe(true);
    expect(records[0]?.args).toMatchObject({ alloc: 'lab_alloc', free: 'lab_free' });
  });
});
