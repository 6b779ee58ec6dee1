/**
 * The bundled race scenarios (samples/races): each bug shows up in some orders only, DPOR finds it
 * exhaustively, and `pasid-ledger explore --emit` writes traces that `pasid-ledger audit` flags with
 * the same code.
 */
import { describe, expect, it } from 'vitest';
import { Readable, Writable } from 'node:stream';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CallRecord, TraceHeader } from '../../events/records.js';
import { profileFor } from '../../machines/profile.js';
import { exploreScenario } from '../../src/explore/explore.js';
import { runCli } from '../../src/cli/main.js';

const RACES = fileURLToPath(new URL('../../samples/races/', import.meta.url));

function load(name: string): { header: TraceHeader; records: CallRecord[] } {
  const [header, ...records] = readFileSync(RACES + name, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as unknown);
  return { header: header as TraceHeader, records: records as CallRecord[] };
}

function explore(name: string) {
  const { header, records } = load(name);
  return exploreScenario(records, profileFor(header.kernel)!);
}

const codesOf = (r: ReturnType<typeof explore>) => r.outcomes.map((o) => o.codes);

function sink(): Writable & { text: () => string } {
  const chunks: Buffer[] = [];
  const w = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(Buffer.from(chunk));
      done();
    },
  });
  return Object.assign(w, { text: () => Buffer.concat(chunks).toString('utf8') });
}

async function cli(argv: string[]) {
  const stdout = sink();
  const stderr = sink();
  const code = await runCli(argv, { stdout, stderr, stdin: Readable.from(['']), env: {} });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

describe('bundled race scenarios', () => {
  it('every scenario file is a scenario: source "scenario", no ret except object names, several tids', () => {
    for (const name of ['vtd-boot-race-v5.10.jsonl', 'viommu-hotunplug-v5.10.jsonl', 'sva-bind-two-devices-v6.8.jsonl', 'unbind-vs-mm-exit-v6.8.jsonl', 'global-pasid-free-vs-attach-v6.6.jsonl']) {
      const { header, records } = load(name);
      expect(header.source).toBe('scenario');
      expect(new Set(records.map((r) => r.tid)).size).toBeGreaterThan(1);
      for (const r of records) if (r.ret !== undefined) expect(r.fn).toBe('iommu_domain_alloc');
    }
  });

  it('VT-d boot (5.10): an early ioasid_alloc before the first vcmd registration → -EAGAIN, SM off after an SMT root (A7, A15, A16) in some orders only', () => {
    const r = explore('vtd-boot-race-v5.10.jsonl');
    expect(r.verdict).toBe('violation');
    expect(codesOf(r)).toContainEqual([]);
    expect(codesOf(r)).toContainEqual(['ALLOCATOR_REGISTER_OUTSTANDING', 'VTD_ALLOCATOR_REGISTRATION_FAILED', 'VTD_SM_DISABLED_AFTER_ROOT']);
    expect(r.violations.find((v) => v.code === 'VTD_SM_DISABLED_AFTER_ROOT')?.schedule).toBe('t2,t1,t1,t1');
    expect(r.executions).toBeLessThan(Number(r.interleavings));
  });

  it('vIOMMU hot-unplug (5.10): freeing IOASID 1 after the unregister orphans it (A9, A1); freeing it before is clean', () => {
    const r = explore('viommu-hotunplug-v5.10.jsonl');
    expect(codesOf(r)).toContainEqual([]);
    expect(codesOf(r)).toContainEqual(['ALLOCATOR_UNREGISTER_OUTSTANDING', 'IOASID_FREE_UNKNOWN', 'IOASID_ORPHANED']);
    expect(r.violations.find((v) => v.code === 'ALLOCATOR_UNREGISTER_OUTSTANDING')?.schedule).toBe('t1,t1,t1');
  });

  it('one mm on two devices (6.8): the small device binds fine, or -ENOSPC, or -EOVERFLOW, by order', () => {
    const r = explore('sva-bind-two-devices-v6.8.jsonl');
    const all = new Set(codesOf(r).flat());
    expect(all).toContain('SVA_BIND_PASID_OUT_OF_RANGE');
    expect(codesOf(r).filter((c) => c.includes('SVA_BIND_PASID_OUT_OF_RANGE'))).toHaveLength(1);
    expect(r.violations.find((v) => v.code === 'SVA_BIND_PASID_OUT_OF_RANGE')?.schedule).toBe('t1,t2,t2,t2,t1');
  });

  it('unbind vs mm exit (6.8): the exit between bind and unbind leaves bonds (MM_EXIT_WITH_BONDS) in one order', () => {
    const r = explore('unbind-vs-mm-exit-v6.8.jsonl');
    expect(codesOf(r)).toContainEqual([]);
    expect(codesOf(r).filter((c) => c.includes('MM_EXIT_WITH_BONDS'))).toHaveLength(1);
  });

  it('global PASID free vs detach (6.6): freed while attached, then reallocated and attached on the other device', () => {
    const r = explore('global-pasid-free-vs-attach-v6.6.jsonl');
    expect(codesOf(r)).toContainEqual([]);
    expect(codesOf(r)).toContainEqual(['GLOBAL_PASID_FREE_ATTACHED']);
    const v = r.violations.find((x) => x.code === 'GLOBAL_PASID_FREE_ATTACHED')!;
    expect(v.schedule).toBe('t1,t1,t1,t1,t2,t2,t2');
    expect(r.executions).toBeLessThan(Number(r.interleavings) / 10);
  });
});

describe('pasid-ledger explore', () => {
  it('exits 1 on violations and --emit writes traces that audit flags with the same code', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'explore-'));
    const r = await cli(['explore', RACES + 'vtd-boot-race-v5.10.jsonl', '--emit', dir, '--json']);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as { executions: number; interleavings: string; verdict: string; outcomes: unknown[]; violations: { code: string; schedule: string; trace: string }[] };
    expect(out).toMatchObject({ executions: 6, interleavings: '15', verdict: 'violation' });
    expect(out.outcomes).toHaveLength(3);
    for (const v of out.violations) {
      const header = JSON.parse(readFileSync(v.trace, 'utf8').split('\n')[0]) as TraceHeader;
      expect(header.source).toBe('explored');
      const audit = await cli(['audit', v.trace, '--json']);
      expect((JSON.parse(audit.stdout) as { findings: { code: string }[] }).findings.map((f) => f.code)).toContain(v.code);
    }
  });

  it('exits 0 with verdict ok when no order raises anything', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'explore-'));
    const file = join(dir, 'clean.jsonl');
    const lines = [
      { type: 'header', format: 'pasid-ledger-trace', version: 1, kernel: '6.8.0', source: 'scenario' },
      { seq: 1, ts: 1, cpu: 0, tid: 1, fn: 'iommu_probe_device', args: { dev: 'a', max_pasids: 8 } },
      { seq: 2, ts: 2, cpu: 1, tid: 2, fn: 'iommu_probe_device', args: { dev: 'b', max_pasids: 8 } },
    ];
    (await import('node:fs')).writeFileSync(file, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    const r = await cli(['explore', file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('verdict: ok');
    expect(r.stdout).toContain('1 executions');
  });

  it('--schedule replays one order and prints each step', async () => {
    const r = await cli(['explore', RACES + 'vtd-boot-race-v5.10.jsonl', '--schedule', 't2,t1,t1,t1']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('VTD_SM_DISABLED_AFTER_ROOT');
    expect(r.stdout.split('\n').filter((l) => /^\s+\d+ t\d/.test(l))).toHaveLength(4);
  });

  it('exits 2 on a bad schedule, a bad strategy or a missing file', async () => {
    expect((await cli(['explore', RACES + 'vtd-boot-race-v5.10.jsonl', '--schedule', 't7'])).code).toBe(2);
    expect((await cli(['explore', RACES + 'vtd-boot-race-v5.10.jsonl', '--strategy', 'bfs'])).code).toBe(2);
    expect((await cli(['explore', RACES + 'nope.jsonl'])).code).toBe(2);
  });

  it('--max-executions 1 says unknown unless it already saw a violation', async () => {
    const r = await cli(['explore', RACES + 'unbind-vs-mm-exit-v6.8.jsonl', '--max-executions', '1', '--json']);
    const out = JSON.parse(r.stdout) as { verdict: string; executions: number };
    expect(out.executions).toBe(1);
    expect(['unknown', 'violation']).toContain(out.verdict);
  });
});
