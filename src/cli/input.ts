/** Opening a command's trace input: a file, or `-` for stdin (the only place commands read traces). */
import type { CliIo } from './command.js';
import { readTrace, readTraceFile, type ReadItem } from '../log/reader.js';

export interface TraceInput {
  readonly items: AsyncIterable<ReadItem>;
  /** The name used in messages. */
  readonly file: string;
}

export function openTrace(path: string, io: CliIo): TraceInput {
  if (path === '-') return { items: readTrace(io.stdin as AsyncIterable<Uint8Array | string>, { file: '<stdin>' }), file: '<stdin>' };
  return { items: readTraceFile(path, {}), file: path };
}

/** Colour only on a terminal, and never with NO_COLOR set (https://no-color.org). */
export function wantsColour(io: CliIo): boolean {
  return io.stdout.isTTY === true && (io.env.NO_COLOR === undefined || io.env.NO_COLOR === '');
}
