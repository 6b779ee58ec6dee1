import { describe, it, expect } from 'vitest';
import { withIdleTicks } from '../../src/cli/live.js';
import type { ReadItem } from '../../src/log/readItem.js';
import { cli } from '../support/cli.js';

const fixture = (name: string) => new URL(`../fixtures/captures/${name}`, import.meta.url).pathname;

describe('live audit', () => {
  it('ticks idle while the input pauses, so the look-ahead window is flushed early', async () => {
    async function* slow(): AsyncGenerator<ReadItem> {
      yield { kind: 'warning', warning: { code: 'X', message: 'first' } };
      await new Promise((r) => setTimeout(r, 60));
      yield { kind: 'warning', warning: { code: 'X', message: 'second' } };
    }
    const kinds: string[] = [];
    for await (const item of withIdleTicks(slow(), 20, { stopped: false })) kinds.push(item.kind);
    expect(kinds[0]).toBe('warning');
    expect(kinds).toContain('idle');
    expect(kinds.at(-1)).toBe('warning');
  });

  it('stops at once when stopped (Ctrl-C), so the end-of-trace checks can run', async () => {
    async function* endless(): AsyncGenerator<ReadItem> {
      for (;;) await new Promise((r) => setTimeout(r, 1000));
    }
    const stop: { stopped: boolean; wake?: () => void } = { stopped: false };
    const started = Date.now();
    setTimeout(() => {
      stop.stopped = true;
      stop.wake?.();
    }, 30);
    // Why: the input never ends; only the stop can end this loop (a hang fails by the test timeout).
    for await (const item of withIdleTicks(endless(), 10, stop)) expect(item.kind).toBe('idle');
    expect(Date.now() - started).toBeLessThan(900);
  });
});

describe('audit --from', () => {
  it('audits a raw ftrace capture like its imported trace', async () => {
    const raw = await cli(['audit', '--json', '--from', 'ftrace', '--kernel', '6.2.0', fixture('buggy-v6.2.ftrace.txt')]);
    const imported = await cli(['audit', '--json', fixture('buggy-v6.2.ftrace.expected.jsonl')]);
    const codes = (s: string) => (JSON.parse(s) as { findings: { code: string; seq: number }[] }).findings.map((f) => `${f.seq}:${f.code}`);
    expect(codes(raw.stdout)).toEqual(codes(imported.stdout));
    expect(codes(raw.stdout)).toContain('11:DETACH_WRONG_DOMAIN');
  });

  it('marks findings after lost events as possible artefacts', async () => {
    const { readFileSync } = await import('node:fs');
    const run = await cli(['audit', '--json', '--from', 'bpftrace', '--kernel', '6.8.0', '-'], { stdin: readFileSync(fixture('problems.bpftrace.ndjson'), 'utf8') });
    const findings = (JSON.parse(run.stdout) as { findings: { seq: number; maybeLostEvents?: boolean }[] }).findings;
    expect(findings.filter((f) => f.seq > 1).every((f) => f.maybeLostEvents === true)).toBe(true);
    expect(findings.some((f) => f.maybeLostEvents === true)).toBe(true);
  });

  it('refuses an unknown capture format with the list of formats', async () => {
    const run = await cli(['audit', '--from', 'perf', fixture('problems.bpftrace.ndjson')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('ftrace or bpftrace');
  });

  it('asks for --kernel when ftrace text does not say which kernel it came from', async () => {
    const run = await cli(['audit', '--from', 'ftrace', fixture('buggy-v6.2.ftrace.txt')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--kernel');
  });
});
