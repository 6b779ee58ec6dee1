import { describe, it, expect } from 'vitest';
import { cli } from './harness.js';

describe('time-travel commands are registered and documented', () => {
  for (const name of ['state', 'diff', 'history', 'whatif', 'travel']) {
    it(`${name} --help exits 0 with examples`, async () => {
      const r = await cli([name, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/usage: pasid-ledger /);
      expect(r.stdout).toMatch(/examples?:/);
    });
  }

  it('an unknown option is a usage error (exit 2)', async () => {
    const r = await cli(['diff', 'test/fixtures/travel-v6.8.jsonl', '--from', '1', '--to', '2', '--colour']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown option --colour/);
  });

  it('a missing trace is bad input (exit 2) naming the file', async () => {
    const r = await cli(['history', 'test/fixtures/none.jsonl', '--pasid', '5']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/none\.jsonl: cannot read: ENOENT; .*none\.jsonl does not exist/);
  });
});
