import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { replaceBlock } from '../../src/docs/tables.js';
import { cli } from '../support/cli.js';

// Why this test? The README shows one real comparison of a bundled sample across two eras; this
// fails when the output changes without the README (UPDATE_DOCS=1 npx vitest run test/docs rewrites it).
const ARGV = ['compare', 'samples/custom-allocators-v5.10.jsonl', '--kernel', '5.10.0', '--kernel', '5.15.0'];

describe('README compare example', () => {
  it('is the real output of the command it shows', async () => {
    const path = new URL('../../README.md', import.meta.url);
    const doc = readFileSync(path, 'utf8');
    // The sample is named relative to the checkout, where vitest runs, as the README user types it.
    const r = await cli(ARGV);
    expect(r.code).toBe(1);
    const want = replaceBlock(doc, 'compare-example', ['```', `$ npx pasid-ledger ${ARGV.join(' ')}`, r.stdout.trimEnd(), '```'].join('\n'));
    if (process.env.UPDATE_DOCS === '1' && want !== doc) writeFileSync(path, want);
    else expect(doc).toBe(want);
  });
});
