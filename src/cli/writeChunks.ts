/** Writes a text made of many chunks to a path the user named (or stdout for -), through src/io/output.ts. */
import type { CliIo } from './command.js';
import { AtomicOutput, type OutputOptions } from '../io/output.js';
import type { LedgerError, Result } from '../core/result.js';
import { ok } from '../core/result.js';

/** Chunks are batched so a long output costs few writes; on failure nothing is left at the path. */
export function writeChunks(path: string, chunks: Iterable<string>, options: OutputOptions, io: CliIo): Result<void, LedgerError> {
  if (path === '-') {
    for (const c of chunks) io.stdout.write(c);
    return ok(undefined);
  }
  const out = AtomicOutput.open(path, options);
  if (!out.ok) return out;
  let batch: string[] = [];
  let size = 0;
  for (const c of chunks) {
    batch.push(c);
    size += c.length;
    if (size >= 1 << 20) {
      const w = out.value.write(batch.join(''));
      if (!w.ok) return w;
      batch = [];
      size = 0;
    }
  }
  const w = out.value.write(batch.join(''));
  if (!w.ok) return w;
  return out.value.commit();
}
