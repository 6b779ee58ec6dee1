import { describe, it, expect } from 'vitest';
import { cli } from './harness.js';

const FIXTURE = 'test/fixtures/travel-v6.8.jsonl';

describe('pasid-ledger diff', () => {
  it('shows a wrong-domain detach emptying the PASID slot and dropping the attachment', async () => {
    const r = await cli(['diff', FIXTURE, '--from', '7', '--to', '8']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('PASID slot 0000:6a:01.0/5: dom1 → (none)');
    expect(r.stdout).toContain('domain dom1: attachments 1 → 0');
  });

  it('lists the facts and findings of the records in (A, B] only', async () => {
    const r = await cli(['diff', FIXTURE, '--from', '7', '--to', '10', '--json']);
    const out = JSON.parse(r.stdout) as { facts: { seq: number; type: string }[]; findings: { code: string; seq: number }[] };
    expect(out.facts.map((f) => [f.seq, f.type])).toEqual([[8, 'PasidDetached'], [10, 'SvaUnbound']]);
    expect(out.findings.map((f) => [f.code, f.seq])).toEqual([['DETACH_WRONG_DOMAIN', 8]]);
  });

  it('shows an unbind as a bond losing one user', async () => {
    const r = await cli(['diff', FIXTURE, '--from', '9', '--to', '10']);
    expect(r.stdout).toContain('bond 0000:6a:01.0 x mm1: users 2 → 1');
  });

  it('shows a freed domain as freed, with its attachments', async () => {
    const r = await cli(['diff', FIXTURE, '--from', '12', '--to', '13']);
    expect(r.stdout).toContain('domain dom2: freed');
  });

  it('says nothing changed between a point and itself', async () => {
    const r = await cli(['diff', FIXTURE, '--from', '5', '--to', '5']);
    expect(r.stdout).toContain('no object changed');
  });

  it('refuses --from after --to with exit 2 and the fix', async () => {
    const r = await cli(['diff', FIXTURE, '--from', '9', '--to', '3']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--from 9 comes after --to 3; swap them/);
  });

  it('refuses a seq that is not in the trace, naming the nearest seqs', async () => {
    const r = await cli(['diff', FIXTURE, '--from', '0', '--to', '99']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/travel-v6\.8\.jsonl: field "--to": --to 99: no record has seq 99.*nearest seqs are 13/);
  });

  it('needs --from and --to (exit 2)', async () => {
    expect((await cli(['diff', FIXTURE, '--to', '3'])).code).toBe(2);
  });

  it('prints help with examples', async () => {
    const r = await cli(['diff', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/examples:/);
  });
});
