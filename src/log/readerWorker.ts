/**
 * The reader's worker thread (readerThread.ts): reads and checks one trace file with the same
 * reader as the main thread (split, UTF-8, SHA-256, depth and duplicate-key scans, JSON.parse, ajv,
 * seq and parent checks) and posts each chunk's items. A record item goes without its record: the
 * chunk's record lines go as one JSON array text, which the main thread parses once (cheaper than
 * the structured clone of the records). At most a few chunks run ahead of the consumer.
 */
import { createReadStream } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { readFix } from '../io/output.js';
import { LineSplitter } from './lineSplitter.js';
import type { ReadItem, ReadSummary } from './readItem.js';
import { TraceChecker } from './traceChecker.js';
import type { WorkerChunk, WorkerData, WorkerMessage } from './readerThread.js';

const port = parentPort;
if (port === null) throw new Error('readerWorker.js runs as a worker thread');
const { path, options, ahead } = workerData as WorkerData;
const FILE_CHUNK_BYTES = 1 << 18;

let credit = ahead;
let wake: (() => void) | null = null;
port.on('message', (m: 'more') => {
  if (m === 'more') {
    credit++;
    wake?.();
    wake = null;
  }
});

function post(items: ReadItem[], texts: string[]): Promise<void> {
  const out: WorkerChunk['items'] = items.map((item) => (item.kind === 'record' ? { kind: 'record', line: item.entry.line, offset: item.entry.offset } : item));
  const message: WorkerMessage = { type: 'chunk', chunk: { items: out, records: `[${texts.join(',')}]` } };
  port!.postMessage(message);
  credit--;
  return credit > 0 ? Promise.resolve() : new Promise((resolve) => (wake = resolve));
}

async function run(): Promise<void> {
  const checker = new TraceChecker(options);
  checker.recordTexts = [];
  const splitter = new LineSplitter(checker);
  const flush = async () => {
    const items = checker.items;
    const texts = checker.recordTexts as string[];
    checker.items = [];
    checker.recordTexts = [];
    if (items.length > 0) await post(items, texts);
  };
  try {
    for await (const chunk of createReadStream(path, { highWaterMark: FILE_CHUNK_BYTES })) {
      splitter.push(chunk as Uint8Array);
      await flush();
      if (checker.done) break;
    }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    checker.readFailed(code ?? (e as Error).message ?? String(e), readFix(code, options.file));
  }
  splitter.end();
  const summary: ReadSummary = { trailer: checker.trailer, sha256: splitter.sha256, bytes: splitter.bytes, complete: checker.errorCount === 0 };
  await flush();
  const end: WorkerMessage = { type: 'end', summary };
  port!.postMessage(end);
}

void run();
