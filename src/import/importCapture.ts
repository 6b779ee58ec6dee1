/** The import pipeline: chunks → lines → format events → trace items. Streams: holds only open calls. */
import { splitLines } from './lines.js';
import { ftraceEvents } from './ftrace.js';
import { bpftraceEvents } from './bpftrace.js';
import { CaptureAssembler } from './assembler.js';
import type { ImportItem, ImportOptions } from './importTypes.js';

/**
 * Imports one capture. Yields the header, records in seq order (each with the capture line of its
 * return), problems as they are found, and a closing summary. Never throws on bad input.
 */
export async function* importCapture(source: AsyncIterable<string | Uint8Array>, options: ImportOptions): AsyncGenerator<ImportItem> {
  const assembler = new CaptureAssembler(options);
  yield* assembler.start();
  if (!assembler.stopped) {
    const lines = splitLines(source);
    const events = options.from === 'ftrace' ? ftraceEvents(lines) : bpftraceEvents(lines);
    for await (const event of events) {
      yield* assembler.accept(event);
      if (assembler.stopped) break;
    }
  }
  yield* assembler.finish();
}
