/**
 * Captures of real kernels the kit took in capture/lab/ (Debian 6.1.192 and 6.12.95 under QEMU,
 * test modules driving the PASID code): not written by hand, never tuned for.
 */
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { importText } from '../support/importText.js';
import { cli } from '../support/cli.js';
import { profileFor } from '../../machines/profile.js';
import { replayEntries } from '../../src/replay/replayTrace.js';

const DIR = fileURLToPath(new URL('../fixtures/captures/', import.meta.url));
const read = (name: string) => readFileSync(DIR + name, 'utf8');

describe('a real 6.12 capture: global PASIDs and PASID attach/detach through the Intel ops', () => {
  const imported = importText(read('real-v6.12-global-pasid-attach.ftrace.txt'), { from: 'ftrace' });

  it('imports every call, the kernel from the kit marker, with no return lost (bare return probes of void functions)', async () => {
    const { header, summary, records } = await imported;
    expect(header?.kernel).toBe('6.12.95+deb12-amd64');
    expect(summary.clean).toBe(true);
    expect(summary.skipped).toBe(0);
    expect(records.filter((r) => r.fn === 'iommu_free_global_pasid').length).toBeGreaterThan(0);
    expect(records.filter((r) => r.fn === 'iommu_detach_device_pasid').every((r) => r.ret === null)).toBe(true);
  });
  it('takes max_pasids from the BTF probe arguments (0, then the module\'s override of 8)', async () => {
    const { records } = await imported;
    expect(records.filter((r) => r.fn === 'iommu_probe_device').map((r) => (r.args as { max_pasids: number }).max_pasids)).toContain(8);
  });
  it('finds the double free and the free while attached the module planted, and no range refusal as a mismatch', async () => {
    const r = await cli(['audit', DIR + 'real-v6.12-global-pasid-attach.ftrace.txt', '--from', 'ftrace']);
    expect(r.stdout).toContain('GLOBAL_PASID_DOUBLE_FREE');
    expect(r.stdout).toContain('GLOBAL_PASID_FREE_ATTACHED');
    expect(r.stdout).toContain('ATTACH_PASID_OUT_OF_RANGE');
    expect(r.stdout).not.toMatch(/RET_MISMATCH iommu_(alloc_global_pasid|attach_device_pasid)/);
  });
});

describe('a real 6.1 capture cut by a kernel BUG', () => {
  it('keeps every call before it and reports the unregister that never returned (list_del BUG) on its line', async () => {
    const text = read('real-v6.1-ioasid-eexist.ftrace.txt');
    const { problems, records } = await importText(text, { from: 'ftrace' });
    expect(problems.map((p) => [p.code, p.fn])).toEqual([['ENTRY_WITHOUT_RETURN', 'ioasid_unregister_allocator']]);
    expect(problems[0]?.line).toBe(text.trimEnd().split('\n').length);
    expect(records.map((r) => r.fn)).toContain('ioasid_register_allocator');
  });
});

describe('a real 6.1 capture of the IOASID allocator API', () => {
  it('imports clean, every record with its caller', async () => {
    const { summary, records } = await importText(read('real-v6.1-ioasid-allocators.ftrace.txt'), { from: 'ftrace' });
    expect(summary.clean).toBe(true);
    expect(records.length).toBeGreaterThan(20);
    // The device records come from the kit's start markers (devices already probed), which have no caller.
    expect(records.filter((r) => r.fn !== 'iommu_probe_device').every((r) => r.caller !== undefined)).toBe(true);
    expect(records.some((r) => r.fn === 'iommu_probe_device')).toBe(true);
  });
});

describe('real captures of the gaps the lab found (#20)', () => {
  it('6.12 detach with the wrong domain: the calls the oops cut are kept, and the oops is named inside them', async () => {
    const { records, summary } = await importText(read('real-v6.12-detach-wrong-domain.ftrace.txt'), { from: 'ftrace' });
    const detach = records.filter((r) => r.fn === 'iommu_detach_device_pasid');
    const op = records.filter((r) => r.fn === 'remove_dev_pasid');
    expect(detach).toHaveLength(1);
    expect(op.map((r) => r.parent)).toEqual([detach[0]?.seq]);
    expect(summary.skipped).toBe(0);
    expect(summary.notes.ENTRY_WITHOUT_RETURN?.count).toBe(2);
    expect(summary.kernelReports).toHaveLength(1);
    const [report] = summary.kernelReports;
    expect(report?.text).toMatch(/^BUG: kernel NULL pointer dereference/);
    expect(report?.rip).toMatch(/^cache_tag_unassign_domain\+/);
    expect(report?.inside.map((c) => c.fn)).toEqual(['iommu_detach_device_pasid', 'remove_dev_pasid']);
    const r = await cli(['audit', DIR + 'real-v6.12-detach-wrong-domain.ftrace.txt', '--from', 'ftrace']);
    expect(r.stdout).toContain('DETACH_WRONG_DOMAIN');
    // Audited straight from the capture (--from), the import's warnings name the oops and the kept calls.
    expect(r.stdout + r.stderr).toMatch(/the kernel reported "BUG: kernel NULL pointer dereference[^"]*" at cache_tag_unassign_domain\+\S+ on task \d+, inside iommu_detach_device_pasid/);
    expect(r.stdout + r.stderr).toContain('import: 2 call(s) never returned (kept with an unknown return');
    expect(r.stdout + r.stderr).not.toContain('were skipped');
  });
  it('6.1 bind on a device no IOMMU probed: the report comes from the log the kit appended (tracing went off at the oops)', async () => {
    const text = read('real-v6.1-sva-bind-oops.ftrace.txt');
    expect(text).toContain('pasid_ledger-dmesg: ');
    const { summary } = await importText(text, { from: 'ftrace' });
    expect(summary.kernelReports.map((k) => [k.text.slice(0, 39), k.rip?.split('+')[0], k.inside.map((c) => c.fn)])).toEqual([
      ['BUG: kernel NULL pointer dereference, a', 'iommu_sva_bind_device', ['iommu_sva_bind_device']],
    ]);
  });
  it('6.12 boot-time probes: every probe kept, with an unknown max_pasids, the refused ones with -ENODEV', async () => {
    const { records, summary } = await importText(read('real-v6.12-boot-probes.ftrace.txt'), { from: 'ftrace', kernel: '6.12.95+deb12-amd64' });
    expect(summary).toMatchObject({ clean: true, fatal: false, skipped: 0 });
    expect(records.every((r) => r.fn === 'iommu_probe_device' && (r.args as { max_pasids: number | null }).max_pasids === null)).toBe(true);
    expect(records.filter((r) => r.ret === 0).map((r) => (r.args as { dev: string }).dev)).toEqual(['0000:00:00.0', '0000:00:01.0', '0000:00:02.0', '0000:00:1f.0', '0000:00:1f.2', '0000:00:1f.3']);
    expect(records.filter((r) => r.ret === '-ENODEV')).toHaveLength(7);
  });
  it('6.12 bind on a device without dev->iommu: no probe record from the 0 the BTF fetch printed', async () => {
    const { records, problems } = await importText(read('real-v6.12-sva-bind.ftrace.txt'), { from: 'ftrace' });
    const probes = records.filter((r) => r.fn === 'iommu_probe_device').map((r) => (r.args as { dev: string }).dev);
    expect(probes).not.toContain('lab_plain');
    expect(probes).toContain('0000:00:02.0');
    expect(problems.filter((p) => p.code === 'MAX_PASIDS_UNKNOWN').map((p) => p.message)).toEqual([expect.stringContaining('lab_plain: dev->iommu is NULL')]);
  });
});

describe('real captures of calls the task died in (cutBy, step rule 5, #20)', () => {
  const audit = async (name: string) => {
    const r = await cli(['audit', DIR + name, '--from', 'ftrace']);
    // Exit 1: findings; the audit ran (a refusal, exit 2, would leave nothing to check).
    expect(r.stdout).toMatch(/\d+ records, Linux /);
    return r.stdout;
  };
  it('6.1 bind oopsed at its entry: no bond was made, so none is leaked', async () => {
    const out = await audit('real-v6.1-sva-bind-oops.ftrace.txt');
    expect(out).toContain('SVA_BIND_DISABLED_X86');
    expect(out).not.toContain('SVA_BOND_LEAKED');
  });
  it('6.12 detach oopsed in the driver before the xa_erase: its finding, and the attachment it was releasing is no leak', async () => {
    const out = await audit('real-v6.12-detach-wrong-domain.ftrace.txt');
    expect(out).toContain('DETACH_WRONG_DOMAIN');
    expect(out).not.toContain('ATTACH_LEAKED');
  });
  it('6.1 custom free helper oopsed inside ioasid_free: the cut free\'s ID is no leak, the ID the module never freed is', async () => {
    const { records } = await importText(read('real-v6.1-ioasid-free-oops.ftrace.txt'), { from: 'ftrace' });
    expect(records.filter((r) => r.cutBy !== undefined).map((r) => [r.fn, r.args])).toEqual([['ioasid_free', { ioasid: 700 }]]);
    const out = await audit('real-v6.1-ioasid-free-oops.ftrace.txt');
    expect(out.match(/IOASID_LEAKED at end of trace IOASID \d+/g)).toEqual(['IOASID_LEAKED at end of trace IOASID 701']);
  });
  it('6.12 boot probes: the -ENODEV of the devices no IOMMU claims is no mismatch', async () => {
    // Device records alone are nothing for `audit` to judge (it refuses them), so replay them directly.
    const { records } = await importText(read('real-v6.12-boot-probes.ftrace.txt'), { from: 'ftrace', kernel: '6.12.95+deb12-amd64' });
    const profile = profileFor('6.12.95+deb12-amd64');
    if (profile === null) throw new Error('no profile');
    const replay = replayEntries(records.map((record, i) => ({ record, line: i + 2 })), profile);
    expect(records.filter((r) => r.ret === '-ENODEV')).toHaveLength(7);
    expect(replay.findings.map((f) => f.code)).toEqual([]);
  });
});
