import { describe, it, expect } from 'vitest';
import { parseFtraceLine, parseFields } from '../../src/import/ftraceLine.js';

describe('ftrace line shapes', () => {
  it('reads a tracefs kprobe entry line with the TGID column and 5 flag columns', () => {
    const l = parseFtraceLine('           a.out-1200    (   1200) [002] d..1.  5123.000100: iommu_sva_bind_device: (iommu_sva_bind_device+0x4/0x1c0) dev="0000:00:02.0" mm=0xffff88810a4c8000');
    expect(l).toMatchObject({ kind: 'probe', phase: 'entry', comm: 'a.out', tid: 1200, tgid: 1200, cpu: 2, ts: 5123000100000, symbol: 'iommu_sva_bind_device' });
  });
  it('reads a kretprobe line whose caller is in a module', () => {
    const l = parseFtraceLine('  a.out-1200  [005] .....  5123.000160: bind__return: (idxd_cdev_open+0x2a4/0x420 [idxd] <- iommu_sva_bind_device) ret=0xffff888103a2f400');
    expect(l).toMatchObject({ kind: 'probe', phase: 'exit', cpu: 5, symbol: 'iommu_sva_bind_device' });
  });
  it('splits a comm containing dashes and spaces on the last dash', () => {
    expect(parseFtraceLine('  idxd-test-run-1777 [006] ..... 1.000001: x: (ioasid_free+0x4/0x40) ioasid=1')).toMatchObject({ comm: 'idxd-test-run', tid: 1777 });
    expect(parseFtraceLine('  sva test-1777 [006] ..... 1.000001: x: (ioasid_free+0x4/0x40) ioasid=1')).toMatchObject({ comm: 'sva test', tid: 1777 });
  });
  it('leaves comm out for <...>', () => {
    expect(parseFtraceLine('  <...>-1447  [001] 1038282.286875: p: (ioasid_free+0x0/0xd6) ioasid=3')).not.toHaveProperty('comm');
  });
  it('reads trace-cmd report -l lines, where the CPU is glued to the flags, with nanosecond time', () => {
    expect(parseFtraceLine('   idxd-test-run-1777  6...1. 7100.000010250: f__entry: (iommu_alloc_global_pasid+0x4/0x90) dev="0000:6a:01.0"')).toMatchObject({
      cpu: 6,
      ts: 7100000010250,
      symbol: 'iommu_alloc_global_pasid',
    });
  });
  it('reads trace-cmd report lines without a flags column', () => {
    expect(parseFtraceLine('trace-cmd-16131 [000] 158126.498411: p: (ioasid_free+0x0/0x40) ioasid=3')).toMatchObject({ comm: 'trace-cmd', tid: 16131, cpu: 0 });
  });
  it('removes clone suffixes from probed symbols', () => {
    expect(parseFtraceLine('  a-1 [000] ..... 1.000001: p: (intel_svm_set_dev_pasid.isra.0+0x4/0x300) pasid=1')).toMatchObject({ symbol: 'intel_svm_set_dev_pasid' });
  });
  it('reads tracefs and trace-cmd lost-events markers', () => {
    expect(parseFtraceLine('CPU:3 [LOST 17 EVENTS]')).toEqual({ kind: 'lost', cpu: 3, count: 17 });
    expect(parseFtraceLine('CPU:0 [120 EVENTS DROPPED]')).toEqual({ kind: 'lost', cpu: 0, count: 120 });
  });
  it('ignores headers and the trace-cmd preamble', () => {
    for (const l of ['# tracer: nop', '', 'version = 6', 'cpus=8', 'CPU 0 is empty']) expect(parseFtraceLine(l)).toEqual({ kind: 'ignored' });
  });
  it('tells tracepoint lines and function-tracer lines apart from probes', () => {
    expect(parseFtraceLine('  <idle>-0 [002] d..2. 800.000105: sched_switch: prev_comm=swapper/2 prev_pid=0').kind).toBe('other');
    expect(parseFtraceLine('  bash-1977  [000] .... 17284.993652: sys_close <-system_call_fastpath').kind).toBe('other');
  });
});

describe('ftrace fields', () => {
  it('reads quoted strings with spaces, bare words and hex', () => {
    expect([...parseFields('dev="my dev" pasid=3 p=0xff arg1=(fault)')]).toEqual([
      ['dev', { t: 'str', v: 'my dev' }],
      ['pasid', { t: 'word', v: '3' }],
      ['p', { t: 'word', v: '0xff' }],
      ['arg1', { t: 'word', v: '(fault)' }],
    ]);
  });
});
