/**
 * Runs a batch of file audits on a worker-thread pool (piscina), or in this thread for one job.
 * Results are handed on in input order as soon as every earlier file is done (a reorder window),
 * so the output streams and is the same for any --jobs. At most `window` results wait, so memory
 * does not grow with the number of files.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { auditFile } from './auditFile.js';
import type { AuditTask, FileResult } from './types.js';

export interface PoolOptions {
  readonly jobs: number;
  /** Called once per file in input order. */
  readonly onResult: (result: FileResult, index: number) => void | Promise<void>;
  /** Called when any file finishes (completion order): progress. */
  readonly onDone?: (result: FileResult) => void;
  /** 'auto' (default): worker threads for more than one job; 'workers': threads even for one (the bench's baseline). */
  readonly threads?: 'auto' | 'workers';
}

/** The compiled worker: next to this file in dist/, or dist's copy when running from the TypeScript sources (tests). */
export function workerFile(): string | null {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.js')) return join(dirname(here), 'worker.js');
  let dir = dirname(here);
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  const built = join(dir, 'dist', 'src', 'batch', 'worker.js');
  return existsSync(built) ? built : null;
}

export async function runBatch(tasks: readonly AuditTask[], options: PoolOptions): Promise<{ inProcess: boolean }> {
  if (tasks.length === 0) return { inProcess: true };
  const jobs = Math.max(1, Math.min(options.jobs, tasks.length));
  const filename = jobs > 1 || options.threads === 'workers' ? workerFile() : null;
  const pool = filename === null ? null : new Piscina<AuditTask, FileResult>({ filename, minThreads: jobs, maxThreads: jobs, idleTimeout: 1000 });
  const exec = (task: AuditTask): Promise<FileResult> =>
    pool === null
      ? auditFile(task)
      : pool.run(task).catch((e: unknown): FileResult => ({
          file: task.file,
          ok: false,
          // Why: a worker that died (out of memory, a crash) loses its file, not the batch.
          error: { code: 'WORKER_FAILED', message: `${task.file}: the worker auditing it failed (${(e as Error).message ?? String(e)})` },
        }));
  const window = jobs * 4;
  const done = new Map<number, FileResult>();
  let next = 0;
  let submitted = 0;
  let flushing = Promise.resolve();
  try {
    await new Promise<void>((resolveAll, rejectAll) => {
      if (tasks.length === 0) return resolveAll();
      const flush = async () => {
        while (done.has(next)) {
          const r = done.get(next) as FileResult;
          done.delete(next);
          await options.onResult(r, next);
          next++;
        }
        if (next === tasks.length) resolveAll();
        else fill();
      };
      const fill = () => {
        // In one thread, one file at a time; on the pool, up to `window` ahead of the output.
        const limit = pool === null ? Math.min(tasks.length, submitted + 1) : Math.min(tasks.length, next + window);
        if (pool === null && submitted > next) return;
        while (submitted < limit) {
          const i = submitted++;
          exec(tasks[i]).then((r) => {
            options.onDone?.(r);
            done.set(i, r);
            flushing = flushing.then(flush).catch(rejectAll);
          }, rejectAll);
        }
      };
      fill();
    });
  } finally {
    await pool?.destroy();
  }
  return { inProcess: pool === null };
}
