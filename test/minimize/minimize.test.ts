/** `minimize`: the kept records still raise the finding, and removing any one of them loses it (1-minimal). */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, sample } from '../support/cli.js';
import { generateTrace } from '../../src/generate/generateTrace.js';
import { loadTrace } from '../../src/cli/traceFile.js';
import { profileFor, type Profile } from '../../machines/profile.js';
import { replayEntries, type Entry } from '../../src/replay/replayTrace.js';
import { minimizeTrace, raises } from '../../src/minimize/minimize.js';
import type { Finding } from '../../src/replay/finding.js';

const io = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: {} };

/** Checks what minimize promises for one finding: kept, closed under parents, in trace order, 1-minimal. */
function checkMinimal(entries: readonly Entry[], profile: Profile, target: Finding): number {
  const m = minimizeTrace(entries, profile, target);
  expect(m.minimal).toBe(true);
  expect(raises(m.entries, profile, target)).toBe(true);
  const seqs = m.entries.map((e) => e.record.seq);
  expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
  const kept = new Set(seqs);
  for (const e of m.entries) if (e.record.parent !== undefined && entries.some((x) => x.record.seq === e.record.parent)) expect(kept.has(e.record.parent)).toBe(true);
  const fixed = new Set(m.fixed.map((i) => entries[i].record.seq));
  for (const e of m.entries) {
    if (fixed.has(e.record.seq)) continue;
    // Removing a record removes the calls nested in it.
    const drop = new Set([e.record.seq]);
    for (const x of m.entries) if (x.record.parent !== undefined && drop.has(x.record.parent)) drop.add(x.record.seq);
    expect(raises(m.entries.filter((x) => !drop.has(x.record.seq)), profile, target)).toBe(false);
  }
  return m.entries.length;
}

describe('minimize', () => {
  it('keeps every finding of the buggy sample and is 1-minimal for each', async () => {
    const t = await loadTrace(sample('buggy-v6.2.jsonl'), io);
    if (!t.ok) throw new Error(t.error.message);
    const findings = replayEntries(t.value.entries, t.value.profile).findings;
    expect(findings.length).toBeGreaterThan(5);
    fc.assert(
      fc.property(fc.constantFrom(...findings), (f) => {
        expect(checkMinimal(t.value.entries, t.value.profile, f)).toBeLessThan(t.value.entries.length);
      }),
      { numRuns: findings.length * 2 },
    );
  });

  it('keeps a random finding of a generated trace and is 1-minimal', () => {
    const profile = profileFor('6.8.0') as Profile;
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), fc.nat(), (seed, pick) => {
        const g = generateTrace({ records: 150, kernel: '6.8.0', seed });
        if (!g.ok) throw new Error(g.error.message);
        const entries = [...g.value.records()].map((record) => ({ record, line: null }));
        const findings = replayEntries(entries, profile).findings;
        fc.pre(findings.length > 0);
        checkMinimal(entries, profile, findings[pick % findings.length]);
      }),
      { numRuns: 8 },
    );
  });

  it('writes a trace that validates and re-audits to the finding, and prints sizes and replays', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'pasid-ledger-min-')), 'min.jsonl');
    const run = await cli(['minimize', sample('buggy-v6.2.jsonl'), '--finding', 'DETACH_WRONG_DOMAIN', '-o', out]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/41 → \d+ records \(header kept\), \d+ replays/);
    expect(run.stdout).toContain('1-minimal');
    expect((await cli(['validate', out])).code).toBe(0);
    const find = async (path: string) => (JSON.parse((await cli(['audit', '--json', path])).stdout) as { findings: Finding[] }).findings.find((x) => x.code === 'DETACH_WRONG_DOMAIN');
    const [before, after] = [await find(sample('buggy-v6.2.jsonl')), await find(out)];
    expect(after?.objects).toEqual(before?.objects);
    expect(after?.seq).toBe(20);
    expect(readFileSync(out, 'utf8').split('\n')[0]).toBe(readFileSync(sample('buggy-v6.2.jsonl'), 'utf8').split('\n')[0]);
  });

  it('refuses a finding the trace does not have, listing the ones it has', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'pasid-ledger-min-')), 'min.jsonl');
    const run = await cli(['minimize', sample('buggy-v6.2.jsonl'), '--finding', 'ATTACH_BUSY:2', '-o', out]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('ATTACH_BUSY (1)');
  });

  it('stops at the --time bound and says the result is not 1-minimal', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'pasid-ledger-min-')), 'min.jsonl');
    const run = await cli(['minimize', sample('buggy-v6.2.jsonl'), '--finding', 'SVA_BOND_LEAKED', '-o', out, '--time', '0']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('not 1-minimal');
  });
});

describe('explore --emit --minimize', () => {
  it('writes each violating trace minimized next to it, still raising its code', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pasid-ledger-emit-'));
    const run = await cli(['explore', sample('races/vtd-boot-race-v5.10.jsonl'), '--emit', dir, '--minimize', '--json']);
    expect(run.code).toBe(1);
    const out = JSON.parse(run.stdout) as { violations: { code: string; trace: string; minimized?: { path: string; before: number; after: number } }[] };
    expect(out.violations.length).toBeGreaterThan(0);
    for (const v of out.violations) {
      expect(v.minimized?.path).toBe(v.trace.replace(/\.jsonl$/, '.min.jsonl'));
      expect(v.minimized?.after).toBeLessThanOrEqual(v.minimized?.before ?? 0);
      const audit = JSON.parse((await cli(['audit', '--json', v.minimized?.path ?? ''])).stdout) as { findings: { code: string }[] };
      expect(audit.findings.map((f) => f.code)).toContain(v.code);
    }
  });

  it('refuses --minimize without --emit', async () => {
    const run = await cli(['explore', sample('races/vtd-boot-race-v5.10.jsonl'), '--minimize']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--emit');
  });
});
