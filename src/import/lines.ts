/**
 * Splits a byte or text stream into numbered lines in one pass, holding at most one partial line of
 * at most `maxLineBytes`: a longer line is dropped up to its newline and reported by its number.
 */
import { DEFAULT_MAX_LINE_BYTES } from '../log/readItem.js';

export interface CaptureLine {
  /** 1-based line number in the capture. */
  readonly line: number;
  /** Byte offset of the line start in the capture. */
  readonly offset: number;
  readonly text: string;
  /** False only for a last line with no newline: the writer may have been cut off mid-line. */
  readonly terminated: boolean;
  /** Set when the line was longer than the limit: its length in bytes (text is then empty). */
  readonly tooLong?: number;
}

/** The same limit as the trace reader (src/log/readItem.ts): 64 KiB excluding the line end. */
export const MAX_CAPTURE_LINE_BYTES = DEFAULT_MAX_LINE_BYTES;

/** Yields each line (without its `\n` or `\r\n`) of a stream of chunks. */
export async function* splitLines(source: AsyncIterable<string | Uint8Array>, maxLineBytes = MAX_CAPTURE_LINE_BYTES): AsyncGenerator<CaptureLine> {
  for await (const batch of splitLineBatches(source, maxLineBytes)) yield* batch;
}

/** The lines completed by each chunk, as one batch: one await per chunk rather than per line. */
export async function* splitLineBatches(source: AsyncIterable<string | Uint8Array>, maxLineBytes = MAX_CAPTURE_LINE_BYTES): AsyncGenerator<CaptureLine[]> {
  const decoder = new TextDecoder('utf-8');
  /** Pieces of the current line (never joined until its newline, so no piece is scanned twice). */
  let pieces: string[] = [];
  let pieceChars = 0;
  /** Bytes of the current line when it is over the limit and being skipped; -1 when not skipping. */
  let skipped = -1;
  let line = 0;
  let offset = 0;

  const add = (piece: string): void => {
    if (piece.length === 0) return;
    if (skipped >= 0) {
      skipped += Buffer.byteLength(piece);
      return;
    }
    pieces.push(piece);
    pieceChars += piece.length;
    // Why: a char is at least one byte, so more chars than the limit is over it whatever the text.
    if (pieceChars > maxLineBytes) {
      skipped = pieces.reduce((n, p) => n + Buffer.byteLength(p), 0);
      pieces = [];
      pieceChars = 0;
    }
  };
  const take = (terminated: boolean): CaptureLine => {
    const start = offset;
    if (skipped >= 0) {
      const bytes = skipped;
      skipped = -1;
      offset += bytes + (terminated ? 1 : 0);
      return { line: ++line, offset: start, text: '', terminated, tooLong: bytes };
    }
    let text = pieces.length === 1 ? pieces[0] : pieces.join('');
    pieces = [];
    pieceChars = 0;
    const bytes = Buffer.byteLength(text);
    offset += bytes + (terminated ? 1 : 0);
    if (terminated && text.endsWith('\r')) text = text.slice(0, -1);
    if (bytes > maxLineBytes && Buffer.byteLength(text) > maxLineBytes) return { line: ++line, offset: start, text: '', terminated, tooLong: Buffer.byteLength(text) };
    return { line: ++line, offset: start, text, terminated };
  };

  for await (const chunk of source) {
    const text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    const batch: CaptureLine[] = [];
    let pos = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', pos)) {
      add(text.slice(pos, nl));
      batch.push(take(true));
      pos = nl + 1;
    }
    add(text.slice(pos));
    if (batch.length > 0) yield batch;
  }
  add(decoder.decode());
  if (pieceChars > 0 || skipped >= 0) yield [take(false)];
}
