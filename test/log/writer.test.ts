/** The append-only writer: validation before append, one complete line per write, torn-tail handling. */
import { describe, it, expect, beforeEach } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TraceWriter } from '../../src/log/writer.js';
import { serializeRecord } from '../../src/log/serialize.js';
import { readTraceSync } from '../../src/log/reader.js';
import { CODES } from '../../src/log/codes.js';
import type { CallRecord, TraceHeader } from '../../events/records.js';
import type { Fact, LogHeader } from '../../events/facts.js';
import { SAMPLE, SAMPLE_LINES, HEADER_LINE, RECORD_LINES, LOG_HEADER_LINE, FACT_LINES, LOG_SAMPLE } from './sample.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pasid-ledger-writer-'));
});

const header = JSON.parse(HEADER_LINE) as TraceHeader;
const records = RECORD_LINES.map((l) => JSON.parse(l) as CallRecord);

async function openWriter(path: string, options = {}): Promise<TraceWriter> {
  const w = new TraceWriter(path, options);
  expect(await w.open()).toBeNull();
  return w;
}

describe('TraceWriter', () => {
  it('writes the sample byte for byte from its parsed values', async () => {
    const path = join(dir, 't.jsonl');
    const w = await openWriter(path);
    for (const v of [header, ...records]) expect(w.append(v)).toBeNull();
    w.close();
    expect(readFileSync(path, 'utf8')).toBe(SAMPLE);
  });

  it('writes a log of facts byte for byte', async () => {
    const path = join(dir, 'l.jsonl');
    const w = await openWriter(path, { kind: 'log' });
    for (const l of [LOG_HEADER_LINE, ...FACT_LINES]) expect(w.append(JSON.parse(l) as LogHeader | Fact)).toBeNull();
    w.close();
    expect(readFileSync(path, 'utf8')).toBe(LOG_SAMPLE);
  });

  it('emits appended with the line number and byte offset of each line', async () => {
    const w = await openWriter(join(dir, 't.jsonl'));
    const seen: [number, number][] = [];
    w.on('appended', (_v, line, offset) => seen.push([line, offset]));
    w.append(header);
    w.append(records[0]);
    w.close();
    expect(seen).toEqual([
      [1, 0],
      [2, Buffer.byteLength(HEADER_LINE) + 1],
    ]);
  });

  it('creates a new file only with its header in it, so no reader ever finds it empty', async () => {
    const path = join(dir, 't.jsonl');
    const w = await openWriter(path);
    expect(existsSync(path)).toBe(false);
    expect(w.append(header)).toBeNull();
    expect(readFileSync(path, 'utf8')).toBe(`${HEADER_LINE}\n`);
    expect(readdirSync(dir)).toEqual(['t.jsonl']);
    w.close();
  });

  it('leaves no file when closed before the header was appended', async () => {
    const path = join(dir, 't.jsonl');
    const w = await openWriter(path);
    expect(w.append(records[0])?.code).toBe(CODES.HEADER_EXPECTED);
    expect(w.close()).toBeNull();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('refuses to create the file over one that appeared under its name after open(), and leaves that file as it was', async () => {
    const path = join(dir, 't.jsonl');
    const w = await openWriter(path);
    writeFileSync(path, 'someone else\n');
    expect(w.append(header)).toMatchObject({ code: CODES.WRITE_FAILED, file: path });
    expect(readFileSync(path, 'utf8')).toBe('someone else\n');
    expect(readdirSync(dir)).toEqual(['t.jsonl']);
  });

  it('refuses to open a new file in a directory that does not exist', async () => {
    const w = new TraceWriter(join(dir, 'missing', 't.jsonl'));
    expect((await w.open())?.code).toBe(CODES.WRITE_FAILED);
  });

  it('refuses a record before the header', async () => {
    const w = await openWriter(join(dir, 't.jsonl'));
    expect(w.append(records[0])).toMatchObject({ code: CODES.HEADER_EXPECTED, line: 1 });
  });

  it('refuses an invalid record with the reader code and appends nothing', async () => {
    const path = join(dir, 't.jsonl');
    const w = await openWriter(path);
    w.append(header);
    const errors: string[] = [];
    w.on('error', (e) => errors.push(e.code));
    const bad = { ...records[2], args: { ...records[2].args, pasid: 2 ** 32 } } as CallRecord;
    expect(w.append(bad)).toMatchObject({ code: CODES.FIELD_INVALID, line: 2, field: 'args.pasid' });
    expect(errors).toEqual([CODES.FIELD_INVALID]);
    w.close();
    expect(readFileSync(path, 'utf8')).toBe(`${HEADER_LINE}\n`);
  });

  it('refuses a non-increasing seq', async () => {
    const w = await openWriter(join(dir, 't.jsonl'));
    w.append(header);
    w.append(records[1]);
    expect(w.append(records[0])).toMatchObject({ code: CODES.SEQ_NOT_INCREASING });
  });

  it('continues the seqs of an existing file', async () => {
    const path = join(dir, 't.jsonl');
    writeFileSync(path, SAMPLE);
    const w = await openWriter(path);
    expect(w.lines).toBe(SAMPLE_LINES.length);
    expect(w.append(records[5])).toMatchObject({ code: CODES.SEQ_NOT_INCREASING });
    expect(w.append({ ...records[5], seq: 7 } as CallRecord)).toBeNull();
  });

  it('reports a torn last line on open and refuses appends until repair', async () => {
    const path = join(dir, 't.jsonl');
    writeFileSync(path, `${SAMPLE}{"seq":7,"ts":`);
    const w = new TraceWriter(path);
    const torn: string[] = [];
    w.on('torn-tail', (e) => torn.push(e.code));
    expect(await w.open()).toBeNull();
    expect(torn).toEqual([CODES.TORN_TAIL]);
    const next = { ...records[5], seq: 7 } as CallRecord;
    expect(w.append(next)).toMatchObject({ code: CODES.TORN_TAIL });
    expect(w.repair()).toBeNull();
    expect(w.append(next)).toBeNull();
    w.close();
    expect(readFileSync(path, 'utf8')).toBe(`${SAMPLE}${serializeRecord(next)}\n`);
  });

  it('truncates a torn last line on open with truncateTornTail', async () => {
    const path = join(dir, 't.jsonl');
    writeFileSync(path, `${SAMPLE}{"seq":7`);
    const w = await openWriter(path, { truncateTornTail: true });
    expect(w.tornTail).toBeUndefined();
    w.close();
    expect(readFileSync(path, 'utf8')).toBe(SAMPLE);
  });

  it('refuses to open a file with corruption before the tail', async () => {
    const path = join(dir, 't.jsonl');
    writeFileSync(path, `${HEADER_LINE}\nnot json\n${RECORD_LINES[0]}\n`);
    const w = new TraceWriter(path);
    expect(await w.open()).toMatchObject({ code: CODES.NOT_JSON, line: 2 });
    expect(w.append(records[0])).toMatchObject({ code: CODES.WRITER_CLOSED });
  });

  it('adds the missing newline after a valid unterminated last line', async () => {
    const path = join(dir, 't.jsonl');
    writeFileSync(path, SAMPLE.slice(0, -1));
    const w = await openWriter(path, { fsync: true });
    expect(w.append({ ...records[5], seq: 7 } as CallRecord)).toBeNull();
    expect(w.flush()).toBeNull();
    w.close();
    const r = readTraceSync(readFileSync(path), { file: 't' });
    expect(r.errors).toEqual([]);
    expect(r.entries.map((e) => e.record.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });
});
