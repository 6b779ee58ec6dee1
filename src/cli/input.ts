/**
 * Opening a command's trace input: a trace file, `-` for stdin, or a raw capture with
 * `--from ftrace|bpftrace` (imported on the fly). The only place commands read traces.
 */
import { createReadStream } from 'node:fs';
import type { CliIo } from './command.js';
import { readTraceChunks, readTraceFileChunks, type ReadItem, type ReadSummary } from '../log/reader.js';
import type { ReadChunk } from '../log/readItem.js';
import { importCapture } from '../import/importCapture.js';
import type { CaptureFormat } from '../import/importTypes.js';
import { ledgerError, type LedgerError } from '../core/result.js';

export const CAPTURE_FORMATS: readonly CaptureFormat[] = ['ftrace', 'bpftrace'];

export interface TraceInput {
  /** The items one at a time. Read either `items` or `chunks`, once: both read the same input. */
  readonly items: AsyncIterable<ReadItem>;
  /** The items one chunk of input at a time (what runReplay steps without a promise per record). */
  readonly chunks: AsyncIterable<ReadChunk>;
  /** The name used in messages. */
  readonly file: string;
  /** Seqs after which a capture lost events (filled while streaming); findings after them may be artefacts. */
  readonly lostAfter: number[];
}

export function openTrace(path: string, io: CliIo, options: { from?: string; kernel?: string; onEnd?: (summary: ReadSummary) => void } = {}): TraceInput | LedgerError {
  const file = path === '-' ? '<stdin>' : path;
  if (options.from === undefined) {
    const onEnd = options.onEnd;
    // Why: opened on first use, so the view a command does not read opens no file.
    const chunks = () => (path === '-' ? readTraceChunks(io.stdin as AsyncIterable<Uint8Array | string>, { file, onEnd }) : readTraceFileChunks(path, { onEnd }));
    return views(chunks, file, []);
  }
  if (!CAPTURE_FORMATS.includes(options.from as CaptureFormat)) {
    return ledgerError('USAGE', `--from takes ${CAPTURE_FORMATS.join(' or ')}, got ${options.from}`);
  }
  const source = path === '-' ? (io.stdin as AsyncIterable<Uint8Array | string>) : createReadStream(path);
  const lostAfter: number[] = [];
  const captured = importCapture(source, { from: options.from as CaptureFormat, file, ...(options.kernel !== undefined ? { kernel: options.kernel } : {}) });
  async function* items(): AsyncGenerator<ReadItem> {
    let lastSeq = 0;
    try {
      for await (const item of captured) {
        if (item.kind === 'header') yield { kind: 'header', header: item.header, line: 1 };
        else if (item.kind === 'record') {
          lastSeq = item.record.seq;
          yield { kind: 'record', entry: { record: item.record, line: item.line, offset: item.offset } };
        } else if (item.kind === 'problem') {
          if (item.problem.code === 'LOST_EVENTS') lostAfter.push(lastSeq);
          yield item.problem.severity === 'fatal' ? { kind: 'error', error: item.problem } : { kind: 'warning', warning: item.problem };
        }
      }
    } catch (e) {
      yield { kind: 'error', error: ledgerError('CAPTURE_UNREADABLE', `cannot read the capture (${(e as NodeJS.ErrnoException).code ?? String(e)})`, { file, fix: 'check the path' }) };
    }
  }
  async function* chunks(): AsyncGenerator<ReadChunk> {
    for await (const item of items()) yield [item];
  }
  return { items: items(), chunks: chunks(), file, lostAfter };
}

/** Both views of a chunked read, each opening the input when it is first iterated. */
function views(open: () => AsyncIterable<ReadChunk>, file: string, lostAfter: number[]): TraceInput {
  return {
    file,
    lostAfter,
    chunks: { [Symbol.asyncIterator]: () => open()[Symbol.asyncIterator]() },
    items: {
      async *[Symbol.asyncIterator]() {
        for await (const chunk of open()) yield* chunk;
      },
    },
  };
}

/** Colour only on a terminal, and never with NO_COLOR set (https://no-color.org). */
export function wantsColour(io: CliIo): boolean {
  return io.stdout.isTTY === true && (io.env.NO_COLOR === undefined || io.env.NO_COLOR === '');
}
