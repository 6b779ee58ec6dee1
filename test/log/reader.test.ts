/** Reader behaviours beyond single error codes: tolerated shapes, streaming from files, logs, allErrors. */
import { describe, it, expect } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readTrace, readTraceFile, readTraceSync, type ReadItem } from '../../src/log/reader.js';
import { CODES } from '../../src/log/codes.js';
import { SAMPLE, SAMPLE_LINES, RECORD_LINES, HEADER_LINE, withLine, LOG_SAMPLE, LOG_HEADER_LINE, FACT_LINES } from './sample.js';

const read = (text: string | Uint8Array, kind: 'trace' | 'log' = 'trace') => readTraceSync(text, { file: 't.jsonl', kind });

async function collect(gen: AsyncGenerator<ReadItem>): Promise<ReadItem[]> {
  const items: ReadItem[] = [];
  for await (const item of gen) items.push(item);
  return items;
}

describe('readTraceSync', () => {
  it('tolerates CRLF line endings', () => {
    const r = read(SAMPLE.replace(/\n/g, '\r\n'));
    expect(r.errors).toEqual([]);
    expect(r.entries).toHaveLength(6);
  });

  it('accepts a last record without a final newline', () => {
    const r = read(SAMPLE.slice(0, -1));
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([]);
    expect(r.entries).toHaveLength(6);
  });

  it('refuses a second final newline as a blank line', () => {
    expect(read(`${SAMPLE}\n`).errors[0]).toMatchObject({ code: CODES.BLANK_LINE, line: 8 });
  });

  it('gives each entry its line number and byte offset', () => {
    const r = read(SAMPLE);
    const offsets = SAMPLE_LINES.map((_, i) => Buffer.byteLength(SAMPLE_LINES.slice(0, i).map((l) => `${l}\n`).join('')));
    expect(r.entries.map((e) => [e.line, e.offset])).toEqual(offsets.slice(1).map((o, i) => [i + 2, o]));
  });

  it('stops after the first error by default', () => {
    const r = read([HEADER_LINE, 'x', 'y'].map((l) => `${l}\n`).join(''));
    expect(r.errors.map((e) => e.line)).toEqual([2]);
  });

  it('keeps checking but yields no records after an error with allErrors', () => {
    const text = [HEADER_LINE, RECORD_LINES[0], 'x', RECORD_LINES[1], 'y'].map((l) => `${l}\n`).join('');
    const r = readTraceSync(text, { file: 't.jsonl', allErrors: true });
    expect(r.errors.map((e) => e.line)).toEqual([3, 5]);
    expect(r.entries.map((e) => e.line)).toEqual([2]);
  });

  it('treats an unterminated record with a valid shape but a bad seq as an error, not a torn tail', () => {
    const r = read(SAMPLE + RECORD_LINES[0]);
    expect(r.errors[0]).toMatchObject({ code: CODES.SEQ_NOT_INCREASING, line: 8 });
  });

  it('reports a torn header as a header error, not a torn tail', () => {
    expect(read(HEADER_LINE.slice(0, 30)).errors[0]).toMatchObject({ code: CODES.NOT_JSON, line: 1 });
  });

  it('refuses a parent that is not before the record', () => {
    const e = read(withLine(5, RECORD_LINES[3].replace('"parent":3', '"parent":4'))).errors[0];
    expect(e).toMatchObject({ code: CODES.PARENT_UNKNOWN, line: 5 });
  });

  it('names a record with an unknown field and lists the known ones', () => {
    const e = read(withLine(2, RECORD_LINES[0].replace('"group"', '"grup"'))).errors[0];
    expect(e).toMatchObject({ code: CODES.FIELD_INVALID, field: 'args.grup' });
    expect(e.message).toMatch(/known: dev, max_pasids, group, iommu/);
  });

  it('describes what an IOASID field accepts', () => {
    const e = read(withLine(7, RECORD_LINES[5].replace('"max":"INVALID_IOASID"', '"max":"nope"'))).errors[0];
    expect(e.message).toMatch(/field "args\.max": must be an integer 0\.\.4294967294 or "INVALID_IOASID", got "nope"/);
  });

  it('refuses a concatenated second header', () => {
    expect(read(withLine(4, HEADER_LINE)).errors[0]).toMatchObject({ code: CODES.FIELD_INVALID, line: 4 });
  });
});

describe('derived-event logs', () => {
  it('yields the log header and facts', () => {
    const r = read(LOG_SAMPLE, 'log');
    expect(r.logHeader).toMatchObject({ format: 'pasid-ledger-log' });
    expect(r.facts.map((f) => [f.fact.type, f.line])).toEqual([
      ['DeviceProbed', 2],
      ['DomainAllocated', 3],
      ['PasidAttached', 4],
      ['PasidDetached', 5],
    ]);
  });

  it('allows facts sharing a seq but refuses a decreasing one', () => {
    const same = FACT_LINES[1].replace('"seq":2', '"seq":1');
    expect(read([LOG_HEADER_LINE, FACT_LINES[0], same].map((l) => `${l}\n`).join(''), 'log').errors).toEqual([]);
    const back = FACT_LINES[3].replace('"seq":5', '"seq":2');
    expect(read([LOG_HEADER_LINE, ...FACT_LINES, back].map((l) => `${l}\n`).join(''), 'log').errors[0]).toMatchObject({ code: CODES.SEQ_NOT_INCREASING, line: 6 });
  });

  it('suggests the nearest fact type', () => {
    const bad = FACT_LINES[2].replace('PasidAttached', 'PasidAtached');
    const e = read([LOG_HEADER_LINE, bad].map((l) => `${l}\n`).join(''), 'log').errors[0];
    expect(e.message).toMatch(/did you mean PasidAttached\?/);
  });

  it('says to use --kind trace when a trace is read as a log', () => {
    expect(read(SAMPLE, 'log').errors[0].message).toMatch(/--kind trace/);
  });
});

describe('readTraceFile', () => {
  it('streams a file in small chunks with the same result as the sync reader', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'pasid-ledger-read-')), 't.jsonl');
    writeFileSync(path, SAMPLE);
    const items = await collect(readTraceFile(path));
    expect(items.filter((i) => i.kind === 'record')).toHaveLength(6);
    expect(items[0]).toMatchObject({ kind: 'header', line: 1 });
  });

  it('yields READ_FAILED for a missing file, naming no line (nothing was read) and the cause', async () => {
    const items = await collect(readTraceFile('/nonexistent/t.jsonl'));
    expect(items).toMatchObject([{ kind: 'error', error: { code: CODES.READ_FAILED } }]);
    const e = (items[0] as { error: { line?: number; message: string } }).error;
    expect(e.line).toBeUndefined();
    expect(e.message).toBe('/nonexistent/t.jsonl: cannot read: ENOENT; /nonexistent/t.jsonl does not exist; check the path');
  });

  it('never holds a long line in memory: a line over the limit spanning many chunks is refused by length', async () => {
    async function* chunks() {
      yield `${HEADER_LINE}\n{"seq":1,"comm":"`;
      for (let i = 0; i < 100; i++) yield 'x'.repeat(10_000);
      yield `"}\n${RECORD_LINES[0]}\n`;
    }
    const items = await collect(readTrace(chunks(), { file: 't.jsonl' }));
    expect(items[1]).toMatchObject({ kind: 'error', error: { code: CODES.LINE_TOO_LONG, line: 2 } });
  });
});
