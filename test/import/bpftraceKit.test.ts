/**
 * capture/gen-bpftrace.sh for every supported kernel and bpftrace release: the probe kinds and
 * syntax each release accepts, the kallsyms filter, and the scripts parsed by the bpftrace that
 * `apt-get install bpftrace` gives on this machine (Debian 12: 0.17), telling parse errors from
 * errors of the environment (no BTF, no tracefs, no RLIMIT_MEMLOCK, no root).
 */
import { describe, it, expect } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const GEN = fileURLToPath(new URL('../../capture/gen-bpftrace.sh', import.meta.url));
const gen = (...args: string[]) => execFileSync('sh', [GEN, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const KERNELS = ['5.10.0', '5.15.0', '6.1.0', '6.2.0', '6.4.0', '6.6.0', '6.8.0', '6.11.0', '6.12.0', '6.15.0'];

describe('the script for each bpftrace release', () => {
  it('uses kfunc/kretfunc and args->NAME before 0.19, and no config block', () => {
    const s = gen('--bpftrace', '0.17.0', '--probes', 'fentry', '--all', '6.8.0');
    expect(s).toMatch(/^kretfunc:iommu_alloc_global_pasid \{$/m);
    expect(s).toContain('str(args->dev->kobj.name)');
    expect(s).not.toContain('config =');
    expect(s).not.toMatch(/^f(entry|exit):/m);
  });
  it('uses args.NAME from 0.19, fentry/fexit from 0.20 and missing_probes from 0.21', () => {
    expect(gen('--bpftrace', '0.19.1', '--probes', 'fentry', '--all', '6.8.0')).toContain('str(args.dev->kobj.name)');
    const s20 = gen('--bpftrace', '0.20.2', '--probes', 'fentry', '--all', '6.8.0');
    expect(s20).toMatch(/^fexit:iommu_alloc_global_pasid \{$/m);
    expect(s20).not.toContain('missing_probes');
    expect(gen('--bpftrace', '0.21.0', '--probes', 'fentry', '--all', '6.8.0')).toMatch(/^config = \{ missing_probes = "warn" \}$/m);
  });
  it('reads arguments by position with kprobe/kretprobe when there is no BTF, entry and exit for every call', () => {
    const s = gen('--bpftrace', '0.23.0', '--probes', 'kprobe', '--all', '6.8.0');
    expect(s).toMatch(/^kprobe:iommu_alloc_global_pasid \{$/m);
    expect(s).toMatch(/^kretprobe:iommu_alloc_global_pasid \{$/m);
    expect(s).toContain('str(*(uint64 *)(arg0))');
    expect(s).not.toContain('max_pasids'); // needs BTF
  });
  it('reads max_pasids through BTF at the calls that check it', () => {
    const s = gen('--bpftrace', '0.23.0', '--probes', 'fentry', '--all', '6.8.0');
    expect(s).toContain('args.dev->iommu->max_pasids');
  });
  it('leaves out, with a warning, every function the kallsyms list lacks (so no probe kills the script)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pl-bt-'));
    writeFileSync(join(dir, 'kallsyms'), 'ffffffff81000000 T iommu_sva_bind_device\nffffffff81000010 t iommu_free_global_pasid\n');
    const r = spawnSync('sh', [GEN, '--bpftrace', '0.23.0', '--probes', 'fentry', '--kallsyms', join(dir, 'kallsyms'), '6.12.0'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    const probed = [...r.stdout.matchAll(/^f(?:entry|exit):(\w+) \{$/gm)].map((m) => m[1]);
    expect([...new Set(probed)].sort()).toEqual(['iommu_free_global_pasid', 'iommu_sva_bind_device']);
    expect(r.stderr).toContain('warning: iommu_sva_domain_alloc is not in');
    expect(r.stdout).toContain('// iommu_sva_domain_alloc: not in');
  });
  it('probes the vendor driver ops of VT-d, AMD (v6.10+) and ARM SMMUv3', () => {
    const fns = (k: string) => [...gen('--bpftrace', '0.23.0', '--probes', 'fentry', '--all', k).matchAll(/^f(?:entry|exit):(\w+) \{$/gm)].map((m) => m[1]);
    expect(fns('6.12.0')).toEqual(expect.arrayContaining(['intel_iommu_set_dev_pasid', 'iommu_sva_set_dev_pasid', 'amd_iommu_remove_dev_pasid', 'arm_smmu_sva_set_dev_pasid', 'arm_smmu_remove_dev_pasid']));
    expect(fns('6.8.0')).not.toContain('iommu_sva_set_dev_pasid');
    expect(fns('6.6.0')).toContain('intel_iommu_set_dev_pasid');
    expect(fns('6.4.0')).toContain('mm_pasid_drop');
  });
});

/** bpftrace here, if any: its version, or undefined. */
const installed = (() => {
  const r = spawnSync('bpftrace', ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? /v?(\d+\.\d+\.\d+)/.exec(r.stdout)?.[1] : undefined;
})();
/** Errors that say the machine cannot run the script, not that the script is wrong. */
const ENVIRONMENT = /no BTF data|could not read traceable functions|available_filter_functions|RLIMIT_MEMLOCK|Operation not permitted|permission|must be run as root|kernel headers|Could not resolve symbol|BTF|debugfs|tracefs/i;

/** Parses (and, where the machine allows, checks) a script with `bpftrace -d`: 'ok', 'environment' or the parse error. */
function parseWithBpftrace(script: string): { verdict: 'ok' | 'environment' | 'error'; errors: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'pl-bt-'));
  writeFileSync(join(dir, 'pasid.bt'), script);
  const r = spawnSync('bpftrace', ['-d', join(dir, 'pasid.bt'), '6.8.0', 'host'], { encoding: 'utf8', timeout: 60_000 });
  const out = `${r.stdout}\n${r.stderr}`;
  const errors = [...out.matchAll(/(?:^|\n|ERROR: |FATAL: )((?:ERROR|FATAL)?[^\n]*(?:syntax error|ERROR|FATAL)[^\n]*)/g)].map((m) => m[1]).filter((l) => /ERROR|FATAL|syntax error/.test(l));
  const script_errors = errors.filter((e) => /syntax error|Invalid probe type|unexpected/.test(e) || !ENVIRONMENT.test(e));
  if (script_errors.length > 0) return { verdict: 'error', errors: script_errors };
  return { verdict: r.status === 0 ? 'ok' : 'environment', errors };
}

describe(`the generated scripts under the installed bpftrace (${installed ?? 'none'})`, () => {
  it.skipIf(installed === undefined)('tells a syntax error from an environment error (a near miss fails)', () => {
    const good = gen('--probes', 'kprobe', '--all', '6.8.0');
    expect(parseWithBpftrace(good).verdict).not.toBe('error');
    expect(parseWithBpftrace(good.replace('nsecs, cpu', 'nsecs,, cpu')).verdict).toBe('error');
  });
  for (const kernel of KERNELS) {
    for (const probes of ['fentry', 'kprobe'] as const) {
      it.skipIf(installed === undefined)(`${kernel} with ${probes} probes parses (errors, if any, are the sandbox's: no BTF, no tracefs)`, () => {
        const { verdict, errors } = parseWithBpftrace(gen('--probes', probes, '--all', kernel));
        expect(errors.filter((e) => !ENVIRONMENT.test(e))).toEqual([]);
        expect(verdict).not.toBe('error');
      });
    }
  }
  it.runIf(installed === undefined)('is skipped: bpftrace is not installed here (apt-get install -y bpftrace; .ci/run does)', () => {
    expect(installed).toBeUndefined();
  });
});
