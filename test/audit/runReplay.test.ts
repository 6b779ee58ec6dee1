/**
 * runReplay over chunks (the synchronous per-chunk pipeline): the same result as over single items
 * whatever the chunking, the per-record observer sees every record in order, and the stops (a reader
 * error, untilSeq) behave as on single items.
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runReplay, type RunInput } from '../../src/audit/runReplay.js';
import { readTrace, readTraceChunks, readTraceFileChunks } from '../../src/log/reader.js';
import type { ReadItem, TraceEntry } from '../../src/log/readItem.js';
import { replayEntries } from '../../src/replay/replayTrace.js';
import { profileFor } from '../../machines/profile.js';

const SAMPLES = join(import.meta.dirname, '..', '..', 'samples');
const BUGGY = join(SAMPLES, 'buggy-v6.2.jsonl');

async function* bytesIn(text: Buffer, cuts: readonly number[]): AsyncGenerator<Uint8Array> {
  let at = 0;
  for (const c of [...cuts].sort((a, b) => a - b)) {
    yield text.subarray(at, c);
    at = c;
  }
  yield text.subarray(at);
}

async function outcome(input: RunInput, untilSeq?: number) {
  const r = await runReplay(input, { file: 't', untilSeq });
  if (!r.ok) return { error: r.error.message };
  return { findings: JSON.stringify(r.value.replay.findings), facts: r.value.replay.log.length, records: r.value.replay.records, complete: r.value.complete };
}

describe('runReplay over chunks of items', () => {
  it('gives the findings, facts and record count of the item-by-item run whatever the chunk boundaries (seed 1212)', async () => {
    const text = readFileSync(BUGGY);
    const want = await outcome(readTrace(bytesIn(text, []), { file: 't' }));
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 0, max: text.length }), { maxLength: 12 }), async (cuts) => {
        expect(await outcome(readTraceChunks(bytesIn(text, cuts), { file: 't' }))).toEqual(want);
      }),
      { seed: 1212, numRuns: 40 },
    );
  });

  it('gives what replayEntries gives for the same records', async () => {
    const entries: TraceEntry[] = [];
    for await (const chunk of readTraceFileChunks(BUGGY)) for (const item of chunk) if (item.kind === 'record') entries.push(item.entry);
    const profile = profileFor('6.2.0');
    if (profile === null) throw new Error('no 6.2 profile');
    const direct = replayEntries(entries, profile);
    const r = await runReplay(readTraceFileChunks(BUGGY), { file: BUGGY, retainFacts: true });
    if (!r.ok) throw new Error(r.error.message);
    expect(JSON.stringify(r.value.replay.findings)).toBe(JSON.stringify(direct.findings));
    expect(r.value.replay.log.all()).toEqual(direct.log.all());
  });

  it('calls onRecord once per record, in trace order', async () => {
    const seen: number[] = [];
    const r = await runReplay(readTraceFileChunks(BUGGY), { file: BUGGY, onRecord: (e) => seen.push(e.record.seq) });
    if (!r.ok) throw new Error(r.error.message);
    expect(seen).toHaveLength(r.value.replay.records);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
  });

  it('stops at untilSeq as the item-by-item run does, and onRecord saw the record that cut it', async () => {
    const text = readFileSync(BUGGY);
    const seen: number[] = [];
    const r = await runReplay(readTraceChunks(bytesIn(text, []), { file: 't' }), { file: 't', untilSeq: 20, onRecord: (e) => seen.push(e.record.seq) });
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.complete).toBe(false);
    expect(r.value.replay.lastSeq).toBeLessThanOrEqual(20);
    expect(seen[seen.length - 1]).toBeGreaterThan(20);
    expect(await outcome(readTraceChunks(bytesIn(text, []), { file: 't' }), 20)).toEqual(await outcome(readTrace(bytesIn(text, []), { file: 't' }), 20));
  });

  it('returns the reader error of a bad line in the middle of a chunk, after stepping the records before it', async () => {
    const lines = readFileSync(BUGGY, 'utf8').split('\n');
    lines[10] = '{"seq": oops}';
    const text = Buffer.from(lines.join('\n'));
    const chunked = await outcome(readTraceChunks(bytesIn(text, []), { file: 't' }));
    expect(chunked).toEqual(await outcome(readTrace(bytesIn(text, []), { file: 't' })));
    expect(chunked.error).toMatch(/^t:11: .*not JSON/);
  });

  it('refuses a derived-event log as a trace (HEADER_MISSING), as on single items', async () => {
    const log: ReadItem[] = [{ kind: 'log-header', header: { type: 'header', format: 'pasid-ledger-log', version: 1, kernel: '6.8.0', trace: 'x' }, line: 1 } as ReadItem];
    async function* one() {
      yield log;
    }
    const r = await runReplay(one(), { file: 'x.log' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('HEADER_MISSING');
  });
});

describe('readTraceChunks', () => {
  it('yields non-empty arrays whose concatenation is what readTrace yields', async () => {
    const text = readFileSync(BUGGY);
    const flat: ReadItem[] = [];
    for await (const item of readTrace(bytesIn(text, [100, 2000]), { file: 't' })) flat.push(item);
    const chunks: ReadItem[][] = [];
    for await (const chunk of readTraceChunks(bytesIn(text, [100, 2000]), { file: 't' })) chunks.push(chunk);
    expect(chunks.every((c) => c.length > 0)).toBe(true);
    expect(chunks.flat()).toEqual(flat);
  });
});
