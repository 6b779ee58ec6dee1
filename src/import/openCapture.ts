/** Opens a capture file or stdin as a chunk stream, and as a trace item stream. The only fs code of the import. */
import { open } from 'node:fs/promises';
import { ledgerError, ok, err, type Result, type LedgerError } from '../core/result.js';
import { importCapture } from './importCapture.js';
import type { CaptureFormat, ImportItem } from './importTypes.js';

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

/** What a trace reader yields: the header, then records in seq order; problems interleaved as found. */
export type TraceStreamItem = Extract<ImportItem, { kind: 'header' | 'record' | 'problem' }>;

/**
 * A capture read as if it were a trace file, so any command can take `--from`. The summary is not
 * yielded; an unreadable file is an error value, not a stream.
 */
export async function openCaptureAsTrace(
  path: string,
  from: CaptureFormat,
  kernel?: string,
): Promise<Result<AsyncGenerator<TraceStreamItem>, LedgerError>> {
  const source = await openCaptureSource(path);
  if (!source.ok) return source;
  return ok(traceItems(importCapture(source.value, { from, file: path, ...(kernel !== undefined ? { kernel } : {}) })));
}

async function* traceItems(items: AsyncGenerator<ImportItem>): AsyncGenerator<TraceStreamItem> {
  for await (const item of items) if (item.kind !== 'summary') yield item;
}
