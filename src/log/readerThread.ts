/**
 * readTraceFileChunks on a second core: the reader runs in a worker thread (readerWorker.ts) and
 * this thread only parses each chunk's record lines (one JSON.parse of the chunk's array text) and
 * replays. The items are those of the in-thread reader, in the same order, with the same records,
 * warnings and errors (the same TraceChecker makes them); only where the work runs differs.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { CallRecord } from '../../events/records.js';
import type { ReaderOptions, ReadItem, ReadSummary } from './readItem.js';

/** What the worker needs: the file and the reader options that are data (onEnd stays here). */
export interface WorkerData {
  readonly path: string;
  readonly options: Omit<ReaderOptions, 'onEnd'>;
  /** Chunks the worker may post before this thread takes one. */
  readonly ahead: number;
}

export type WorkerItem = Exclude<ReadItem, { kind: 'record' }> | { readonly kind: 'record'; readonly line: number; readonly offset: number };

export interface WorkerChunk {
  readonly items: readonly WorkerItem[];
  /** The chunk's record lines as one JSON array, in item order. */
  readonly records: string;
}

export type WorkerMessage = { readonly type: 'chunk'; readonly chunk: WorkerChunk } | { readonly type: 'end'; readonly summary: ReadSummary };

/** Chunks (256 KiB of input each) the worker reads ahead: enough to keep it busy, a few MB of items at most. */
const AHEAD = 4;

/** The compiled worker beside this file (dist/), or dist's copy when running from the TypeScript sources (tests); null when not built. */
export function readerWorkerFile(): string | null {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.js')) return join(dirname(here), 'readerWorker.js');
  let dir = dirname(here);
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  const built = join(dir, 'dist', 'src', 'log', 'readerWorker.js');
  return existsSync(built) ? built : null;
}

/** The items of one worker chunk, records parsed here. */
function itemsOf(chunk: WorkerChunk): ReadItem[] {
  const records = JSON.parse(chunk.records) as CallRecord[];
  const out: ReadItem[] = new Array(chunk.items.length);
  let r = 0;
  for (let i = 0; i < chunk.items.length; i++) {
    const item = chunk.items[i];
    out[i] = item.kind === 'record' ? { kind: 'record', entry: { record: records[r++], line: item.line, offset: item.offset } } : item;
  }
  return out;
}

/** readTraceChunks over a file, read and checked in a worker thread; `worker` is readerWorkerFile(). */
export async function* readTraceFileInWorker(path: string, options: ReaderOptions, worker: string): AsyncGenerator<ReadItem[]> {
  const { onEnd, ...data } = options;
  const thread = new Worker(worker, { workerData: { path, options: data, ahead: AHEAD } satisfies WorkerData });
  const queue: WorkerMessage[] = [];
  let failure: Error | null = null;
  let wake: (() => void) | null = null;
  const notify = () => {
    wake?.();
    wake = null;
  };
  thread.on('message', (m: WorkerMessage) => {
    queue.push(m);
    notify();
  });
  thread.on('error', (e) => {
    failure = e;
    notify();
  });
  thread.on('exit', (code) => {
    failure ??= new Error(`the reader's worker thread exited (code ${code}) before the end of the input`);
    notify();
  });
  try {
    for (;;) {
      while (queue.length === 0) {
        if (failure !== null) throw failure;
        await new Promise<void>((resolve) => (wake = resolve));
      }
      const m = queue.shift() as WorkerMessage;
      if (m.type === 'end') {
        onEnd?.(m.summary);
        return;
      }
      thread.postMessage('more');
      yield itemsOf(m.chunk);
    }
  } finally {
    // Why: a consumer that stops early (an --at cut, an error) must not leave the thread reading.
    await thread.terminate();
  }
}
