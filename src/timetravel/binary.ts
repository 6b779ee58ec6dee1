/**
 * The index's compact binary fields (format 7): unsigned LEB128 varints, zigzag varints for
 * numbers that may be negative, strings as a varint byte length and UTF-8, and string lists
 * front-coded (each string as the length of the prefix it shares with the one before it and the
 * rest), so sorted ids that share a device or an address prefix cost their differing tail. Pure.
 * Numbers are whole and below 2^52 (seqs, positions, IDs); arithmetic, not bit operations, keeps
 * those above 2^31 exact.
 */

/** Appends bytes; `bytes()` gives them as one buffer. */
export class ByteWriter {
  #buf = Buffer.allocUnsafe(1024);
  #n = 0;

  #room(extra: number): void {
    if (this.#n + extra <= this.#buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.#buf.length * 2, this.#n + extra));
    this.#buf.copy(next, 0, 0, this.#n);
    this.#buf = next;
  }

  get length(): number {
    return this.#n;
  }

  uint(v: number): this {
    if (!(Number.isInteger(v) && v >= 0)) throw new Error(`ByteWriter.uint: ${v} is not a whole number ≥ 0`);
    this.#room(8);
    while (v >= 0x80) {
      this.#buf[this.#n++] = (v % 128) | 0x80;
      v = Math.floor(v / 128);
    }
    this.#buf[this.#n++] = v;
    return this;
  }

  /** A whole number of either sign (zigzag: 0, -1, 1, -2, ... as 0, 1, 2, 3, ...). */
  int(v: number): this {
    return this.uint(v >= 0 ? v * 2 : -v * 2 - 1);
  }

  str(s: string): this {
    const n = Buffer.byteLength(s, 'utf8');
    this.uint(n);
    this.#room(n);
    this.#buf.write(s, this.#n, 'utf8');
    this.#n += n;
    return this;
  }

  /** A list of strings, front-coded: a count, then per string the prefix shared with the previous one (in UTF-16 units) and the rest. */
  strs(list: readonly string[]): this {
    this.uint(list.length);
    let prev = '';
    for (const s of list) {
      let p = 0;
      const max = Math.min(prev.length, s.length);
      while (p < max && prev.charCodeAt(p) === s.charCodeAt(p)) p++;
      // Why: a shared prefix never ends inside a surrogate pair, so each part stays valid UTF-16.
      if (p > 0 && p < s.length && s.charCodeAt(p) >= 0xdc00 && s.charCodeAt(p) <= 0xdfff) p--;
      this.uint(p).str(s.slice(p));
      prev = s;
    }
    return this;
  }

  raw(b: Buffer): this {
    this.#room(b.length);
    b.copy(this.#buf, this.#n);
    this.#n += b.length;
    return this;
  }

  bytes(): Buffer {
    return this.#buf.subarray(0, this.#n);
  }
}

/** Reads what a ByteWriter wrote; reading past the end throws (a block that passed its checksum but not this is not ours). */
export class ByteReader {
  pos: number;
  /** The bytes from `start` to `end` as latin1 text (one char a byte), made at the first long `strs`. */
  #text: string | null = null;
  readonly #start: number;

  constructor(readonly buf: Buffer, start = 0, readonly end = buf.length) {
    this.pos = start;
    this.#start = start;
  }

  uint(): number {
    let v = 0;
    let mul = 1;
    for (;;) {
      if (this.pos >= this.end) throw new Error('ByteReader: past the end');
      const b = this.buf[this.pos++];
      v += (b & 0x7f) * mul;
      if (b < 0x80) return v;
      mul *= 128;
    }
  }

  int(): number {
    const z = this.uint();
    return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
  }

  str(): string {
    const n = this.uint();
    if (this.pos + n > this.end) throw new Error('ByteReader: past the end');
    const s = this.buf.toString('utf8', this.pos, this.pos + n);
    this.pos += n;
    return s;
  }

  strs(): string[] {
    const n = this.uint();
    const out: string[] = [];
    let prev = '';
    // Why one latin1 text of the reader's bytes: an ASCII suffix (nearly every id's) is then a slice of it, not a decode call each (~10^5 ids a dead-log iteration).
    const text = n > 32 ? (this.#text ??= this.buf.toString('latin1', this.#start, this.end)) : null;
    const base = this.#start;
    for (let i = 0; i < n; i++) {
      const p = this.uint();
      if (text === null) {
        prev = prev.slice(0, p) + this.str();
      } else {
        const len = this.uint();
        if (this.pos + len > this.end) throw new Error('ByteReader: past the end');
        let ascii = true;
        for (let q = this.pos; q < this.pos + len && ascii; q++) ascii = this.buf[q] < 0x80;
        prev = prev.slice(0, p) + (ascii ? text.slice(this.pos - base, this.pos - base + len) : this.buf.toString('utf8', this.pos, this.pos + len));
        this.pos += len;
      }
      out.push(prev);
    }
    return out;
  }

  /** `n` bytes from here. */
  take(n: number): Buffer {
    if (this.pos + n > this.end) throw new Error('ByteReader: past the end');
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }
}
