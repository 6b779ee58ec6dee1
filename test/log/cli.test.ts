/** `pasid-ledger validate` and `pasid-ledger repair` through the dispatcher, with captured io. */
import { describe, it, expect, beforeEach } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli as run } from '../support/cli.js';
import { SAMPLE, HEADER_LINE, RECORD_LINES, withLine } from './sample.js';

const cli = (argv: string[], stdin = '') => run(argv, { stdin });

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pasid-ledger-cli-'));
});
function file(text: string): string {
  const path = join(dir, 't.jsonl');
  writeFileSync(path, text);
  return path;
}

describe('pasid-ledger validate', () => {
  it('exits 0 and counts the records of a valid trace', async () => {
    const r = await cli(['validate', file(SAMPLE)]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/valid trace, 6 records/);
  });

  it('exits 2 with the first error naming the line on stderr', async () => {
    const path = file(withLine(3, 'nope'));
    const r = await cli(['validate', path]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${path}:3: not JSON`);
  });

  it('exits 0 on a torn tail and prints the warning on stderr', async () => {
    const r = await cli(['validate', file(`${SAMPLE}{"seq":`)]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/warning: .*torn tail/);
  });

  it('prints valid, records, errors and warnings with --json', async () => {
    const r = await cli(['validate', '--json', file(withLine(4, 'x'))]);
    const out = JSON.parse(r.stdout) as { valid: boolean; records: number; errors: { code: string; line: number }[]; warnings: unknown[] };
    expect(out).toMatchObject({ valid: false, records: 2, warnings: [] });
    expect(out.errors).toMatchObject([{ code: 'NOT_JSON', line: 4 }]);
  });

  it('lists every bad line with --all-errors', async () => {
    const text = [HEADER_LINE, RECORD_LINES[0], 'x', RECORD_LINES[1], 'y'].map((l) => `${l}\n`).join('');
    const r = await cli(['validate', '--all-errors', '--json', file(text)]);
    expect((JSON.parse(r.stdout) as { errors: { line: number }[] }).errors.map((e) => e.line)).toEqual([3, 5]);
  });

  it('reads stdin for -', async () => {
    const r = await cli(['validate', '-'], SAMPLE);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/<stdin>: valid trace, 6 records/);
  });

  it('exits 2 for a missing file', async () => {
    const r = await cli(['validate', join(dir, 'missing.jsonl')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/missing\.jsonl: cannot read: ENOENT; .*missing\.jsonl does not exist/);
  });

  it('exits 2 for an unknown --kind', async () => {
    expect((await cli(['validate', '--kind', 'csv', file(SAMPLE)])).code).toBe(2);
  });

  it('prints help with examples', async () => {
    const r = await cli(['validate', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/examples:/);
  });
});

describe('pasid-ledger repair', () => {
  it('truncates a torn tail and keeps every record', async () => {
    const path = file(`${SAMPLE}{"seq":7,"ts`);
    const r = await cli(['repair', path]);
    expect(r.code).toBe(0);
    expect(readFileSync(path, 'utf8')).toBe(SAMPLE);
  });

  it('changes nothing with --dry-run', async () => {
    const path = file(`${SAMPLE}{"seq":7`);
    const r = await cli(['repair', '--dry-run', path]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/would truncate .* line 8/);
    expect(readFileSync(path, 'utf8')).toBe(`${SAMPLE}{"seq":7`);
  });

  it('refuses corruption before the tail with exit 2 and leaves the file alone', async () => {
    const text = `${withLine(3, 'garbage')}{"seq":7`;
    const path = file(text);
    const r = await cli(['repair', path]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${path}:3:`);
    expect(readFileSync(path, 'utf8')).toBe(text);
  });

  it('reports nothing to repair on a whole file', async () => {
    const r = await cli(['repair', file(SAMPLE)]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/nothing to repair/);
  });
});
