import { describe, it, expect } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { eraTable, findingTable, replaceBlock } from '../../src/docs/tables.js';

// Why this test? The README's finding-code and era tables are generated from the catalogues;
// this fails when a code is added or changed without regenerating them (UPDATE_DOCS=1 npx vitest run test/docs).
describe('README', () => {
  it('lists every finding code and era exactly as the catalogues define them', () => {
    const path = new URL('../../README.md', import.meta.url);
    const doc = readFileSync(path, 'utf8');
    const want = replaceBlock(replaceBlock(doc, 'findings', findingTable()), 'eras', eraTable());
    if (process.env.UPDATE_DOCS === '1' && want !== doc) writeFileSync(path, want);
    else expect(doc).toBe(want);
  });

  it('gives the two set-up commands', () => {
    const doc = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    expect(doc).toContain('npm ci && npm start');
    expect(doc).toContain('npm ci && npm test');
  });
});
