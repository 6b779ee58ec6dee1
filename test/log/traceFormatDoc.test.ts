/** docs/trace-format.md lists every record type and every error code (its tables are generated). */
import { describe, it, expect } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { GENERATED_SECTIONS } from '../../src/log/formatDoc.js';
import { CALL_NAMES } from '../../events/records.js';
import { CODE_SPECS } from '../../src/log/codes.js';

const DOC = fileURLToPath(new URL('../../docs/trace-format.md', import.meta.url));

function section(name: string): RegExp {
  return new RegExp(`(<!-- generated:${name} -->\\n)[\\s\\S]*?(<!-- /generated:${name} -->)`);
}

// Why this step: `UPDATE_DOCS=1 npx vitest run test/log/traceFormatDoc.test.ts` regenerates the tables.
if (process.env.UPDATE_DOCS === '1') {
  let text = readFileSync(DOC, 'utf8');
  for (const [name, make] of Object.entries(GENERATED_SECTIONS)) text = text.replace(section(name), (_m, a: string, b: string) => `${a}${make()}\n${b}`);
  writeFileSync(DOC, text);
}

describe('docs/trace-format.md', () => {
  const doc = readFileSync(DOC, 'utf8');

  for (const [name, make] of Object.entries(GENERATED_SECTIONS)) {
    it(`has the generated ${name} table up to date`, () => {
      const m = section(name).exec(doc);
      expect(m, `missing <!-- generated:${name} --> markers`).not.toBeNull();
      expect(doc).toContain(make());
    });
  }

  it('lists every record type', () => {
    for (const fn of CALL_NAMES) expect(doc).toContain(`\`${fn}\``);
  });

  it('lists every error code', () => {
    for (const code of Object.keys(CODE_SPECS)) expect(doc).toContain(`\`${code}\``);
  });
});
