/**
 * A table from Latin-1 keys to a few 32-bit numbers, outside the JS heap: the keys' bytes in one
 * buffer, the numbers in typed arrays, an open-addressing hash table over the slots. Why: the world's
 * dead objects (`DeadKindMap`) are ≈ 1.7 M keys at 10 M generated records; as Map entries and
 * strings they were traced heap that grew with the trace. Pure.
 *
 * Column 0 holds a non-negative number for every held entry: a removed entry's is -1 (its slot is
 * skipped until the table is compacted, which moves the slots: a slot number is good until the
 * next add or remove).
 */

const FNV_OFFSET = 0x811c9dc5;

export function fnv(s: string): number {
  let h = FNV_OFFSET;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  // Why | 0: an Int32Array keeps hashes, so it must be one (the empty string's is the offset, above 2^31).
  return h | 0;
}

/** fnv of bytes[start, end): equal to fnv of the string when every character is one byte (Latin-1 keys, ASCII texts). */
export function fnvBytes(bytes: Uint8Array, start: number, end: number): number {
  let h = FNV_OFFSET;
  for (let i = start; i < end; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
  return h | 0;
}

/**
 * A hash's top byte, kept per entry to skip most entries of a probe without comparing bytes. Why not
 * the whole hash: 4 bytes an entry for what a rehash recomputes from the entry's bytes.
 */
export const tagOf = (h: number): number => h >>> 24;

/**
 * Hash tables grow when three quarters full and are rebuilt at most half full. Why not a quarter to
 * a half: at 10 M generated records the tables were a sixth of the dead objects' memory.
 */
export const GROW_AT = 0.75;

/** Whether a key fits one byte a character (every id the kernel's names make; another one stays in a Map). */
export function latin1(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0xff) return false;
  return true;
}

/** Below this many slots ever used a table is never compacted (its arrays are a few KB). */
const COMPACT_FROM = 1 << 12;

export function grownInts(a: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> {
  const grown = new Int32Array(a.length * 2);
  grown.set(a);
  return grown;
}

export function grownBytes(a: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer> {
  const grown = new Uint8Array(a.length * 2);
  grown.set(a);
  return grown;
}

export class KeyTable {
  #keys: Buffer = Buffer.allocUnsafe(1 << 12);
  #keyUsed = 0;
  /** Slot s: its key is #keys[#starts[s], #starts[s + 1]) (the last one ends at #keyUsed). */
  #starts = new Int32Array(1 << 8);
  /** The numbers of each slot, one array per column. */
  #cols: Int32Array<ArrayBuffer>[];
  #tags = new Uint8Array(1 << 8);
  /** Slots used, removed ones included. */
  #slots = 0;
  #size = 0;
  /** Open addressing over the slots by key hash (slot + 1; 0 is empty). */
  #table = new Int32Array(1 << 9);
  /** Table cells in use, removed entries' included (they leave at the next rehash). */
  #occupied = 0;

  constructor(readonly width: number) {
    this.#cols = Array.from({ length: width }, () => new Int32Array(1 << 8));
  }

  /** Entries held. */
  get size(): number {
    return this.#size;
  }

  /** Slots used so far, removed ones included: slots are 0 … slots − 1, held ones in the order they were added. */
  get slots(): number {
    return this.#slots;
  }

  /** Slots the arrays have room for (a removed entry's space is reclaimed: tests hold a churn to it). */
  get capacity(): number {
    return this.#starts.length;
  }

  held(s: number): boolean {
    return this.#cols[0][s] >= 0;
  }

  value(s: number, col: number): number {
    return this.#cols[col][s];
  }

  setValue(s: number, col: number, v: number): void {
    this.#cols[col][s] = v;
  }

  keyAt(s: number): string {
    const end = s + 1 < this.#slots ? this.#starts[s + 1] : this.#keyUsed;
    return this.#keys.toString('latin1', this.#starts[s], end);
  }

  /** The slot of a held key, or -1. */
  find(key: string): number {
    if (this.#size === 0) return -1;
    const h = fnv(key);
    const tag = tagOf(h);
    const mask = this.#table.length - 1;
    const first = this.#cols[0];
    for (let at = h & mask, s = this.#table[at] - 1; s >= 0; at = (at + 1) & mask, s = this.#table[at] - 1) {
      if (this.#tags[s] !== tag || first[s] < 0) continue;
      const start = this.#starts[s];
      const end = s + 1 < this.#slots ? this.#starts[s + 1] : this.#keyUsed;
      if (end - start !== key.length) continue;
      let same = true;
      for (let i = 0; i < key.length && same; i++) same = this.#keys[start + i] === key.charCodeAt(i);
      if (same) return s;
    }
    return -1;
  }

  /** Adds a key the table does not hold (Latin-1: `latin1`) with its column-0 number (≥ 0); returns its slot, whose other columns are 0. */
  add(key: string, first: number): number {
    if (this.#keyUsed + key.length > this.#keys.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.#keyUsed + key.length, this.#keys.length * 2));
      this.#keys.copy(grown, 0, 0, this.#keyUsed);
      this.#keys = grown;
    }
    if (this.#slots === this.#starts.length) {
      this.#starts = grownInts(this.#starts);
      this.#cols = this.#cols.map(grownInts);
      this.#tags = grownBytes(this.#tags);
    }
    const s = this.#slots++;
    this.#starts[s] = this.#keyUsed;
    // Why a loop: keys are a few characters, all Latin-1, and Buffer#write is a runtime call.
    const keys = this.#keys;
    const at = this.#keyUsed;
    for (let i = 0; i < key.length; i++) keys[at + i] = key.charCodeAt(i);
    this.#keyUsed = at + key.length;
    this.#cols[0][s] = first;
    for (let c = 1; c < this.width; c++) this.#cols[c][s] = 0;
    const h = fnv(key);
    this.#tags[s] = tagOf(h);
    this.#size++;
    this.#place(this.#table, s, h);
    if (++this.#occupied > this.#table.length * GROW_AT) this.#rehash();
    return s;
  }

  /** Takes a slot's entry out; once removed slots outnumber the held ones the table is compacted (slots move, order kept). */
  remove(s: number): void {
    this.#cols[0][s] = -1;
    this.#size--;
    if (this.#slots >= COMPACT_FROM && this.#size * 2 < this.#slots) this.#compact();
  }

  clear(): void {
    this.#keyUsed = 0;
    this.#slots = 0;
    this.#size = 0;
    this.#table.fill(0);
    this.#occupied = 0;
  }

  /** An independent copy: the same entries in the same slots. */
  copy(): KeyTable {
    const c = new KeyTable(this.width);
    c.#keys = Buffer.from(this.#keys.subarray(0, Math.max(this.#keyUsed, 1)));
    c.#keyUsed = this.#keyUsed;
    c.#starts = this.#starts.slice();
    c.#cols = this.#cols.map((a) => a.slice());
    c.#tags = this.#tags.slice();
    c.#slots = this.#slots;
    c.#size = this.#size;
    c.#table = this.#table.slice();
    c.#occupied = this.#occupied;
    return c;
  }

  /** Moves the held slots to the front, in their order, shrinks the arrays to fit and rebuilds the hash table. */
  #compact(): void {
    let to = 0;
    let keyTo = 0;
    const first = this.#cols[0];
    for (let s = 0; s < this.#slots; s++) {
      if (first[s] < 0) continue;
      const start = this.#starts[s];
      const end = s + 1 < this.#slots ? this.#starts[s + 1] : this.#keyUsed;
      this.#keys.copy(this.#keys, keyTo, start, end);
      this.#starts[to] = keyTo;
      keyTo += end - start;
      for (const col of this.#cols) col[to] = col[s];
      this.#tags[to] = this.#tags[s];
      to++;
    }
    this.#slots = to;
    this.#keyUsed = keyTo;
    if (keyTo * 4 < this.#keys.length && this.#keys.length > 1 << 12) this.#keys = Buffer.from(this.#keys.subarray(0, Math.max(keyTo * 2, 1 << 12)));
    let length = 1 << 8;
    while (length < to * 2) length *= 2;
    if (length < this.#starts.length) {
      this.#starts = this.#starts.slice(0, length);
      this.#cols = this.#cols.map((a) => a.slice(0, length));
      this.#tags = this.#tags.slice(0, length);
    }
    this.#rehash();
  }

  #place(table: Int32Array, s: number, h: number): void {
    const mask = table.length - 1;
    let at = h & mask;
    while (table[at] !== 0) at = (at + 1) & mask;
    table[at] = s + 1;
  }

  #rehash(): void {
    // Why sized by the entries held (at most half full after): removed ones are left out.
    let size = 1 << 9;
    while (this.#size * 2 > size) size *= 2;
    const table = new Int32Array(size);
    const first = this.#cols[0];
    for (let s = 0; s < this.#slots; s++) {
      if (first[s] < 0) continue;
      const end = s + 1 < this.#slots ? this.#starts[s + 1] : this.#keyUsed;
      this.#place(table, s, fnvBytes(this.#keys, this.#starts[s], end));
    }
    this.#table = table;
    this.#occupied = this.#size;
  }
}
