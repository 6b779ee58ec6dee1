/**
 * Opening a command's trace input: a trace file, `-` for stdin, or a raw capture with
 * `--from ftrace|bpftrace` (imported on the fly). The only place commands read traces.
 */
import { createReadStream } from 'node:fs';
import type { CliIo } from './command.js';
import { readTrace, readTraceFile, type ReadItem, type ReadSummary } from '../log/reader.js';
import { importCapture } from '../import/importCapture.js';
import type { CaptureFormat } from '../import/importTypes.js';
import { ledgerError, type LedgerError } from '../core/result.js';

export const CAPTURE_FORMATS: readonly CaptureFormat[] = ['ftrace', 'bpftrace'];

export interface TraceInput {
  readonly items: AsyncIterable<ReadItem>;
  /** The name used in messages. */
  readonly file: string;
  /** Seqs after which a capture lost events (filled while streaming); findings after them may be artefacts. */
  readonly lostAfter: number[];
}

export function openTrace(path: string, io: CliIo, options: { from?: string; kernel?: string; onEnd?: (summary: ReadSummary) => void } = {}): TraceInput | LedgerError {
  const file = path === '-' ? '<stdin>' : path;
  if (options.from === undefined) {
    const onEnd = options.onEnd;
    const items = path === '-' ? readTrace(io.stdin as AsyncIterable<Uint8Array | string>, { file, onEnd }) : readTraceFile(path, { onEnd });
    return { items, file, lostAfter: [] };
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
  return { items: items(), file, lostAfter };
}

/** Colour only on a terminal, and never with NO_COLOR set (https://no-color.org). */
export function wantsColour(io: CliIo): boolean {
  return io.stdout.isTTY === true && (io.env.NO_COLOR === undefined || io.env.NO_COLOR === '');
}
