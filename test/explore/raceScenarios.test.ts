/**
 * The §B.2 orderings written as scenario files (samples/races/, header format
 * "pasid-ledger-scenario"): each has its expected verdict, the codes it must raise (in every
 * ordering or in some), and the codes a guarded driver must not be blamed for.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exploreBuilt, type ExploreResult } from '../../src/explore/explore.js';
import { cli } from '../support/cli.js';
import { build } from './scenarioSupport.js';

const RACES = fileURLToPath(new URL('../../samples/races/', import.meta.url));
const explore = (name: string): ExploreResult => exploreBuilt(build(readFileSync(RACES + name, 'utf8')));
const codes = (r: ExploreResult) => Object.fromEntries(r.violations.map((v) => [v.code, v.in]));

interface Expect {
  readonly verdict: 'ok' | 'violation';
  readonly codes: Record<string, 'every' | 'some'>;
}

const EXPECTED: Record<string, Expect> = {
  // §B.2.1-2: an alloc before dmar1's registration makes it fail; after it, the host's ID 100 is freed cleanly (no IOASID_FREE_UNKNOWN).
  'vtd-boot-early-user-v5.10.jsonl': { verdict: 'violation', codes: { ALLOCATOR_REGISTER_OUTSTANDING: 'some', VTD_ALLOCATOR_REGISTRATION_FAILED: 'some', VTD_SM_DISABLED_AFTER_ROOT: 'some' } },
  // §B.2.3: the free after the unplug is of an orphan.
  'viommu-unplug-vs-free-v5.10.jsonl': { verdict: 'violation', codes: { ALLOCATOR_UNREGISTER_OUTSTANDING: 'some', IOASID_FREE_UNKNOWN: 'some', IOASID_ORPHANED: 'some' } },
  // §B.2.5: -EOVERFLOW or -ENOSPC for the small device by order; no unbind of a failed bind.
  'sva-two-devices-unbind-if-bound-v6.8.jsonl': { verdict: 'violation', codes: { GLOBAL_PASID_EXHAUSTED: 'some', SVA_BIND_PASID_OUT_OF_RANGE: 'some' } },
  // §B.2.6 corrected: mm_pasid_drop after the last unbind is clean in every order.
  'unbind-then-mmdrop-v6.8.jsonl': { verdict: 'ok', codes: {} },
  // §B.2.7: freed while attached in every order.
  'global-pasid-free-before-detach-v6.6.jsonl': { verdict: 'violation', codes: { GLOBAL_PASID_FREE_ATTACHED: 'every', GLOBAL_PASID_SECOND_OWNER: 'some' } },
  // #21 B3: a free of PASID 1 by number is another owner's only in the orders where dsa0 got 1 (one PASID leaks in every order).
  'global-pasid-free-by-other-v6.6.jsonl': { verdict: 'violation', codes: { GLOBAL_PASID_FREE_BY_OTHER: 'some', GLOBAL_PASID_LEAKED: 'every' } },
  // §B.2.8: the loser of the attach race gets -EBUSY and, guarded, does not detach.
  'attach-vs-attach-v6.8.jsonl': { verdict: 'violation', codes: { ATTACH_BUSY: 'some' } },
};

describe('§B.2 race scenarios', () => {
  for (const [name, want] of Object.entries(EXPECTED)) {
    it(`${name}: ${want.verdict}${Object.keys(want.codes).length ? ` (${Object.entries(want.codes).map(([c, i]) => `${c} in ${i}`).join(', ')})` : ''}`, () => {
      const r = explore(name);
      expect(r.verdict).toBe(want.verdict);
      expect(codes(r)).toEqual(want.codes);
      expect(r.exhaustive).toBe(true);
    });
  }

  it('no false violation: the same attach race without if_ok blames the loser for a wrong detach', () => {
    const text = readFileSync(RACES + 'attach-vs-attach-v6.8.jsonl', 'utf8').replace(/,"if_ok":1/g, '');
    const r = exploreBuilt(build(text));
    expect(Object.keys(codes(r))).toContain('DETACH_WRONG_DOMAIN');
    expect(Object.keys(codes(explore('attach-vs-attach-v6.8.jsonl')))).not.toContain('DETACH_WRONG_DOMAIN');
  });

  it('no false violation: a literal free of ID 1 (the old format) is wrong whenever the host handed out 100', () => {
    const text = readFileSync(RACES + 'vtd-boot-early-user-v5.10.jsonl', 'utf8').replace('{"ret_of":1}', '1');
    expect(Object.keys(codes(exploreBuilt(build(text))))).toContain('IOASID_FREE_UNKNOWN');
  });

  it('4 drivers × (alloc, attach, detach, free, alloc, free) on one IDA: value symmetry leaves one class', () => {
    const r = explore('contended-ida-4x6-v6.6.jsonl');
    expect(r.verdict).toBe('ok');
    expect(r.symmetry.used).toBe(true);
    expect(r.executions).toBe(1);
  });
});

describe('pasid-ledger explore on scenario files', () => {
  it('--expect-clean exits 0 on a clean scenario and 1 on one with a finding in some ordering', async () => {
    expect((await cli(['explore', RACES + 'unbind-then-mmdrop-v6.8.jsonl', '--expect-clean'])).code).toBe(0);
    const bad = await cli(['explore', RACES + 'attach-vs-attach-v6.8.jsonl', '--expect-clean']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('ATTACH_BUSY');
  });

  it('--expect-clean exits 1 when a bound cut the search short (unknown is not clean)', async () => {
    const r = await cli(['explore', RACES + 'unbind-then-mmdrop-v6.8.jsonl', '--expect-clean', '--max-executions', '1', '--json']);
    expect(JSON.parse(r.stdout)).toMatchObject({ verdict: 'unknown', exhaustive: false });
    expect(r.code).toBe(1);
  });

  it('prints per code whether it is in every ordering, and --emit writes traces audit reproduces', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scn-'));
    const r = await cli(['explore', RACES + 'global-pasid-free-before-detach-v6.6.jsonl', '--emit', dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/GLOBAL_PASID_FREE_ATTACHED\s+in every ordering/);
    const audit = await cli(['audit', join(dir, 'global-pasid-free-before-detach-v6.6.GLOBAL_PASID_FREE_ATTACHED.jsonl'), '--json']);
    expect((JSON.parse(audit.stdout) as { findings: { code: string }[] }).findings.map((f) => f.code)).toContain('GLOBAL_PASID_FREE_ATTACHED');
  });

  it('a bad scenario exits 2 naming the line and the fix', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scn-'));
    const file = join(dir, 'bad.jsonl');
    writeFileSync(file, readFileSync(RACES + 'attach-vs-attach-v6.8.jsonl', 'utf8').replace('"if_ok":1}', '"if_ok":"b:1"}'));
    const r = await cli(['explore', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${file}:7: field "if_ok"`);
    expect(r.stderr).toContain('teardown');
  });
});
