/**
 * Splits a byte stream into lines at "\n" (byte level, so chunk boundaries may fall anywhere, even
 * inside a multi-byte character) and feeds them to a TraceChecker. Keeps at most one partial line,
 * never more than maxLineBytes of it. No IO.
 */
import type { TraceChecker } from './traceChecker.js';

const NL = 10;
const EMPTY = Buffer.alloc(0);

export class LineSplitter {
  readonly #checker: TraceChecker;
  // Why: ignoreBOM keeps a BOM in the text so it is reported, instead of being silently eaten per call.
  readonly #decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  /** Bytes of the line in progress (no "\n" seen yet). */
  #pending: Buffer = EMPTY;
  /** Byte offset in the input of the line in progress. */
  #pendingOffset = 0;
  /** The line in progress is over the limit: its bytes are dropped until its "\n". */
  #skipping = false;
  #skipped = 0;

  constructor(checker: TraceChecker) {
    this.#checker = checker;
  }

  push(chunk: Uint8Array): void {
    if (this.#checker.done || chunk.length === 0) return;
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let pos = 0;
    if (this.#skipping) {
      const nl = buf.indexOf(NL);
      if (nl < 0) {
        this.#skipped += buf.length;
        return;
      }
      this.#skipped += nl;
      this.#checker.tooLong(this.#skipped, this.#pendingOffset, true);
      this.#pendingOffset += this.#skipped + 1;
      this.#skipping = false;
      pos = nl + 1;
    }
    const last = buf.lastIndexOf(NL);
    if (last < pos) return this.#keep(buf.subarray(pos));
    // Why: one decode per chunk of complete lines instead of one per line (the hot path).
    const block = this.#pending.length > 0 ? Buffer.concat([this.#pending, buf.subarray(pos, last)]) : buf.subarray(pos, last);
    const base = this.#pendingOffset;
    this.#pending = EMPTY;
    this.#lines(block, base);
    this.#pendingOffset = base + block.length + 1;
    this.#keep(buf.subarray(last + 1));
  }

  /** The end of input: the partial line, if any, is the final line without a newline. */
  end(): void {
    if (!this.#checker.done) {
      if (this.#skipping) this.#checker.tooLong(this.#skipped, this.#pendingOffset, false);
      else if (this.#pending.length > 0) {
        const text = this.#decode(this.#pending);
        if (text === undefined) this.#checker.invalidUtf8(this.#pending.length, this.#pendingOffset, false);
        else this.#checker.line(text, this.#pending.length, this.#pendingOffset, false);
      }
    }
    this.#pending = EMPTY;
    this.#checker.end();
  }

  #keep(bytes: Buffer): void {
    if (bytes.length === 0) return;
    // Why: copy, so a caller that reuses its chunk buffer cannot change the pending line.
    this.#pending = Buffer.concat([this.#pending, bytes]);
    if (this.#pending.length > this.#checker.maxLineBytes + 1) {
      this.#skipping = true;
      this.#skipped = this.#pending.length;
      this.#pending = EMPTY;
    }
  }

  /** Complete lines: block holds one or more lines separated by "\n", the last one's "\n" excluded. */
  #lines(block: Buffer, base: number): void {
    const checker = this.#checker;
    const text = this.#decode(block);
    let b = 0;
    let s = 0;
    for (;;) {
      const bn = block.indexOf(NL, b);
      const be = bn < 0 ? block.length : bn;
      if (text !== undefined) {
        const sn = text.indexOf('\n', s);
        checker.line(text.slice(s, sn < 0 ? text.length : sn), be - b, base + b, true);
        s = sn + 1;
      } else {
        // Why: the block is not UTF-8; decode line by line to name the bad line(s).
        const lineText = this.#decode(block.subarray(b, be));
        if (lineText === undefined) checker.invalidUtf8(be - b, base + b, true);
        else checker.line(lineText, be - b, base + b, true);
      }
      if (checker.done || bn < 0) return;
      b = bn + 1;
    }
  }

  #decode(bytes: Uint8Array): string | undefined {
    try {
      return this.#decoder.decode(bytes);
    } catch {
      return undefined;
    }
  }
}
