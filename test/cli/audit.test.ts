import { describe, it, expect } from 'vitest';
import { cli, sample } from '../support/cli.js';

describe('pasid-ledger audit', () => {
  it('exits 1 and lists findings with codes and seq on the buggy sample', async () => {
    const run = await cli(['audit', '--json', sample('buggy-v6.2.jsonl')]);
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as { findings: { code: string; seq: number; line: number }[]; summary: { findings: number } };
    expect(report.findings.map((f) => `${f.seq}:${f.code}`)).toEqual(expect.arrayContaining(['19:ATTACH_BUSY', '20:DETACH_WRONG_DOMAIN', '31:SVA_UNBIND_FREED_HANDLE']));
    expect(report.summary.findings).toBe(report.findings.length);
  });

  it('exits 0 with no finding on the clean sample', async () => {
    const run = await cli(['audit', sample('clean-v6.8.jsonl')]);
    expect(run.stdout).toContain('0 finding(s)');
    expect(run.code).toBe(0);
  });

  it('prints findings like a compiler: file:line [seq N] CODE objects: message', async () => {
    const run = await cli(['audit', sample('buggy-v6.2.jsonl')]);
    expect(run.stdout).toMatch(/buggy-v6\.2\.jsonl:21 \[seq 20\] DETACH_WRONG_DOMAIN 0000:6a:01\.0 pasid 3: detached with dom4 but dom3 is attached \(Linux 6\.2 WARNs in iommu_detach_device_pasid\)/);
  });

  it('uses the rules of --kernel instead of the header: from 6.11 the core is silent and the wrong-domain detach WARNs in VT-d\'s removal (#21 B10)', async () => {
    const run = await cli(['audit', '--kernel', '6.11.0', '--json', sample('buggy-v6.2.jsonl')]);
    const detach = (JSON.parse(run.stdout) as { findings: { code: string; reaction: string; message: string }[] }).findings.find((f) => f.code === 'DETACH_WRONG_DOMAIN');
    expect(detach?.reaction).toBe('WARN');
    expect(detach?.message).toContain('VT-d WARNs once');
  });

  it('colours only on a terminal and never with NO_COLOR', async () => {
    const tty = await cli(['audit', sample('buggy-v6.2.jsonl')], { tty: true });
    const noColour = await cli(['audit', sample('buggy-v6.2.jsonl')], { tty: true, env: { NO_COLOR: '1' } });
    const pipe = await cli(['audit', sample('buggy-v6.2.jsonl')]);
    expect(tty.stdout).toContain('\x1b[');
    expect(noColour.stdout).not.toContain('\x1b[');
    expect(pipe.stdout).not.toContain('\x1b[');
  });

  it('exits 0 in --demo mode although the sample has findings', async () => {
    expect((await cli(['audit', '--demo', sample('buggy-v6.2.jsonl')])).code).toBe(0);
  });

  it('exits 2 naming the file when it does not exist', async () => {
    const run = await cli(['audit', '/nonexistent/trace.jsonl']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('/nonexistent/trace.jsonl');
  });

  it('exits 2 with the fix when the kernel version is not modelled', async () => {
    const run = await cli(['audit', '--kernel', '4.19.0', sample('clean-v6.8.jsonl')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('4.19.0');
    expect(run.stderr).toContain('--kernel');
  });

  it('exits 2 on an unknown option', async () => {
    const run = await cli(['audit', '--frobnicate', sample('clean-v6.8.jsonl')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--frobnicate');
  });

  it('reads a trace from stdin with -', async () => {
    const text = `{"type":"header","format":"pasid-ledger-trace","version":1,"kernel":"6.6.0","source":"hand-written"}\n{"seq":1,"ts":1,"cpu":0,"tid":1,"fn":"iommu_free_global_pasid","args":{"pasid":"IOMMU_PASID_INVALID"},"ret":null}\n`;
    const run = await cli(['audit', '--json', '-'], { stdin: text });
    expect((JSON.parse(run.stdout) as { findings: { code: string }[] }).findings.map((f) => f.code)).toEqual(['GLOBAL_PASID_FREE_INVALID']);
  });

  it('gives the same findings stepping through XState as through the compiled table', async () => {
    const fast = await cli(['audit', '--json', sample('buggy-v6.2.jsonl')]);
    const xstate = await cli(['audit', '--json', '--xstate', sample('buggy-v6.2.jsonl')]);
    expect(xstate.stdout).toBe(fast.stdout);
  });
});

describe('pasid-ledger state and replay', () => {
  it('prints byte-identical state for two replays of the same trace', async () => {
    const a = await cli(['state', '--json', sample('buggy-v6.2.jsonl')]);
    const b = await cli(['state', '--json', sample('buggy-v6.2.jsonl')]);
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(b.stdout);
  });

  it('shows the attachments and bonds left at the end of the buggy sample', async () => {
    const run = await cli(['state', sample('buggy-v6.2.jsonl')]);
    expect(run.stdout).toContain('0000:6a:02.0 pasid 2 -> dom5');
    expect(run.stdout).toContain('0000:6a:01.0 x mm@5001');
  });

  it('refuses to write the log over its own input, even with --force', async () => {
    const run = await cli(['replay', sample('clean-v6.8.jsonl'), '--out', sample('clean-v6.8.jsonl'), '--force']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('the output is one of the inputs');
  });
});

describe('the audit keeps no facts in memory', () => {
  it('streams the facts to subscribers and counts them, but retains none', async () => {
    const { runReplay } = await import('../../src/audit/runReplay.js');
    const { readTraceFile } = await import('../../src/log/reader.js');
    let seen = 0;
    const result = await runReplay(readTraceFile(sample('clean-v6.8.jsonl')), { file: 'clean', onStart: (r) => r.log.on('appended', () => seen++) });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.replay.log.length).toBe(56);
    expect(seen).toBe(56);
    expect(result.value.replay.log.all()).toEqual([]);
  });
});
