/** Splits a byte or text stream into numbered lines without holding more than one partial line. */

export interface CaptureLine {
  /** 1-based line number in the capture. */
  readonly line: number;
  /** Byte offset of the line start in the capture. */
  readonly offset: number;
  readonly text: string;
  /** False only for a last line with no newline: the writer may have been cut off mid-line. */
  readonly terminated: boolean;
}

/** Yields each line (without its `\n` or `\r\n`) of a stream of chunks. */
export async function* splitLines(source: AsyncIterable<string | Uint8Array>): AsyncGenerator<CaptureLine> {
  for await (const batch of splitLineBatches(source)) yield* batch;
}

/** The lines completed by each chunk, as one batch: one await per chunk rather than per line. */
export async function* splitLineBatches(source: AsyncIterable<string | Uint8Array>): AsyncGenerator<CaptureLine[]> {
  const decoder = new TextDecoder('utf-8');
  let partial = '';
  let line = 0;
  let offset = 0;
  for await (const chunk of source) {
    partial += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    const batch: CaptureLine[] = [];
    let start = 0;
    let nl = partial.indexOf('\n', start);
    while (nl >= 0) {
      const end = nl > start && partial.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      batch.push({ line: ++line, offset, text: partial.slice(start, end), terminated: true });
      offset += Buffer.byteLength(partial.slice(start, nl + 1));
      start = nl + 1;
      nl = partial.indexOf('\n', start);
    }
    partial = partial.slice(start);
    if (batch.length > 0) yield batch;
  }
  partial += decoder.decode();
  if (partial.length > 0) yield [{ line: ++line, offset, text: partial, terminated: false }];
}
