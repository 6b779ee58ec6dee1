/** The import pipeline: chunks → lines → format events → trace items. Streams: holds only open calls. */
import { splitLineBatches } from './lines.js';
import { ftraceEvent } from './ftrace.js';
import { bpftraceEvent } from './bpftrace.js';
import { CaptureAssembler } from './assembler.js';
import type { ImportItem, ImportOptions } from './importTypes.js';

/**
 * Imports one capture. Yields the header, records in seq order (each with the capture line of its
 * return), problems as they are found, and a closing summary. Never throws on bad input.
 */
export async function* importCapture(source: AsyncIterable<string | Uint8Array>, options: ImportOptions): AsyncGenerator<ImportItem> {
  const assembler = new CaptureAssembler(options);
  const toEvent = options.from === 'ftrace' ? ftraceEvent : bpftraceEvent;
  yield* assembler.start();
  // Why: lines are handled synchronously per chunk; an await per line would cost more than parsing it.
  outer: for await (const batch of assembler.stopped ? [] : splitLineBatches(source)) {
    for (const line of batch) {
      const items = assembler.accept(toEvent(line));
      for (const item of items) yield item;
      if (assembler.stopped) break outer;
    }
  }
  yield* assembler.finish();
}
