/**
 * Splits a byte stream into lines at "\n" (byte level, so chunk boundaries may fall anywhere, even
 * inside a multi-byte character) and feeds them to a TraceChecker. Keeps at most one partial line,
 * never more than maxLineBytes of it, and hashes every byte (SHA-256) so the checker can verify a
 * trailer against the bytes before it. Linear in the input whatever the chunking. No IO.
 */
import type { TraceChecker } from './traceChecker.js';
import { ContentDigest } from '../io/digest.js';

const NL = 10;
const CR = 13;
const EMPTY = Buffer.alloc(0);
const NL_BYTE = Buffer.from([NL]);

export class LineSplitter {
  readonly #checker: TraceChecker;
  // Why: ignoreBOM keeps a BOM in the text so it is reported, instead of being silently eaten per call.
  readonly #decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  /** Pieces of the line in progress (no "\n" seen yet); joined once, so many small chunks stay linear. */
  #parts: Buffer[] = [];
  #partsLength = 0;
  /** Byte offset in the input of the line in progress. */
  #pendingOffset = 0;
  /** The line in progress is over the limit: its bytes are dropped until its "\n". */
  #skipping = false;
  #skipped = 0;
  /** Every byte of the input so far, hashed once its line is complete. */
  readonly #digest = new ContentDigest();
  /** A too-long line was dropped unhashed: digests after it mean nothing (the file is invalid anyway). */
  #digestBroken = false;
  /** The block of complete lines being checked, and its offset: digestBefore hashes into it. */
  #block: Buffer = EMPTY;
  #blockBase = 0;
  #total = 0;

  constructor(checker: TraceChecker) {
    this.#checker = checker;
    checker.digestBefore = (offset) => this.#digestBefore(offset);
  }

  /** SHA-256 (hex) of every byte read so far; after end(), of the whole input. */
  get sha256(): string {
    return this.#digest.hex();
  }

  /** Bytes read so far. */
  get bytes(): number {
    return this.#total;
  }

  push(chunk: Uint8Array): void {
    if (this.#checker.done || chunk.length === 0) return;
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    this.#total += buf.length;
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
    const block = this.#partsLength > 0 ? Buffer.concat([...this.#parts, buf.subarray(pos, last)]) : buf.subarray(pos, last);
    const base = this.#pendingOffset;
    this.#parts = [];
    this.#partsLength = 0;
    this.#lines(block, base);
    this.#pendingOffset = base + block.length + 1;
    this.#keep(buf.subarray(last + 1));
  }

  /** The end of input: the partial line, if any, is the final line without a newline. */
  end(): void {
    if (!this.#checker.done) {
      if (this.#skipping) this.#checker.tooLong(this.#skipped, this.#pendingOffset, false);
      else if (this.#partsLength > 0) {
        const last = Buffer.concat(this.#parts);
        this.#block = last;
        this.#blockBase = this.#pendingOffset;
        this.#one(last, this.#pendingOffset, false);
        this.#hashBlockRest(false);
      }
    }
    this.#parts = [];
    this.#partsLength = 0;
    this.#checker.end();
  }

  #keep(bytes: Buffer): void {
    if (bytes.length === 0) return;
    // Why: copy, so a caller that reuses its chunk buffer cannot change the pending line.
    this.#parts.push(Buffer.from(bytes));
    this.#partsLength += bytes.length;
    if (this.#partsLength > this.#checker.maxLineBytes + 1) {
      this.#skipping = true;
      this.#skipped = this.#partsLength;
      this.#digestBroken = true;
      this.#parts = [];
      this.#partsLength = 0;
    }
  }

  /** Complete lines: block holds one or more lines separated by "\n", the last one's "\n" excluded. */
  #lines(block: Buffer, base: number): void {
    const checker = this.#checker;
    this.#block = block;
    this.#blockBase = base;
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
      } else this.#one(block.subarray(b, be), base + b, true);
      if (checker.done || bn < 0) break;
      b = bn + 1;
    }
    this.#hashBlockRest(true);
  }

  /** One line decoded on its own (a block that is not UTF-8 as a whole, or the last line). */
  #one(bytes: Buffer, offset: number, terminated: boolean): void {
    // Why: the length limit comes first whatever the chunking (reliability F20): a line over the
    // limit is LINE_TOO_LONG even when it also holds bad UTF-8, as when the splitter drops it unread.
    const length = bytes.length - (bytes.length > 0 && bytes[bytes.length - 1] === CR ? 1 : 0);
    if (length > this.#checker.maxLineBytes) return this.#checker.tooLong(bytes.length, offset, terminated);
    const text = this.#decode(bytes);
    if (text === undefined) this.#checker.invalidUtf8(bytes.length, offset, terminated);
    else this.#checker.line(text, bytes.length, offset, terminated);
  }

  /** Hashes the rest of the current block (and its "\n" when the block ended at one). */
  #hashBlockRest(newline: boolean): void {
    const from = this.#digest.bytes - this.#blockBase;
    if (!this.#digestBroken && from >= 0 && from <= this.#block.length) {
      this.#digest.update(this.#block.subarray(from));
      if (newline) this.#digest.update(NL_BYTE);
    } else this.#digestBroken = true;
    this.#block = EMPTY;
  }

  /** SHA-256 of the input's bytes before `offset` (a line start inside the current block), or undefined when unknown. */
  #digestBefore(offset: number): string | undefined {
    if (this.#digestBroken) return undefined;
    const from = this.#digest.bytes - this.#blockBase;
    const to = offset - this.#blockBase;
    if (from < 0 || to < from || to > this.#block.length + 1) return undefined;
    const head = this.#block.subarray(from, Math.min(to, this.#block.length));
    this.#digest.update(head);
    if (to > this.#block.length) this.#digest.update(NL_BYTE);
    return this.#digest.hex();
  }

  #decode(bytes: Uint8Array): string | undefined {
    try {
      return this.#decoder.decode(bytes);
    } catch {
      return undefined;
    }
  }
}
