import { describe, it, expect } from 'vitest';
import { cli } from './harness.js';

const FIXTURE = 'test/fixtures/travel-v6.8.jsonl';
interface Change { finding: { code: string }; originalSeq: number | null }
const parse = (s: string) => JSON.parse(s) as { gone: Change[]; new: Change[]; kept: number };
const pairs = (cs: Change[]) => cs.map((c) => [c.finding.code, c.originalSeq]);

describe('pasid-ledger whatif', () => {
  it('without the wrong-domain detach, its WARN goes and dom1 is freed while attached instead', async () => {
    const r = parse((await cli(['whatif', FIXTURE, '--skip', '8', '--json'])).stdout);
    expect(pairs(r.gone)).toEqual([['DETACH_WRONG_DOMAIN', 8]]);
    expect(pairs(r.new)).toEqual([['DOMAIN_FREE_ATTACHED', 11], ['ATTACH_LEAKED', 4]]);
  });

  it('skipping an attach skips the driver call nested in it: the later detach finds nothing attached', async () => {
    const r = parse((await cli(['whatif', FIXTURE, '--skip', '4', '--json'])).stdout);
    expect(pairs(r.gone)).toEqual([['DETACH_WRONG_DOMAIN', 8]]);
    expect(pairs(r.new)).toEqual([['DETACH_NOT_ATTACHED', 8]]);
  });

  it('reports findings in the original numbering after a move', async () => {
    const r = parse((await cli(['whatif', FIXTURE, '--move', '11:6', '--json'])).stdout);
    expect(pairs(r.new)).toEqual([['DOMAIN_FREE_ATTACHED', 11]]);
    expect(r.gone).toEqual([]);
  });

  it('refuses to move a record past a later record of its own task, unless --force', async () => {
    const refused = await cli(['whatif', FIXTURE, '--move', '10:6']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/travel-v6\.8\.jsonl:11: field "--move": --move 10:6: seq 10 \(tid 420\) would pass seq 7 of the same task/);
    expect((await cli(['whatif', FIXTURE, '--move', '10:6', '--force'])).code).toBe(0);
  });

  it('refuses to move a nested record, naming its enclosing call', async () => {
    const r = await cli(['whatif', FIXTURE, '--move', '5:1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/move the enclosing call, --move 4:1/);
  });

  it('refuses a seq that is not in the trace', async () => {
    expect((await cli(['whatif', FIXTURE, '--skip', '99'])).code).toBe(2);
  });

  it('needs exactly one of --skip and --move', async () => {
    expect((await cli(['whatif', FIXTURE])).code).toBe(2);
    expect((await cli(['whatif', FIXTURE, '--skip', '3', '--move', '4:1'])).code).toBe(2);
  });
});
