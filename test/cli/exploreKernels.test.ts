import { describe, expect, it } from 'vitest';
import { cli, sample } from '../support/cli.js';

const scenario = sample('races/sva-bind-two-devices-v6.8.jsonl');

describe('pasid-ledger explore --kernel A --kernel B', () => {
  it('says which finding codes become bad between the kernels, with the ordering and what it does on the other kernel', async () => {
    // v5.18 brings iommu_sva_alloc_pasid's `pasid >= max` off-by-one (701fac40384f): the small device refuses PASID 1.
    const r = await cli(['explore', scenario, '--kernel', '5.17.0', '--kernel', '5.18.0']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('5.17.0 → 5.18.0: verdict violation → violation');
    expect(r.stdout).toContain('era boundaries crossed: v5.18 (ioasidRefcount, svaPasidUntilMmExit, svaOverflowOffByOne, auxDomains, 7 call ranges); v5.18-rc6 (mmPasidDropAtMmdrop)');
    expect(r.stdout).toMatch(/orderings that become bad on 5\.18\.0:\n {4}SVA_BIND_PASID_OUT_OF_RANGE +t2,t2,t2,t1,t1 +\(on 5\.17\.0 this ordering raises CALL_NOT_IN_KERNEL SVA_BOND_LEAKED\)/);
  });

  it('says which become good going the other way', async () => {
    const r = await cli(['explore', scenario, '--kernel', '5.18.0', '--kernel', '5.17.0', '--json']);
    const out = JSON.parse(r.stdout);
    expect(out.schema).toBe('pasid-ledger-explore-compare/1');
    expect(out.pairs[0].becomeGood.map((c: { code: string }) => c.code)).toEqual(['SVA_BIND_PASID_OUT_OF_RANGE']);
    expect(out.pairs[0].becomeBad).toEqual([]);
    expect(out.kernels.map((k: { kernel: string; verdict: string }) => `${k.kernel} ${k.verdict}`)).toEqual(['5.18.0 violation', '5.17.0 violation']);
  });

  it('exits 0 when the kernels explore to the same codes and outcomes', async () => {
    const r = await cli(['explore', scenario, '--kernel', '6.8.0', '--kernel', '6.12.0']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('the same finding codes and outcomes on both kernels');
  });

  it('one --kernel still explores that kernel alone', async () => {
    const r = await cli(['explore', scenario, '--kernel', '6.8.0']);
    expect(r.stdout).toContain('kernel 6.8.0');
    expect(r.stdout).toContain('verdict:');
  });

  it('refuses an unsupported kernel and --emit or --schedule with several kernels (exit 2)', async () => {
    const bad = await cli(['explore', scenario, '--kernel', '6.8.0', '--kernel', '4.4']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/kernel version "4\.4" is not one pasid-ledger models/);
    const emit = await cli(['explore', scenario, '--kernel', '6.8.0', '--kernel', '6.12.0', '--emit', '/tmp/x']);
    expect(emit.code).toBe(2);
    expect(emit.stderr).toMatch(/--schedule and --emit take one kernel/);
  });
});
