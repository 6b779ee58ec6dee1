/**
 * The reader's worker thread (PASID_LEDGER_READER_THREAD) gives the items the in-thread reader gives:
 * the same records, warnings and errors, in the same chunks, and the same summary at the end.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTraceChunks, type ReadItem, type ReadSummary } from '../../src/log/reader.js';
import { readerWorkerFile, readTraceFileInWorker } from '../../src/log/readerThread.js';
import { createReadStream } from 'node:fs';
import { ensureBuilt } from '../support/spawnCli.js';
import { recordsArb, traceLines } from './arbitraries.js';

let dir = '';
let worker = '';
beforeAll(() => {
  ensureBuilt();
  const file = readerWorkerFile();
  if (file === null) throw new Error('dist/src/log/readerWorker.js is missing after the build');
  worker = file;
  dir = mkdtempSync(join(tmpdir(), 'reader-thread-'));
}, 300_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function collect(chunks: AsyncIterable<ReadItem[]>): Promise<ReadItem[][]> {
  const out: ReadItem[][] = [];
  for await (const c of chunks) out.push(c);
  return out;
}

async function bothWays(text: string, allErrors: boolean): Promise<{ here: [ReadItem[][], ReadSummary?]; there: [ReadItem[][], ReadSummary?] }> {
  const path = join(dir, 't.jsonl');
  writeFileSync(path, text);
  let a: ReadSummary | undefined;
  let b: ReadSummary | undefined;
  const here = await collect(readTraceChunks(createReadStream(path, { highWaterMark: 1 << 18 }), { file: 't.jsonl', allErrors, onEnd: (s) => (a = s) }));
  const there = await collect(readTraceFileInWorker(path, { file: 't.jsonl', allErrors, onEnd: (s) => (b = s) }, worker));
  return { here: [here, a], there: [there, b] };
}

/** A line of a valid trace replaced by one of the reader's refusals. */
const corruption = fc.constantFrom('', 'not json', '{"seq":1,"fn":"nope"}', '{"a":1,"a":2}', '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]');

describe('the reader worker thread', () => {
  it('gives the in-thread reader items, chunks and summary for valid and corrupted traces', async () => {
    await fc.assert(
      fc.asyncProperty(recordsArb(20), fc.option(fc.tuple(fc.nat(), corruption), { nil: undefined }), fc.boolean(), async (records, bad, allErrors) => {
        const lines = traceLines(records);
        if (bad !== undefined) lines[1 + (bad[0] % (lines.length - 1))] = bad[1];
        const { here, there } = await bothWays(`${lines.join('\n')}\n`, allErrors);
        expect(there).toEqual(here);
      }),
      { numRuns: 12 },
    );
  }, 120_000);

  it('gives the same chunks for a trace of many chunks (256 KiB reads)', async () => {
    const [records] = fc.sample(recordsArb(20), { numRuns: 1, seed: 5 });
    const lines = traceLines(records);
    const body: string[] = [];
    // The same records again and again under rising seqs: about 2 MB.
    for (let k = 0, seq = 1; body.length < 15_000; k++) for (const r of records) body.push(JSON.stringify({ ...r, seq: seq++, parent: undefined }));
    const { here, there } = await bothWays(`${[lines[0], ...body].join('\n')}\n`, false);
    expect(here[0].length).toBeGreaterThan(4);
    expect(there).toEqual(here);
  }, 60_000);

  it('stops the thread when the consumer stops early', async () => {
    const [records] = fc.sample(recordsArb(5), { numRuns: 1, seed: 3 });
    const path = join(dir, 'early.jsonl');
    writeFileSync(path, `${traceLines(records).join('\n')}\n`);
    for await (const chunk of readTraceFileInWorker(path, { file: 'early.jsonl' }, worker)) {
      expect(chunk[0].kind).toBe('header');
      break;
    }
  });
});
