/**
 * The index builder's open dead-log entries of dead objects the world stores compactly (a freed
 * domain, an exited mm, a freed SVA handle: machines/kit/deadStore.ts): per `kind:id` key, the
 * entry's place in the log, the position its span starts at and the world's DeadStore record
 * number, in typed arrays and one byte buffer outside the JS heap. Pure.
 *
 * Why: most dead objects stay dead to the end of the trace, so their entries stay open until the
 * builder's last step. As two Map entries and an entry object each they cost ≈ 180 bytes of traced
 * heap, which grew with every object the trace ever freed (≈ 1.7 M of them at 10 M generated
 * records), and the garbage collector's headroom doubled it. Here one costs ≈ 40 bytes.
 */

const FNV_OFFSET = 0x811c9dc5;

function fnv(s: string): number {
  let h = FNV_OFFSET;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h | 0;
}

/** Whether a key fits one byte a character (every key the kernel's ids make; another one keeps the Map path). */
export function latin1(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0xff) return false;
  return true;
}

/** Below this many slots ever used a table is never compacted (its arrays are a few KB). */
const COMPACT_FROM = 1 << 12;

export class OpenDeadTable {
  #keys: Buffer = Buffer.allocUnsafe(1 << 12);
  #keyUsed = 0;
  /** Slot s: its key is #keys[#keyStarts[s], #keyStarts[s + 1]) (the last one ends at #keyUsed). */
  #keyStarts = new Int32Array(1 << 8);
  /** Its entry's place in the log, or -1 once removed. */
  #order = new Int32Array(1 << 8);
  #from = new Int32Array(1 << 8);
  #record = new Int32Array(1 << 8);
  #hashes = new Int32Array(1 << 8);
  /** Slots used, removed ones included (they go at the next compaction). */
  #slots = 0;
  #size = 0;
  /** Open addressing over the slots by key hash (slot + 1; 0 is empty), at most half full. */
  #table = new Int32Array(1 << 9);
  #occupied = 0;

  /** Open entries held. */
  get size(): number {
    return this.#size;
  }

  /** Slots the arrays have room for (removed entries' space is reclaimed: tests hold a churn to it). */
  get capacity(): number {
    return this.#order.length;
  }

  /** The slot of a key's open entry, or -1. */
  find(key: string): number {
    if (this.#size === 0) return -1;
    const h = fnv(key);
    const mask = this.#table.length - 1;
    for (let at = h & mask, s = this.#table[at] - 1; s >= 0; at = (at + 1) & mask, s = this.#table[at] - 1) {
      if (this.#hashes[s] !== h || this.#order[s] < 0) continue;
      const start = this.#keyStarts[s];
      const end = s + 1 < this.#slots ? this.#keyStarts[s + 1] : this.#keyUsed;
      if (end - start !== key.length) continue;
      let same = true;
      for (let i = 0; i < key.length && same; i++) same = this.#keys[start + i] === key.charCodeAt(i);
      if (same) return s;
    }
    return -1;
  }

  orderAt(s: number): number {
    return this.#order[s];
  }

  fromAt(s: number): number {
    return this.#from[s];
  }

  recordAt(s: number): number {
    return this.#record[s];
  }

  keyAt(s: number): string {
    const end = s + 1 < this.#slots ? this.#keyStarts[s + 1] : this.#keyUsed;
    return this.#keys.toString('latin1', this.#keyStarts[s], end);
  }

  /** Adds a key's open entry (the key has none here, and is Latin-1: `latin1`). */
  add(key: string, order: number, from: number, record: number): void {
    if (this.#keyUsed + key.length > this.#keys.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.#keyUsed + key.length, this.#keys.length * 2));
      this.#keys.copy(grown, 0, 0, this.#keyUsed);
      this.#keys = grown;
    }
    if (this.#slots === this.#order.length) this.#resize(this.#order.length * 2);
    const s = this.#slots++;
    this.#keyStarts[s] = this.#keyUsed;
    const keys = this.#keys;
    const at = this.#keyUsed;
    for (let i = 0; i < key.length; i++) keys[at + i] = key.charCodeAt(i);
    this.#keyUsed = at + key.length;
    this.#order[s] = order;
    this.#from[s] = from;
    this.#record[s] = record;
    const h = fnv(key);
    this.#hashes[s] = h;
    this.#size++;
    this.#place(this.#table, s, h);
    if (++this.#occupied * 2 > this.#table.length) this.#rehash();
  }

  /** Takes a slot's entry out (its space is reclaimed once removed slots outnumber the held ones). */
  remove(s: number): void {
    this.#order[s] = -1;
    this.#size--;
    if (this.#slots >= COMPACT_FROM && this.#size * 2 < this.#slots) this.#compact();
  }

  /** Takes up to `max` entries out, the first added first, and hands each over (the builder's last step writes them run by run). */
  takeFirst(max: number, each: (key: string, order: number, from: number, record: number) => void): number {
    const slots: number[] = [];
    for (let s = 0; s < this.#slots && slots.length < max; s++) if (this.#order[s] >= 0) slots.push(s);
    // Why read all first: a removal may compact the table, which moves the slots.
    const taken = slots.map((s) => [this.keyAt(s), this.#order[s], this.#from[s], this.#record[s]] as const);
    for (const s of slots) {
      this.#order[s] = -1;
      this.#size--;
    }
    if (slots.length > 0) this.#compact();
    for (const [key, order, from, record] of taken) each(key, order, from, record);
    return taken.length;
  }

  #place(table: Int32Array, s: number, h: number): void {
    const mask = table.length - 1;
    let at = h & mask;
    while (table[at] !== 0) at = (at + 1) & mask;
    table[at] = s + 1;
  }

  #resize(length: number): void {
    const grow = (a: Int32Array<ArrayBuffer>) => {
      const b = new Int32Array(length);
      b.set(a.subarray(0, Math.min(a.length, length)));
      return b;
    };
    this.#keyStarts = grow(this.#keyStarts);
    this.#order = grow(this.#order);
    this.#from = grow(this.#from);
    this.#record = grow(this.#record);
    this.#hashes = grow(this.#hashes);
  }

  /** Moves the held slots to the front, in their order, and rebuilds the hash table over them. */
  #compact(): void {
    let to = 0;
    let keyTo = 0;
    for (let s = 0; s < this.#slots; s++) {
      if (this.#order[s] < 0) continue;
      const start = this.#keyStarts[s];
      const end = s + 1 < this.#slots ? this.#keyStarts[s + 1] : this.#keyUsed;
      this.#keys.copy(this.#keys, keyTo, start, end);
      this.#keyStarts[to] = keyTo;
      keyTo += end - start;
      this.#order[to] = this.#order[s];
      this.#from[to] = this.#from[s];
      this.#record[to] = this.#record[s];
      this.#hashes[to] = this.#hashes[s];
      to++;
    }
    this.#slots = to;
    this.#keyUsed = keyTo;
    let length = 1 << 8;
    while (length < to * 2) length *= 2;
    if (length < this.#order.length) this.#resize(length);
    this.#rehash();
  }

  #rehash(): void {
    let size = 1 << 9;
    while (this.#size * 4 > size) size *= 2;
    const table = new Int32Array(size);
    for (let s = 0; s < this.#slots; s++) if (this.#order[s] >= 0) this.#place(table, s, this.#hashes[s]);
    this.#table = table;
    this.#occupied = this.#size;
  }
}
