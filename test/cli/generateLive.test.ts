/** `pasid-ledger generate --live L`: the CLI side of the option (its effect on the trace: test/generate). */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../support/cli.js';

describe('generate --live', () => {
  it('writes the option into the header description', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'pl-live-')), 't.jsonl');
    const r = await cli(['generate', '--records', '2000', '--live', '30', '-o', out]);
    expect(r.code).toBe(0);
    const header = JSON.parse(readFileSync(out, 'utf8').split('\n')[0]) as { description: string };
    expect(header.description).toBe('pasid-ledger generate --records 2000 --kernel 6.8.0 --seed 1 --live 30');
  });

  it.each(['0', 'x'])('refuses --live %s with exit status 2, a message naming the option, and nothing on stdout', async (live) => {
    const r = await cli(['generate', '--records', '2000', '--live', live]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('--live');
  });

  it('describes --live in its help', async () => {
    const r = await cli(['generate', '--help']);
    expect(r.stdout).toContain('--live L');
  });
});
