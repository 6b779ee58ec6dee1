/**
 * Captures of real kernels the kit took in capture/lab/ (Debian 6.1.192 and 6.12.95 under QEMU,
 * test modules driving the PASID code): not written by hand, never tuned for.
 */
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { importText } from '../support/importText.js';
import { cli } from '../support/cli.js';

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
