import { describe, it, expect } from 'vitest';
import { cli } from './harness.js';

const FIXTURE = 'test/fixtures/travel-v6.8.jsonl';
const travel = (...lines: string[]) => cli(['travel', FIXTURE], lines);

describe('pasid-ledger travel (commands piped in)', () => {
  it('answers each command once, without a prompt', async () => {
    const r = await travel('where', 'quit');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('at the start (before record 1 of 13); 0 facts, 0 findings\n');
  });

  it('steps forward and shows the record and what it changed', async () => {
    const r = await travel('step 4');
    expect(r.stdout).toContain('at seq 4 (line 5), record 4 of 13');
    expect(r.stdout).toContain('PASID slot 0000:6a:01.0/5: (none) → dom1');
  });

  it('goes back to an earlier state', async () => {
    const r = await travel('seek 8', 'back 1', 'where');
    expect(r.stdout.split('\n').filter((l) => l.startsWith('at seq'))).toEqual([
      'at seq 8 (line 9), record 8 of 13; 13 facts, 1 findings so far',
      'at seq 7 (line 8), record 7 of 13; 12 facts, 0 findings so far',
      'at seq 7 (line 8), record 7 of 13; 12 facts, 0 findings so far',
    ]);
  });

  it('stops `continue` when a watched object changes', async () => {
    const r = await travel('seek 4', 'watch pasid 5', 'continue');
    expect(r.stdout).toContain('stopped: pasid 5 changed\nat seq 8');
  });

  it('stops `continue` at the next finding when nothing is watched', async () => {
    const r = await travel('continue');
    expect(r.stdout).toMatch(/stopped: a finding\nat seq 8/);
    expect(r.stdout).toContain('DETACH_WRONG_DOMAIN at seq 8');
  });

  it('jumps to a finding by its number', async () => {
    const r = await travel('seek finding 2', 'where');
    expect(r.stdout).toContain('DOMAIN_FREE_ATTACHED at seq 13');
    expect(r.stdout).toMatch(/at seq 13 \(line 14\)/);
  });

  it('diffs against the previous position', async () => {
    const r = await travel('seek 9', 'seek 10', 'diff');
    expect(r.stdout.trimEnd().split('\n').pop()).toBe('bond 0000:6a:01.0 x mm1: users 2 → 1');
  });

  it('prints the state as `state --at` does', async () => {
    const r = await travel('seek 8', 'state');
    const at = await cli(['state', FIXTURE, '--at', '8']);
    expect(r.stdout.endsWith(at.stdout)).toBe(true);
  });

  it('prints every object with `state --dead`, as `state --at --dead` does', async () => {
    const r = await travel('seek 30', 'state --dead');
    const at = await cli(['state', 'samples/buggy-v6.2.jsonl', '--at', '30', '--dead']);
    const b = await cli(['travel', 'samples/buggy-v6.2.jsonl'], ['seek 30', 'state --dead']);
    expect(b.stdout.endsWith(at.stdout)).toBe(true);
    expect(at.stdout).toContain('dom2: sva (mm@5002), 0 attachment(s), users 0, freed');
    expect(r.code).toBe(0);
  });

  it('refuses other words after `state`', async () => {
    const r = await travel('state dead');
    expect(r.stdout).toContain('state [--dead]: --dead lists the dead objects too; e.g. state --dead');
  });

  it('marks the findings still ahead', async () => {
    const r = await travel('seek 8', 'findings');
    expect(r.stdout).toContain('  1. ');
    expect(r.stdout).toContain('> 2. ');
  });

  it('answers a bad command with a hint and keeps going', async () => {
    const r = await travel('jump 3', 'seek 99', 'where');
    expect(r.stdout).toContain('unknown command "jump"; type help');
    expect(r.stdout).toMatch(/no record has seq 99.*nearest seqs are 13/);
    expect(r.stdout).toContain('at the start');
  });

  it('ends at quit, ignoring what follows', async () => {
    const r = await travel('quit', 'where');
    expect(r.stdout).toBe('');
  });
});
