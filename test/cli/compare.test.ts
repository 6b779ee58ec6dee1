import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, sample } from '../support/cli.js';

const header = (kernel: string) => JSON.stringify({ type: 'header', format: 'pasid-ledger-trace', version: 1, kernel, source: 'hand-written' });
function traceFile(kernel: string, records: readonly object[]): string {
  const path = join(mkdtempSync(join(tmpdir(), 'pl-compare-')), 'trace.jsonl');
  writeFileSync(path, [header(kernel), ...records.map((r) => JSON.stringify(r))].join('\n') + '\n');
  return path;
}
const rec = (seq: number, fn: string, args: object, ret?: unknown) => ({ seq, ts: seq * 1000, cpu: 0, tid: 1, fn, args, ...(ret === undefined ? {} : { ret }) });

describe('pasid-ledger compare', () => {
  it('groups the differences by cause, with the file:line of each record and the boundary responsible', async () => {
    const r = await cli(['compare', sample('vtd-boot-race-v5.15.jsonl'), '--kernel', '5.15.0', '--kernel', '5.18.0']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('calls that do not exist in one of the kernels (1):');
    expect(r.stdout).toContain('vtd-boot-race-v5.15.jsonl:9 [seq 8] ioasid_put: exists in 5.15.0 (returns true), not in 5.18.0');
    expect(r.stdout).toContain('v5.18: ioasidRefcount on → off (cb4789b0d19f');
    expect(r.stdout).toContain('IOASID_LEAKED appears on 5.18.0');
    expect(r.stdout).toMatch(/summary:\n {2}5\.15\.0 → 5\.18\.0: 2 difference\(s\)/);
  });

  it('exits 0 and says so when the kernels do not differ on the trace', async () => {
    const r = await cli(['compare', sample('clean-v6.8.jsonl'), '--kernel', '6.8.0', '--kernel', '6.9.5']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('6.8.0 → 6.9.5: no difference (1 era boundary crossed)');
  });

  it('with one --kernel compares the kernel the trace was recorded on with it', async () => {
    const r = await cli(['compare', sample('vtd-boot-race-v5.15.jsonl'), '--kernel', '5.18.0']);
    expect(r.stdout).toContain('5.15.0 → 5.18.0');
  });

  it('compares consecutive pairs of three kernels', async () => {
    const r = await cli(['compare', sample('buggy-v6.2.jsonl'), '--kernel', '6.2.0', '--kernel', '6.8.0', '--kernel', '6.12.0', '--json']);
    const out = JSON.parse(r.stdout) as { pairs: { from: string; to: string }[] };
    expect(out.pairs.map((p) => `${p.from}→${p.to}`)).toEqual(['6.2.0→6.8.0', '6.8.0→6.12.0']);
  });

  it('--json prints the documented schema', async () => {
    const r = await cli(['compare', sample('vtd-boot-race-v5.15.jsonl'), '--kernel', '5.15.0', '--kernel', '5.18.0', '--json']);
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out)).toEqual(['schema', 'file', 'mode', 'kernels', 'recording', 'pairs', 'replays']);
    expect(out.schema).toBe('pasid-ledger-compare/1');
    expect(Object.keys(out.pairs[0])).toEqual(['from', 'to', 'fromEra', 'toEra', 'boundaries', 'differences', 'summary']);
    const d = out.pairs[0].differences[0];
    expect(Object.keys(d)).toEqual(['cause', 'seq', 'line', 'fn', 'atEnd', 'subject', 'from', 'to', 'detail', 'boundary', 'attribution', 'responsible', 'alongside']);
    expect(d).toMatchObject({ cause: 'call', seq: 8, line: 9, fn: 'ioasid_put', boundary: '5.18', attribution: 'version-map' });
    expect(d.responsible).toContainEqual({ kind: 'call', fn: 'ioasid_put', from: true, to: false, exists: 'v5.11–before v5.18', where: 'machines/calls/ioasid_put.ts' });
    expect(out.pairs[0].summary.byCause).toEqual({ call: 1, return: 0, state: 0, nested: 0, finding: 1 });
  });

  it('--kernel-range lists every era boundary between the kernels and what first appears at each', async () => {
    const r = await cli(['compare', sample('clean-v6.8.jsonl'), '--kernel-range', '6.8..6.12']);
    expect(r.code).toBe(1);
    const boundaries = r.stdout.split('\n').filter((l) => /^v6\.\d+/.test(l)).map((l) => l.split(':')[0]);
    expect(boundaries).toEqual(['v6.9-rc2', 'v6.10', 'v6.11']);
    expect(r.stdout).toMatch(/v6\.9-rc2: attachChecksPasidZero[^\n]*\n {2}no difference on this trace first appears here/);
    expect(r.stdout).toMatch(/v6\.10: [^\n]*removeDevPasidGetsDomain off → on[^\n]*\n {2}different calls made inside a call/);
  });

  it('reports the recorded returns the model disagrees with on the recording kernel, apart from the differences', async () => {
    const path = traceFile('6.8.0', [rec(1, 'iommu_probe_device', { dev: '0000:6a:01.0', max_pasids: 32 }, 0), rec(2, 'iommu_alloc_global_pasid', { dev: '0000:6a:01.0' }, 7)]);
    const r = await cli(['compare', path, '--kernel', '6.8.0', '--kernel', '6.9.0']);
    expect(r.stdout).toContain('recording: 1 recorded return(s) differ from the model on 6.8.0');
    expect(r.stdout).toContain('[seq 2] iommu_alloc_global_pasid returned 7; the model predicts 1');
  });

  describe('bad input exits 2 with a clear message', () => {
    const refused = async (argv: string[], message: RegExp) => {
      const r = await cli(['compare', ...argv]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(message);
    };

    it('an unknown kernel', () => refused([sample('clean-v6.8.jsonl'), '--kernel', '6.8.0', '--kernel', 'banana'], /--kernel banana: not a kernel version pasid-ledger models/));
    it('an unsupported kernel', () => refused([sample('clean-v6.8.jsonl'), '--kernel', '4.19.0', '--kernel', '6.8.0'], /--kernel 4\.19\.0: not a kernel version pasid-ledger models \(5\.5 or later/));
    it('an unsupported end of a range', () => refused([sample('clean-v6.8.jsonl'), '--kernel-range', '5.4..6.8'], /--kernel-range 5\.4: not a kernel version/));
    it('a range without ..', () => refused([sample('clean-v6.8.jsonl'), '--kernel-range', '6.8'], /--kernel-range takes A\.\.B/));
    it('no kernel', () => refused([sample('clean-v6.8.jsonl')], /name the kernels/));
    it('both --kernel and --kernel-range', () => refused([sample('clean-v6.8.jsonl'), '--kernel', '6.8.0', '--kernel-range', '6.8..6.9'], /not both/));
    it('no file', () => refused(['--kernel', '6.8.0'], /expected one FILE/));
    it('a file that does not exist', () => refused(['/nonexistent/trace.jsonl', '--kernel', '6.8.0'], /nonexistent/));
    it('a trace that does not validate (names file, line and field)', async () => {
      const path = traceFile('6.8.0', [rec(1, 'iommu_probe_device', { dev: '0000:6a:01.0', max_pasids: 'many' }, 0)]);
      await refused([path, '--kernel', '6.8.0', '--kernel', '6.9.0'], /trace\.jsonl:2: field "args\.max_pasids"/);
    });
    it('a trace recorded on an unsupported kernel', async () => {
      const path = traceFile('4.19.0', [rec(1, 'iommu_probe_device', { dev: '0000:6a:01.0', max_pasids: 32 }, 0)]);
      await refused([path, '--kernel', '6.8.0', '--kernel', '6.9.0'], /trace\.jsonl:1: field "kernel": kernel version "4\.19\.0" is not one pasid-ledger models/);
    });
  });
});
