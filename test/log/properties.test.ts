/** Properties of the reader and writer over generated traces (fast-check; failures print their seed). */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TraceWriter } from '../../src/log/writer.js';
import { readTrace, readTraceSync, type ReadItem } from '../../src/log/reader.js';
import { serializeRecord } from '../../src/log/serialize.js';
import { CODES } from '../../src/log/codes.js';
import { recordsArb, traceLines } from './arbitraries.js';
import { HEADER_LINE } from './sample.js';
import type { TraceHeader } from '../../events/records.js';

const read = (text: string | Uint8Array) => readTraceSync(text, { file: 't.jsonl' });
const join_ = (lines: readonly string[]) => lines.map((l) => `${l}\n`).join('');

describe('reader and writer properties', () => {
  it('(a) every generated valid record round-trips through the writer and reader unchanged, byte for byte', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pasid-ledger-prop-'));
    let n = 0;
    await fc.assert(
      fc.asyncProperty(recordsArb(), async (records) => {
        const path = join(dir, `t${n++}.jsonl`);
        const w = new TraceWriter(path);
        expect(await w.open()).toBeNull();
        expect(w.append(JSON.parse(HEADER_LINE) as TraceHeader)).toBeNull();
        for (const r of records) expect(w.append(r)).toBeNull();
        w.close();
        const bytes = readFileSync(path);
        const back = read(bytes);
        expect(back.errors).toEqual([]);
        expect(back.entries.map((e) => e.record)).toEqual(records);
        expect(join_([HEADER_LINE, ...back.entries.map((e) => serializeRecord(e.record))])).toBe(bytes.toString('utf8'));
      }),
      { numRuns: 200 },
    );
  });

  it('(b) a single-line corruption is rejected at that line (or the first line whose seq breaks), or the trace stays valid', () => {
    const corruption = fc.oneof(
      fc.record({ op: fc.constant('replace' as const), bytes: fc.uint8Array({ maxLength: 40 }).map((b) => b.filter((x) => x !== 10)) }),
      fc.record({ op: fc.constant('truncate' as const), keep: fc.nat() }),
      fc.record({ op: fc.constant('duplicate' as const) }),
      fc.record({ op: fc.constant('swap' as const), other: fc.nat() }),
    );
    fc.assert(
      fc.property(recordsArb(8), fc.nat(), corruption, (records, pick, c) => {
        const lines: (string | Buffer)[] = traceLines(records);
        const i = pick % lines.length; // 0-based index of the corrupted line
        let allowed: number[];
        if (c.op === 'replace') {
          lines[i] = Buffer.from(c.bytes);
          allowed = [i + 1];
        } else if (c.op === 'truncate') {
          const l = lines[i] as string;
          lines[i] = l.slice(0, c.keep % l.length);
          allowed = [i + 1];
        } else if (c.op === 'duplicate') {
          lines.splice(i + 1, 0, lines[i]);
          allowed = [i + 1, i + 2];
        } else {
          const j = c.other % lines.length;
          [lines[i], lines[j]] = [lines[j], lines[i]];
          allowed = Array.from({ length: Math.abs(i - j) + 1 }, (_, k) => Math.min(i, j) + 1 + k);
        }
        const bytes = Buffer.concat(lines.flatMap((l) => [Buffer.isBuffer(l) ? l : Buffer.from(l), Buffer.from('\n')]));
        const r = read(bytes);
        if (r.errors.length > 0) expect(allowed).toContain(r.errors[0].line);
        // Records before the first affected line are always delivered.
        expect(r.entries.length).toBeGreaterThanOrEqual(Math.min(...allowed) - 2);
      }),
      { numRuns: 500 },
    );
  });

  it('(c) a torn tail never loses an earlier record', () => {
    fc.assert(
      fc.property(recordsArb(8), recordsArb(1), fc.nat(), (records, [extra], cut) => {
        const last = serializeRecord({ ...extra, seq: records[records.length - 1].seq + 1 });
        const torn = last.slice(0, cut % last.length);
        const r = read(join_(traceLines(records)) + torn);
        expect(r.errors).toEqual([]);
        expect(r.entries.map((e) => e.record)).toEqual(records);
        if (torn.length > 0) expect(r.warnings.map((w) => w.code)).toEqual([CODES.TORN_TAIL]);
      }),
      { numRuns: 300 },
    );
  });

  it('(d) the streaming reader gives the same items whatever the chunk boundaries, even inside UTF-8 characters', async () => {
    const text = fc.tuple(recordsArb(10), fc.constantFrom('', '{"seq":', 'x\n', '{"seq":9e99}\n'), fc.boolean()).map(([records, tail, crlf]) => {
      const body = join_(traceLines(records)) + tail;
      return Buffer.from(crlf ? body.replace(/\n/g, '\r\n') : body);
    });
    await fc.assert(
      fc.asyncProperty(text, fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 20 }), async (bytes, sizes) => {
        const chunks: Buffer[] = [];
        for (let at = 0, k = 0; at < bytes.length; k++) {
          const size = sizes[k % sizes.length];
          chunks.push(bytes.subarray(at, at + size));
          at += size;
        }
        async function* source() {
          yield* chunks;
        }
        const streamed: ReadItem[] = [];
        for await (const item of readTrace(source(), { file: 't.jsonl' })) streamed.push(item);
        const whole: ReadItem[] = [];
        for await (const item of readTrace([bytes] as unknown as AsyncIterable<Uint8Array>, { file: 't.jsonl' })) whole.push(item);
        expect(streamed).toEqual(whole);
      }),
      { numRuns: 300 },
    );
  });
});
