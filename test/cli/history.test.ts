import { describe, it, expect } from 'vitest';
import { cli } from './harness.js';

const FIXTURE = 'test/fixtures/travel-v6.8.jsonl';

interface Item { seq: number; fn: string; before: { label: string; state: string }[]; after: { label: string; state: string }[]; changes: { text: string }[] }
const records = (stdout: string) => (JSON.parse(stdout) as { records: Item[] }).records;

describe('pasid-ledger history', () => {
  it('lists every record that named PASID 5, nested driver calls included', async () => {
    const r = await cli(['history', FIXTURE, '--pasid', '5', '--json']);
    expect(r.code).toBe(0);
    expect(records(r.stdout).map((i) => i.seq)).toEqual([4, 5, 8, 9]);
  });

  it('shows the slot before and after each record', async () => {
    const [attach, , detach] = records((await cli(['history', FIXTURE, '--pasid', '5', '--json'])).stdout);
    expect(attach.before).toEqual([]);
    expect(attach.after).toEqual([{ label: 'PASID slot 0000:6a:01.0/5', state: 'dom1' }]);
    expect(detach.changes.map((c) => c.text)).toContain('PASID slot 0000:6a:01.0/5: dom1 → (none)');
  });

  it('finds the records that created a domain by their return (who changed this refcount)', async () => {
    const items = records((await cli(['history', FIXTURE, '--domain', 'dom2', '--json'])).stdout);
    expect(items.map((i) => [i.seq, i.fn])).toEqual([[3, 'iommu_domain_alloc'], [8, 'iommu_detach_device_pasid'], [12, 'iommu_attach_device_pasid'], [13, 'iommu_domain_free']]);
  });

  it('follows a bond through its binds and unbinds by mm', async () => {
    const r = await cli(['history', FIXTURE, '--mm', 'mm1']);
    expect(r.stdout).toContain('bond 0000:6a:01.0 x mm1: users 1 → 2');
    expect(r.stdout).toContain('bond 0000:6a:01.0 x mm1: users 2 → 1');
  });

  it('gives the chain of a finding: the records that touched the objects it names, up to it', async () => {
    const r = await cli(['history', FIXTURE, '--finding', 'DETACH_WRONG_DOMAIN', '--json']);
    expect(records(r.stdout).map((i) => i.seq)).toEqual([3, 4, 5, 8]);
  });

  it('gives the chain of an end-of-trace leak through the object its creating record named', async () => {
    const r = await cli(['history', FIXTURE, '--finding', 'SVA_BOND_LEAKED:1', '--json']);
    expect(records(r.stdout).map((i) => i.seq)).toEqual([6, 7]);
  });

  it('refuses a finding number the trace does not have, listing the codes it has', async () => {
    const r = await cli(['history', FIXTURE, '--finding', 'DETACH_WRONG_DOMAIN:2']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/has 1 DETACH_WRONG_DOMAIN finding\(s\); pick one of its findings: .*SVA_BOND_LEAKED \(1\)/);
  });

  it('says so when nothing touched the object', async () => {
    const r = await cli(['history', FIXTURE, '--handle', 'nope']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/no record touched handle nope/);
  });

  it('needs exactly one selector (exit 2)', async () => {
    expect((await cli(['history', FIXTURE, '--pasid', '5', '--dev', '0000:6a:01.0'])).code).toBe(2);
    expect((await cli(['history', FIXTURE])).code).toBe(2);
  });
});
