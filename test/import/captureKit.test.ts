import { describe, it, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { callForSymbol } from '../../src/import/catalog.js';

const KIT = fileURLToPath(new URL('../../capture/', import.meta.url));
const bpftraceProbes = (kernel: string): string[] =>
  execFileSync('sh', [KIT + 'gen-bpftrace.sh', '--bpftrace', '0.23.0', '--probes', 'fentry', '--all', kernel], { encoding: 'utf8' })
    .split('\n')
    .flatMap((l) => /^(?:fentry|fexit):(\w+) \{$/.exec(l)?.slice(1) ?? []);
const ftraceProbes = (kernel: string): string[] =>
  execFileSync('sh', [KIT + 'ftrace-probes.sh', 'list', kernel], { encoding: 'utf8' })
    .split('\n')
    .flatMap((l) => /^p:\S+ (\w+)/.exec(l)?.slice(1) ?? []);
const unique = (xs: string[]) => [...new Set(xs)].sort();

describe('the capture kit probes the functions of each kernel era', () => {
  it('uses ioasid_get/ioasid_put instead of ioasid_free on v5.11-v5.17', () => {
    expect(bpftraceProbes('5.15.0')).toEqual(expect.arrayContaining(['ioasid_get', 'ioasid_put']));
    expect(bpftraceProbes('5.15.0')).not.toContain('ioasid_free');
    expect(ftraceProbes('5.19.0')).toContain('ioasid_free');
  });
  it('adds PASID attach/detach from v6.2 and drops ioasid after v6.3', () => {
    expect(ftraceProbes('6.2.0')).toEqual(expect.arrayContaining(['iommu_attach_device_pasid', 'iommu_detach_device_pasid', 'ioasid_alloc']));
    expect(ftraceProbes('6.4.0')).not.toContain('ioasid_alloc');
  });
  it('probes mm_pasid_drop from v6.4 (a function in iommu-sva.c, cd3891158a77) and global PASIDs from v6.6', () => {
    expect(bpftraceProbes('6.3.0')).not.toContain('mm_pasid_drop');
    expect(bpftraceProbes('6.4.0')).toContain('mm_pasid_drop');
    expect(ftraceProbes('6.4.0')).toContain('mm_pasid_drop');
    expect(bpftraceProbes('6.5.0')).not.toContain('iommu_alloc_global_pasid');
    expect(bpftraceProbes('6.6.0')).toEqual(expect.arrayContaining(['iommu_alloc_global_pasid', 'iommu_free_global_pasid']));
  });
  it('has the same function list in both kits, except iommu_probe_device (max_pasids needs BTF)', () => {
    for (const k of ['5.10.0', '5.15.0', '6.2.0', '6.4.0', '6.6.0', '6.8.0', '6.12.0', '6.15.0']) {
      expect(unique(ftraceProbes(k))).toEqual(unique(bpftraceProbes(k)).filter((fn) => fn !== 'iommu_probe_device'));
    }
  });
  it('probes only functions the importer maps to a record', () => {
    for (const k of ['5.10.0', '5.15.0', '6.2.0', '6.8.0', '6.12.0', '6.15.0']) for (const fn of [...bpftraceProbes(k), ...ftraceProbes(k)]) expect(callForSymbol(fn), fn).toBeDefined();
  });
});
