import { describe, expect, it } from 'vitest';
import { parseScenario, shellConfig } from '../../src/lab/scenario.js';

const FILE = 'x/scenario.json';
const parse = (json: unknown, files: readonly string[] = ['m.c', 'scenario.json']) => parseScenario('x', FILE, JSON.stringify(json), files);
const base = { description: 'd', kernels: { '6.1': { dmesg: ['lab: begin'] } } };
const withKernel = (k: Record<string, unknown>) => ({ description: 'd', kernels: { '6.1': { dmesg: ['lab: begin'], ...k } } });
const error = (r: ReturnType<typeof parse>) => (r.ok ? undefined : r.error);

describe('scenario directory validation', () => {
  it('accepts a module source with its expectations and fills the defaults', () => {
    const r = parse(base);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const k = r.value.kernels['6.1'];
    expect(k).toMatchObject({ params: '', capture: 'module', crash: false, insmod: 0, import: { clean: true, skipped: {} }, findings: [], falseFindings: [] });
    expect(r.value.sources).toEqual(['m.c']);
  });

  it('refuses text that is not JSON, naming the file', () => {
    const r = parseScenario('x', FILE, '{"description": ', ['m.c']);
    expect(error(r)?.code).toBe('LAB_SCENARIO_JSON');
    expect(error(r)?.message).toContain('x/scenario.json:1:');
  });

  it('refuses a module scenario without a .c file', () => {
    const e = error(parse(base, ['scenario.json']));
    expect(e?.field).toBe('kernels.6.1.capture');
  });

  it('refuses several .c files without a Kbuild, and accepts them with one', () => {
    expect(error(parse(base, ['a.c', 'b.c']))?.field).toBe('(files)');
    expect(parse(base, ['a.c', 'b.c', 'Kbuild']).ok).toBe(true);
  });

  it('refuses a module scenario with no dmesg expectation (the truth the audit is checked against)', () => {
    expect(error(parse({ description: 'd', kernels: { '6.1': {} } }))?.field).toBe('kernels.6.1.dmesg');
  });

  it('refuses an unknown field, naming it', () => {
    const e = error(parse(withKernel({ expect: [] })));
    expect(e?.code).toBe('LAB_SCENARIO_INVALID');
    expect(e?.field).toBe('kernels.6.1.expect');
  });

  it('refuses a kernel name that is not MAJOR.MINOR', () => {
    expect(error(parse({ description: 'd', kernels: { 'v6.1': { dmesg: ['x'] } } }))?.field).toBe('kernels.v6.1');
  });

  it('refuses module parameters that would reach the guest shell unquoted', () => {
    expect(error(parse(withKernel({ params: 'a=1;reboot' })))?.field).toBe('kernels.6.1.params');
    expect(parse(withKernel({ params: 'max_pasids=8 bdf=0000:00:02.0' })).ok).toBe(true);
  });

  it('refuses a false finding that names no known gap', () => {
    expect(error(parse(withKernel({ falseFindings: [{ code: 'RET_MISMATCH' }] })))?.field).toBe('kernels.6.1.falseFindings[0].knownGap');
  });

  it('refuses a known gap that names no issue', () => {
    const r = parse(withKernel({ findings: [{ code: 'X', knownGap: { gap: 'some-gap', issue: 'soon' } }] }));
    expect(error(r)?.field).toBe('kernels.6.1.findings[0].knownGap.issue');
  });

  it('accepts the problems an unclean import shows about kept records (notes), and refuses an unclean import that names none', () => {
    const r = parse(withKernel({ import: { clean: false, notes: { ENTRY_WITHOUT_RETURN: 2 } } }));
    expect(r.ok && r.value.kernels['6.1'].import).toEqual({ clean: false, skipped: {}, notes: { ENTRY_WITHOUT_RETURN: 2 } });
    expect(error(parse(withKernel({ import: { clean: false } })))?.message).toContain('names no skip and no note');
    expect(error(parse(withKernel({ import: { clean: true, notes: { ENTRY_WITHOUT_RETURN: 1 } } })))?.message).toContain('lists problems for a clean import');
  });
  it('refuses a lower-case finding code', () => {
    expect(error(parse(withKernel({ findings: [{ code: 'ret_mismatch' }] })))?.field).toBe('kernels.6.1.findings[0].code');
  });

  it('refuses a boot capture without boot probes, and a probe outside the kit group', () => {
    expect(error(parse({ description: 'd', kernels: { '6.1': { capture: 'boot' } } }, []))?.field).toBe('kernels.6.1.bootProbes');
    const r = parse({ description: 'd', kernels: { '6.1': { capture: 'boot', bootProbes: ['p:mine/f f'] } } }, []);
    expect(error(r)?.field).toBe('kernels.6.1.bootProbes[0]');
  });

  it('does not check insmod when the module is expected to crash the kernel', () => {
    const r = parse(withKernel({ crash: true }));
    expect(r.ok && r.value.kernels['6.1'].insmod).toBe(null);
  });
});

describe('settings handed to the guest', () => {
  it('writes boot probes in kernel command-line syntax (commas inside a probe, semicolons between)', () => {
    const r = parse({
      description: 'd',
      kernels: { '6.12': { capture: 'boot', bootProbes: ['p:pasid_ledger/f f dev=+0(+0($arg1)):string', 'r:pasid_ledger/f__return f ret=$retval:x64'] } },
    }, []);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(shellConfig(r.value, '6.12')).toContain('boot_probes=p:pasid_ledger/f,f,dev=+0(+0($arg1)):string;r:pasid_ledger/f__return,f,ret=$retval:x64\n');
  });
});
