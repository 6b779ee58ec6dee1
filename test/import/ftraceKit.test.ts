/**
 * capture/ftrace-probes.sh run against a stand-in tracefs (plain files in a temporary directory):
 * what it defines, what it tells the importer through trace_marker, what stop keeps of
 * kprobe_profile, and what remove puts back. The kernel's own refusals are covered by the lab.
 */
import { describe, it, expect } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
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
  mkdirSync(join(dir, 'sys'));
  return { dir, env: { ...process.env, TRACEFS: dir, KALLSYMS: join(dir, 'kallsyms'), STATE: join(dir, 'state'), SYSFS: join(dir, 'sys') } };
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
  it('probes VT-d PASID removal where each kernel has it: the blocked domain\'s set_dev_pasid from v6.14', () => {
    // v6.14 (647b7aad1949 series): intel_iommu_remove_dev_pasid is gone, blocking_domain_set_dev_pasid(blocked, dev, pasid, old) removes.
    expect(defs('6.14.0')).toContain('p:pasid_ledger/blocking_domain_set_dev_pasid blocking_domain_set_dev_pasid domain=$arg1:x64 dev=+0(+0($arg2)):string pasid=$arg3:u32 old=$arg4:x64');
    expect(defs('6.14.0').filter((d) => d.includes('intel_iommu_remove_dev_pasid'))).toEqual([]);
  });
  it('near miss: v6.13 still probes intel_iommu_remove_dev_pasid and not the blocked domain', () => {
    expect(defs('6.13.0')).toContain('p:pasid_ledger/intel_iommu_remove_dev_pasid intel_iommu_remove_dev_pasid dev=+0(+0($arg1)):string pasid=$arg2:u32');
    expect(defs('6.13.0').filter((d) => d.includes('blocking_domain_set_dev_pasid'))).toEqual([]);
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
      // dev_iommu tells a NULL dev->iommu (max_pasids not read) from a real max_pasids of 0 (#20).
      'p:pasid_ledger/iommu_alloc_global_pasid iommu_alloc_global_pasid dev=+0(+0($arg1)):string max_pasids=dev->iommu->max_pasids:u32 dev_iommu=dev->iommu:x64',
      'r:pasid_ledger/iommu_alloc_global_pasid__return iommu_alloc_global_pasid ret=$retval:x64',
      'p:pasid_ledger/iommu_free_global_pasid iommu_free_global_pasid pasid=$arg1:u32',
      'r:pasid_ledger/iommu_free_global_pasid__return iommu_free_global_pasid',
    ]);
  });
  it('says in one line what it could not probe on this kernel (functions not in kallsyms)', () => {
    const { env } = fakeTracefs(1, ['iommu_alloc_global_pasid', 'iommu_free_global_pasid', 'blocking_domain_set_dev_pasid']);
    const r = spawnSync('sh', [KIT, 'start', '6.14.0'], { env, encoding: 'utf8' });
    const line = r.stderr.split('\n').find((l) => l.startsWith('probes: '));
    expect(line).toMatch(/^probes: 6 defined; not probed \(not in kallsyms\): \S/);
    expect(line).toContain(' iommu_attach_device_pasid ');
    expect(line).not.toContain('blocking_domain_set_dev_pasid');
    expect(line).toMatch(/; not probed \(refused by the kernel\): none$/);
  });
  it('writes the start marker the importer reads the kernel from', () => {
    const { dir, env } = fakeTracefs(1, ['iommu_free_global_pasid']);
    kit(env, 'start', '6.12.0');
    expect(readFileSync(join(dir, 'trace_marker'), 'utf8')).toMatch(/^pasid_ledger: capture kernel=\S+ kit=ftrace-probes\n$/);
  });
  it('writes a device marker for each device already behind an IOMMU', () => {
    const { dir, env } = fakeTracefs(1, ['iommu_free_global_pasid']);
    mkdirSync(join(dir, 'sys/kernel/iommu_groups/3/devices'), { recursive: true });
    mkdirSync(join(dir, 'sys/bus/pci/devices/0000:00:02.0'), { recursive: true });
    execFileSync('ln', ['-s', join(dir, 'sys/bus/pci/devices/0000:00:02.0'), join(dir, 'sys/kernel/iommu_groups/3/devices/0000:00:02.0')]);
    writeFileSync(join(dir, 'sys/bus/pci/devices/0000:00:02.0/config'), Buffer.alloc(4096));
    kit(env, 'start', '6.12.0');
    expect(readFileSync(join(dir, 'trace_marker'), 'utf8').split('\n')[1]).toBe('pasid_ledger: device dev="0000:00:02.0" max_pasids=0 group=3');
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
    // The kernel lists return probes as r<maxactive>: (r10: on 6.12), as the lab's real capture shows.
    writeFileSync(join(dir, 'kprobe_events'), readFileSync(join(dir, 'kprobe_events'), 'utf8').replace(/^r:/gm, 'r10:'));
    writeFileSync(join(dir, 'kprobe_profile'), '  do_sys_openat2                      12  0\n  iommu_free_global_pasid              3  0\n  iommu_free_global_pasid__return      3  1\n');
    const out = join(dir, 'capture.txt');
    kit(env, 'stop', out);
    expect(readFileSync(out + '.profile', 'utf8')).toBe('  iommu_free_global_pasid              3  0\n  iommu_free_global_pasid__return      3  1\n');
  });
  it('deletes its return probes too, listed by the kernel as r<maxactive>:', () => {
    const { dir, env } = fakeTracefs(1, ['iommu_free_global_pasid']);
    kit(env, 'start', '6.12.0');
    writeFileSync(join(dir, 'kprobe_events'), readFileSync(join(dir, 'kprobe_events'), 'utf8').replace(/^r:/gm, 'r10:'));
    kit(env, 'remove');
    expect(readFileSync(join(dir, 'kprobe_events'), 'utf8')).toContain('-:pasid_ledger/iommu_free_global_pasid__return\n');
  });
  it('records the kernel log with the probes (printk:console) from start to stop, and puts its setting back on remove', () => {
    const { dir, env } = fakeTracefs(1, ['iommu_free_global_pasid']);
    const enable = join(dir, 'events', 'printk', 'console', 'enable');
    mkdirSync(join(dir, 'events', 'printk', 'console'), { recursive: true });
    writeFileSync(enable, '0\n');
    kit(env, 'start', '6.12.0');
    expect(readFileSync(enable, 'utf8').trim()).toBe('1');
    kit(env, 'stop', join(dir, 'capture.txt'));
    expect(readFileSync(enable, 'utf8').trim()).toBe('0');
    writeFileSync(enable, '1\n');
    kit(env, 'remove');
    expect(readFileSync(enable, 'utf8').trim()).toBe('0');
  });
  it('appends the kernel log since start when an oops switched tracing off (the report is not in the buffer then)', () => {
    const { dir, env } = fakeTracefs(1, ['iommu_free_global_pasid']);
    const kmsg = join(dir, 'kmsg');
    writeFileSync(kmsg, '[    1.0] boot noise\n');
    const dmesg = { ...env, KMSG: kmsg, DMESG: `cat ${kmsg}` };
    kit(dmesg, 'start', '6.12.0');
    expect(readFileSync(kmsg, 'utf8')).toContain('pasid_ledger: capture started');
    writeFileSync(kmsg, readFileSync(kmsg, 'utf8') + '[   10.5] BUG: kernel NULL pointer dereference, address: 0000000000000000\n');
    writeFileSync(join(dir, 'trace'), '# tracer: nop\n');
    writeFileSync(join(dir, 'tracing_on'), '0\n');
    const out = join(dir, 'capture.txt');
    kit(dmesg, 'stop', out);
    const lines = readFileSync(out, 'utf8').split('\n');
    expect(lines).toContain('pasid_ledger-dmesg: [   10.5] BUG: kernel NULL pointer dereference, address: 0000000000000000');
    expect(lines.some((l) => l.includes('boot noise'))).toBe(false);
    // Near miss: with tracing still on at stop (no oops), nothing is appended.
    kit(dmesg, 'start', '6.12.0');
    kit(dmesg, 'stop', out);
    expect(readFileSync(out, 'utf8')).not.toContain('pasid_ledger-dmesg:');
  });
  it('still starts where the kernel has no printk:console event, and says what is lost', () => {
    const { env } = fakeTracefs(1, ['iommu_free_global_pasid']);
    const r = spawnSync('sh', [KIT, 'start', '6.12.0'], { env, encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('could not enable printk:console');
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

describe('devices already behind an IOMMU (devices.sh)', () => {
  const DEVICES = fileURLToPath(new URL('../../capture/devices.sh', import.meta.url));
  /** A sysfs with one device in group 17 whose PASID capability (ext cap 0x1B) says WIDTH bits. */
  function fakeSysfs(width: number | null, ecap?: bigint, size = 4096): string {
    const root = mkdtempSync(join(tmpdir(), 'pl-sysfs-'));
    const dev = join(root, 'bus/pci/devices/0000:6a:01.0');
    mkdirSync(join(dev, 'iommu/intel-iommu'), { recursive: true });
    mkdirSync(join(root, 'kernel/iommu_groups/17/devices'), { recursive: true });
    execFileSync('ln', ['-s', dev, join(root, 'kernel/iommu_groups/17/devices/0000:6a:01.0')]);
    const cfg = Buffer.alloc(size);
    if (size >= 4096) {
      cfg.writeUInt32LE(0x10 | (1 << 16) | (0x140 << 20), 0x100); // SR-IOV, next at 0x140
      if (width !== null) {
        cfg.writeUInt32LE(0x1b | (1 << 16), 0x140); // PASID, last
        cfg.writeUInt16LE((width << 8) | 0x6, 0x144);
      }
    }
    writeFileSync(join(dev, 'config'), cfg);
    if (ecap !== undefined) writeFileSync(join(dev, 'iommu/intel-iommu/ecap'), `${ecap.toString(16)}\n`);
    return root;
  }
  const devices = (sysfs: string) => execFileSync('sh', [DEVICES], { env: { ...process.env, SYSFS: sysfs }, encoding: 'utf8' });
  it('gives 1 << the Max PASID Width of the PASID capability, and the group', () => {
    expect(devices(fakeSysfs(20))).toBe('0000:6a:01.0 1048576 17\n');
  });
  it('caps it by the VT-d unit (2 << ECAP.PSS) and gives 0 when the unit has no PASID support', () => {
    expect(devices(fakeSysfs(20, (1n << 40n) | (7n << 35n)))).toBe('0000:6a:01.0 256 17\n');
    expect(devices(fakeSysfs(20, 7n << 35n))).toBe('0000:6a:01.0 0 17\n');
  });
  it('gives 0 for a device without the capability, and leaves out one whose config it cannot read in full', () => {
    expect(devices(fakeSysfs(null))).toBe('0000:6a:01.0 0 17\n');
    expect(devices(fakeSysfs(20, undefined, 64))).toBe('');
  });
});

describe('ftrace-probes.sh cmdline', () => {
  const env = { ...process.env, IOMMU_NAME_OFF: '8', IOMMU_CAP_OFF: '40', IOMMU_ECAP_OFF: '48', IOMMU_VCCAP_OFF: '64' };
  it('prints a /etc/default/grub line that the shell reads back as the GRUB line (no $ expanded)', () => {
    const out = execFileSync('sh', [KIT, 'cmdline', '6.1.0'], { env, encoding: 'utf8' }).split('\n');
    const grubLine = out[1];
    const defaults = out[3];
    const read = execFileSync('sh', ['-c', `GRUB_CMDLINE_LINUX=quiet; ${defaults}; printf '%s' "$GRUB_CMDLINE_LINUX"`], { encoding: 'utf8' });
    expect(read).toBe(`quiet ${grubLine}`);
    expect(grubLine).toMatch(/^'kprobe_event=[^']*\$arg1[^']*;[^']*' trace_options=record-tgid trace_clock=mono$/);
    expect(grubLine).not.toContain('trace_event=');
  });
  it('refuses kernels from v6.4, where the boot-time allocators are gone', () => {
    const r = spawnSync('sh', [KIT, 'cmdline', '6.8.0'], { env, encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('gone from v6.4');
  });
});
