import { describe, it, expect } from 'vitest';
import { splitLines } from '../../src/import/lines.js';

async function collect(chunks: (string | Uint8Array)[]) {
  async function* source() {
    yield* chunks;
  }
  const out = [];
  for await (const l of splitLines(source())) out.push(l);
  return out;
}

describe('splitLines', () => {
  it('numbers lines across chunk boundaries', async () => {
    expect(await collect(['a\nb', 'c\r\nd\n'])).toEqual([
      { line: 1, offset: 0, text: 'a', terminated: true },
      { line: 2, offset: 2, text: 'bc', terminated: true },
      { line: 3, offset: 6, text: 'd', terminated: true },
    ]);
  });

  it('marks a last line without newline as unterminated', async () => {
    expect((await collect(['a\nb'])).at(-1)).toEqual({ line: 2, offset: 2, text: 'b', terminated: false });
  });

  it('decodes UTF-8 split across byte chunks', async () => {
    const bytes = new TextEncoder().encode('é\n');
    expect(await collect([bytes.slice(0, 1), bytes.slice(1)])).toEqual([{ line: 1, offset: 0, text: 'é', terminated: true }]);
  });
});

describe('line offsets', () => {
  it('counts bytes, not characters, so multi-byte text does not shift later offsets', async () => {
    const lines = [];
    async function* source() {
      yield 'é\nx\n';
    }
    for await (const l of splitLines(source())) lines.push(l);
    expect(lines.map((l) => l.offset)).toEqual([0, 3]);
  });
});
