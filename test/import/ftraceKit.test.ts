/**
 * capture/ftrace-probes.sh run against a stand-in tracefs (plain files in a temporary directory):
 * what it defines, what it tells the importer through trace_marker, what stop keeps of
 * kprobe_profile, and what remove puts back. The kernel's own refusals are covered by the lab.
 */
import { describe, it, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const KIT = fileURLToPath(new URL('../../capture/ftrace-probes.sh', import.meta.url));

function fakeTracefs(cpus: number, kallsyms: string[]): { dir: string; env: NodeJS.ProcessEnv } {
  const dir = mkdtempSync(join(tmpdir(), 'pl-tracefs-'));
  mkdirSync(join(dir, 'events', 'pasid_ledger'), { recursive: true });
  mkdirSync(join(dir, 'options'));
  for (let i = 0; i < cpus; i++) mkdirSync(join(dir, 'per_cpu', `cpu${i}`), { recursive: true });
  writeFileSync(join(dir, 'tracing_on'), '1\n');
  writeFileSync(join(dir, 'buffer_size_kb'), '7 (expanded: 1408)\n');
  writeFileSync(join(dir, 'trace_clock'), '[local] global counter uptime perf mono mono_raw boot\n');
  writeFileSync(join(dir, 'options', 'record-tgid'), '0\n');
  for (const f of ['kprobe_events', 'trace_marker', 'trace', 'kprobe_profile']) writeFileSync(join(dir, f), '');
  writeFileSync(join(dir, 'kallsyms'), kallsyms.map((fn, i) => `ffffffff8100${String(i).padStart(4, '0')} T ${fn}\n`).join(''));
  return { dir, env: { ...process.env, TRACEFS: dir, KALLSYMS: join(dir, 'kallsyms'), STATE: join(dir, 'state') } };
}
const kit = (env: NodeJS.ProcessEnv, ...args: string[]) => execFileSync('sh', [KIT, ...args], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

describe('ftrace-probes.sh list', () => {
  const defs = (k: string) => kit(process.env, 'list', k).trimEnd().split('\n');
  it('defines the return probes of void functions without ret= (BTF kernels refuse $retval on void)', () => {
    const returns = defs('6.12.0').filter((d) => d.startsWith('r:'));
    for (const fn of ['iommu_free_global_pasid', 'iommu_detach_device_pasid', 'mm_pasid_drop', 'iommu_domain_free', 'iommu_sva_unbind_device', 'intel_iommu_remove_dev_pasid']) {
      expect(returns).toContain(`r:pasid_ledger/${fn}__return ${fn}`);
    }
    expect(returns).toContain('r:pasid_ledger/iommu_alloc_global_pasid__return iommu_alloc_global_pasid ret=$retval:x64');
  });
  it('keeps ret= on ioasid_put, which returns bool, and drops it on void ioasid_get', () => {
    expect(defs('5.15.0')).toContain('r:pasid_ledger/ioasid_put__return ioasid_put ret=$retval:x64');
    expect(defs('5.15.0')).toContain('r:pasid_ledger/ioasid_get__return ioasid_get');
  });
});

describe('ftrace-probes.sh start, stop and remove', () => {
  it('adds only the functions in kallsyms and reads max_pasids through BTF where it may', () => {
    const { dir, env } = fakeTracefs(2, ['iommu_alloc_global_pasid', 'iommu_free_global_pasid']);
    kit(env, 'start', '6.12.0');
    expect(readFileSync(join(dir, 'kprobe_events'), 'utf8').trimEnd().split('\n')).toEqual([
      'p:pasid_ledger/iommu_alloc_global_pasid iommu_alloc_global_pasid dev=+0(+0($arg1)):string max_pasids=dev->iommu->max_pasids:u32',
      'r:pasid_ledger/iommu_alloc_global_pasid__return iommu_alloc_global_pasid ret=$retval:x64',
      'p:pasid_ledger/iommu_free_global_pasid iommu_free_global_pasid pasid=$arg1:u32',
      'r:pasid_ledger/iommu_free_global_pasid__return iommu_free_global_pasid',
    ]);
  });
  it('writes the start marker the importer reads the kernel from', () => {
    const { dir, env } = fakeTracefs(1, ['iommu_free_global_pasid']);
    kit(env, 'start', '6.12.0');
    expect(readFileSync(join(dir, 'trace_marker'), 'utf8')).toMatch(/^pasid_ledger: capture kernel=\S+ kit=ftrace-probes\n$/);
  });
  it('splits the ring buffer total over the CPUs (buffer_size_kb is per CPU)', () => {
    const { dir, env } = fakeTracefs(8, []);
    kit(env, 'start', '6.12.0');
    expect(readFileSync(join(dir, 'buffer_size_kb'), 'utf8').trim()).toBe(String(131072 / 8));
    const small = fakeTracefs(4, []);
    kit({ ...small.env, BUFFER_TOTAL_KB: '8192' }, 'start', '6.12.0');
    expect(readFileSync(join(small.dir, 'buffer_size_kb'), 'utf8').trim()).toBe('2048');
  });
  it('keeps the kprobe_profile lines of its own events, which carry no group', () => {
    const { dir, env } = fakeTracefs(1, ['iommu_free_global_pasid']);
    kit(env, 'start', '6.12.0');
    writeFileSync(join(dir, 'kprobe_profile'), '  do_sys_openat2                      12  0\n  iommu_free_global_pasid              3  0\n  iommu_free_global_pasid__return      3  1\n');
    const out = join(dir, 'capture.txt');
    kit(env, 'stop', out);
    expect(readFileSync(out + '.profile', 'utf8')).toBe('  iommu_free_global_pasid              3  0\n  iommu_free_global_pasid__return      3  1\n');
  });
  it('puts back the buffer size, clock and record-tgid on remove', () => {
    const { dir, env } = fakeTracefs(2, ['iommu_free_global_pasid']);
    kit(env, 'start', '6.12.0');
    expect(readFileSync(join(dir, 'trace_clock'), 'utf8').trim()).toBe('mono');
    kit(env, 'remove');
    expect(readFileSync(join(dir, 'buffer_size_kb'), 'utf8').trim()).toBe('7');
    expect(readFileSync(join(dir, 'trace_clock'), 'utf8').trim()).toBe('local');
    expect(readFileSync(join(dir, 'options', 'record-tgid'), 'utf8').trim()).toBe('0');
    expect(existsSync(join(dir, 'state'))).toBe(false);
  });
});
