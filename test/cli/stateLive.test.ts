import { describe, it, expect } from 'vitest';
import { cli } from './harness.js';

const BUGGY = 'samples/buggy-v6.2.jsonl';

describe('state lists the live objects, and counts the dead ones it leaves out', () => {
  it('text: no freed domain nor exited mm is listed, and the last line counts them', async () => {
    const r = await cli(['state', BUGGY]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toMatch(/, freed$|, exited$/m);
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('not shown: 4 freed domains, 2 exited mms (--dead lists them)');
  });

  it('text: its objects are those of `state --dead` but the dead ones, which --dead lists as counted (a section left empty is omitted)', async () => {
    const rows = (text: string) => text.split('\n').filter((l) => l.startsWith('  '));
    const live = rows((await cli(['state', BUGGY])).stdout);
    const all = rows((await cli(['state', BUGGY, '--dead'])).stdout);
    expect(all.filter((l) => !/, (freed|exited)$/.test(l))).toEqual(live);
    expect(all.filter((l) => /^  dom\S+: .*, freed$/.test(l))).toHaveLength(4);
    expect(all.filter((l) => /^  mm\S+: .*, exited$/.test(l))).toHaveLength(2);
  });

  it('JSON: the live objects and a notShown field of counts per kind; --dead has no such field', async () => {
    const live = JSON.parse((await cli(['state', BUGGY, '--json'])).stdout) as { domains: { freed: boolean }[]; mms: { exited: boolean }[]; notShown: Record<string, number> };
    expect(live.notShown).toEqual({ domain: 4, mm: 2 });
    expect(live.domains.some((d) => d.freed) || live.mms.some((m) => m.exited)).toBe(false);
    const all = JSON.parse((await cli(['state', BUGGY, '--json', '--dead'])).stdout) as object;
    expect('notShown' in all).toBe(false);
  });

  it('at a position with no dead object: no count line, and notShown is {}', async () => {
    const text = await cli(['state', BUGGY, '--at', '1']);
    expect(text.stdout).not.toContain('not shown');
    expect(JSON.parse((await cli(['state', BUGGY, '--at', '1', '--json'])).stdout).notShown).toEqual({});
  });
});
