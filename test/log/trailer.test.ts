/** The trailer: a complete trace or log says so in its last line, and the reader checks it. */
import { describe, it, expect } from 'vitest';
import { readTraceSync } from '../../src/log/reader.js';
import { TrailerHasher } from '../../src/log/trailerHasher.js';
import { CODES } from '../../src/log/codes.js';

const HEADER = '{"type":"header","format":"pasid-ledger-trace","version":1,"kernel":"6.8.0","source":"hand-written"}';
const rec = (seq: number) => `{"seq":${seq},"ts":${seq},"cpu":0,"tid":1,"fn":"iommu_release_device","args":{"dev":"0000:6a:01.0"},"ret":null}`;

function complete(lines: string[]): string {
  const h = new TrailerHasher();
  const body = lines.map((l) => `${l}\n`).join('');
  h.wrote(body, lines.length);
  return body + h.trailerLine();
}

const read = (text: string) => readTraceSync(text, { file: 't.jsonl' });

describe('trailer', () => {
  it('a complete file reads with its trailer verified and the trailer is not a record', () => {
    const r = read(complete([HEADER, rec(1), rec(2)]));
    expect(r.errors).toEqual([]);
    expect(r.entries.map((e) => e.record.seq)).toEqual([1, 2]);
    expect(r.summary.trailer).toMatchObject({ count: 2, line: 4 });
  });

  it('a file without trailer reads as before and says it carries none', () => {
    const r = read(`${HEADER}\n${rec(1)}\n`);
    expect(r.errors).toEqual([]);
    expect(r.summary.trailer).toBeUndefined();
  });

  it('a same-size edit before the trailer is TRAILER_MISMATCH on the trailer line', () => {
    const text = complete([HEADER, rec(1), rec(2)]).replace('"ts":2,', '"ts":3,');
    const r = read(text);
    expect(r.errors[0]).toMatchObject({ code: CODES.TRAILER_MISMATCH, line: 4 });
    expect(r.errors[0].message).toContain('changed or cut');
  });

  it('a removed record is TRAILER_MISMATCH naming both counts', () => {
    const lines = complete([HEADER, rec(1), rec(2)]).split('\n');
    lines.splice(2, 1);
    const r = read(lines.join('\n'));
    expect(r.errors[0].code).toBe(CODES.TRAILER_MISMATCH);
    expect(r.errors[0].message).toContain('counts 2 records but 1 come before it');
  });

  it('a line after the trailer is TRAILER_NOT_LAST', () => {
    const r = read(`${complete([HEADER, rec(1)])}${rec(2)}\n`);
    expect(r.errors[0]).toMatchObject({ code: CODES.TRAILER_NOT_LAST, line: 4 });
  });

  it('the trailer is verified whatever the chunking', async () => {
    const { readTrace } = await import('../../src/log/reader.js');
    const text = Buffer.from(complete([HEADER, rec(1), rec(2), rec(3)]));
    for (const size of [1, 2, 7, 64, 1000]) {
      let trailer: unknown;
      async function* chunks() {
        for (let i = 0; i < text.length; i += size) yield text.subarray(i, i + size);
      }
      const items = [];
      for await (const item of readTrace(chunks(), { file: 't', onEnd: (s) => (trailer = s.trailer) })) items.push(item);
      expect(items.filter((i) => i.kind === 'error')).toEqual([]);
      expect(trailer).toMatchObject({ count: 3, line: 5 });
    }
  });

  it('a trailer without its final newline still verifies; a torn one is a torn tail', () => {
    const text = complete([HEADER, rec(1)]);
    expect(read(text.slice(0, -1)).summary.trailer).toMatchObject({ count: 1 });
    const torn = read(text.slice(0, -10));
    expect(torn.errors).toEqual([]);
    expect(torn.warnings[0].code).toBe(CODES.TORN_TAIL);
    expect(torn.summary.trailer).toBeUndefined();
  });
});
