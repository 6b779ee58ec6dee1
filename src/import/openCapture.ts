/** Opens a capture file or stdin as a chunk stream, and as a trace item stream. The only fs code of the import. */
import { open } from 'node:fs/promises';
import { ledgerError, ok, err, type Result, type LedgerError } from '../core/result.js';
import { importCapture } from './importCapture.js';
import type { CaptureFormat, ImportItem } from './importTypes.js';
import type { ReadItem } from '../log/readItem.js';

/** Opens `path` ('-' = stdin) for streaming; a missing or unreadable file is an error value. */
export async function openCaptureSource(
  path: string,
  stdin: NodeJS.ReadableStream = process.stdin,
): Promise<Result<AsyncIterable<string | Uint8Array>, LedgerError>> {
  if (path === '-') return ok(stdin as AsyncIterable<string | Uint8Array>);
  try {
    const handle = await open(path, 'r');
    return ok(handle.createReadStream());
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'EIO';
    return err(ledgerError('CAPTURE_UNREADABLE', `cannot read the capture (${code})`, { file: path, fix: 'check the path' }));
  }
}

/**
 * A capture read as if it were a trace file (src/log/reader.ts items), so any command can take
 * `--from`: the header, then records in seq order with the line and byte offset of their return;
 * fatal problems as errors, other problems as warnings. The summary is dropped. An unreadable file
 * is an error value, not a stream.
 */
export async function openCaptureAsTrace(path: string, from: CaptureFormat, kernel?: string): Promise<Result<AsyncGenerator<ReadItem>, LedgerError>> {
  const source = await openCaptureSource(path);
  if (!source.ok) return source;
  const file = path === '-' ? '<stdin>' : path;
  return ok(asReadItems(importCapture(source.value, { from, file, ...(kernel !== undefined ? { kernel } : {}) })));
}

async function* asReadItems(items: AsyncGenerator<ImportItem>): AsyncGenerator<ReadItem> {
  for await (const item of items) {
    switch (item.kind) {
      case 'header':
        // Why: readers promise the header on line 1; a capture's kernel line may be elsewhere, but it is the trace's line 1.
        yield { kind: 'header', header: item.header, line: 1 };
        break;
      case 'record':
        yield { kind: 'record', entry: { record: item.record, line: item.line, offset: item.offset } };
        break;
      case 'problem':
        yield item.problem.severity === 'fatal' ? { kind: 'error', error: item.problem } : { kind: 'warning', warning: item.problem };
        break;
      case 'summary':
        break;
    }
  }
}
