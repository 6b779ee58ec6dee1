/**
 * The world's store of dead objects' snapshots (machines/kit/world.ts): a freed domain, a freed SVA
 * handle, an exited mm, a released global PASID's history is kept only so that reuse is caught, and a
 * long trace holds hundreds of thousands of them. Each is kept as the text of its state and context,
 * its own id left out (a placeholder of the id's type, '' or 0), in one growing byte buffer outside
 * the JS heap; the world's map holds only the record's number. Why: as JS objects (a record, its
 * context, its strings) a dead object cost ≈ 110 bytes of heap beyond its map entry, which the
 * garbage collector traced on every full GC and doubled as headroom (src/io/heap.ts); as bytes
 * it costs its text, and equal texts (every exited mm, the freed handles of one device and mm) are
 * stored once. Records are never changed or removed, so a world's clones share the store: a number
 * means the same record in all of them.
 */
import type { Snap } from './lifecycle.js';

/** A record as the store keeps it: the state, the context with a placeholder for the own id, and which field that is. */
export interface DeadRecord {
  readonly value: string;
  readonly context: Readonly<Record<string, unknown>>;
  readonly self: string;
}

/**
 * What records share and their text leaves out: the state, the field names of the context in order,
 * which one holds the object's own id (and the placeholder of its type), and which ones hold undefined
 * (a machine's optional field: JSON has no undefined).
 */
interface Template {
  readonly value: string;
  readonly keys: readonly string[];
  readonly self: string;
  readonly placeholder: '' | 0;
  readonly absent: readonly boolean[];
}

/** Slots of the direct-mapped cache of decoded records (a power of two). */
const SLOTS = 1 << 12;

const FNV_OFFSET = 0x811c9dc5;
function fnv(s: string): number {
  let h = FNV_OFFSET;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h;
}

/** A value the text keeps exactly: JSON loses -0, NaN, ±Infinity and undefined, and objects are not dead-state values. */
function exact(v: unknown): boolean {
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(v) && !Object.is(v, -0);
    case 'object':
      return v === null;
    default:
      return false;
  }
}

export class DeadStore {
  #bytes: Buffer = Buffer.allocUnsafe(1 << 16);
  #used = 0;
  /** Record i is #bytes[#starts[i], #starts[i + 1]) (the last one ends at #used). */
  #starts = new Int32Array(1 << 10);
  /** The hash of record i's text. */
  #hashes = new Int32Array(1 << 10);
  #count = 0;
  /** Open addressing over the records by text hash (record number + 1; 0 is empty), at most half full: equal texts are stored once. */
  #table = new Int32Array(1 << 11);
  readonly #templates: Template[] = [];
  readonly #templateIds = new Map<string, number>();
  /** Decoded records by number (direct-mapped): equal numbers read back as one frozen record while cached. */
  readonly #decoded: (DeadRecord | undefined)[] = new Array<DeadRecord | undefined>(SLOTS).fill(undefined);
  readonly #decodedAt = new Int32Array(SLOTS).fill(-1);

  /** How many distinct records are stored. */
  get records(): number {
    return this.#count;
  }

  /** Bytes of record text stored (memory accounting). */
  get bytes(): number {
    return this.#used;
  }

  /**
   * The number of the record of a dead snapshot, or -1 when the text cannot keep it exactly (its self
   * field does not hold its id, or a value is not a primitive JSON keeps, or an array of them).
   */
  put(value: string, self: string, id: string, snap: Snap<unknown>): number {
    const ctx = snap.context as Readonly<Record<string, unknown>>;
    if (ctx === null || typeof ctx !== 'object' || Array.isArray(ctx)) return -1;
    const own = ctx[self];
    let placeholder: '' | 0;
    if (typeof own === 'string' && own === id) placeholder = '';
    else if (typeof own === 'number' && String(own) === id) placeholder = 0;
    else return -1;
    const keys = Object.keys(ctx);
    const parts: unknown[] = [0];
    let absent = '';
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i];
      const v = ctx[k];
      absent += v === undefined ? '1' : '0';
      if (k === self || v === undefined) continue;
      if (Array.isArray(v)) {
        for (let j = 0; j < v.length; j++) if (!exact(v[j])) return -1;
      } else if (!exact(v)) return -1;
      parts.push(v);
    }
    parts[0] = this.#templateOf(value, keys, self, placeholder, absent);
    return this.#intern(JSON.stringify(parts));
  }

  /** The frozen record of a number (its context holds the placeholder, not an id). */
  record(n: number): DeadRecord {
    const slot = n & (SLOTS - 1);
    if (this.#decodedAt[slot] === n) return this.#decoded[slot] as DeadRecord;
    const end = n + 1 < this.#count ? this.#starts[n + 1] : this.#used;
    const parts = JSON.parse(this.#bytes.toString('utf8', this.#starts[n], end)) as unknown[];
    const t = this.#templates[parts[0] as number];
    const context: Record<string, unknown> = {};
    for (let i = 0, at = 1; i < t.keys.length; i++) {
      const k = t.keys[i];
      const v = k === t.self ? t.placeholder : t.absent[i] ? undefined : parts[at++];
      context[k] = Array.isArray(v) ? Object.freeze(v) : v;
    }
    const rec: DeadRecord = Object.freeze({ value: t.value, context: Object.freeze(context), self: t.self });
    this.#decoded[slot] = rec;
    this.#decodedAt[slot] = n;
    return rec;
  }

  /** The snapshot record n stands for as the object `id`: equal to the one stored, key order included. */
  expand(id: string, n: number): Snap<unknown> {
    const rec = this.record(n);
    const context: Record<string, unknown> = { ...rec.context };
    context[rec.self] = typeof rec.context[rec.self] === 'number' ? Number(id) : id;
    return { value: rec.value, context };
  }

  #templateOf(value: string, keys: readonly string[], self: string, placeholder: '' | 0, absent: string): number {
    const name = JSON.stringify([value, self, placeholder, absent, keys]);
    let id = this.#templateIds.get(name);
    if (id === undefined) {
      id = this.#templates.length;
      this.#templates.push({ value, keys: Object.freeze([...keys]), self, placeholder, absent: Object.freeze([...absent].map((c) => c === '1')) });
      this.#templateIds.set(name, id);
    }
    return id;
  }

  /** The number of the record with this text: the one stored before, or a new one. */
  #intern(text: string): number {
    // Why 3 bytes a char: the most UTF-8 takes for one UTF-16 unit, so the write below always fits.
    const need = this.#used + text.length * 3;
    if (need > this.#bytes.length) {
      const grown = Buffer.allocUnsafe(Math.max(need, this.#bytes.length * 2));
      this.#bytes.copy(grown, 0, 0, this.#used);
      this.#bytes = grown;
    }
    // Written past the end first: compared there with the records of the same hash, kept only if new.
    const at = this.#used;
    const len = this.#bytes.write(text, at, 'utf8');
    const h = fnv(text);
    const mask = this.#table.length - 1;
    let slot = h & mask;
    for (let n = this.#table[slot] - 1; n >= 0; slot = (slot + 1) & mask, n = this.#table[slot] - 1) {
      if (this.#hashes[n] !== h) continue;
      const start = this.#starts[n];
      const end = n + 1 < this.#count ? this.#starts[n + 1] : at;
      if (end - start === len && this.#bytes.compare(this.#bytes, at, at + len, start, end) === 0) return n;
    }
    if (this.#count === this.#starts.length) {
      this.#starts = grownInts(this.#starts);
      this.#hashes = grownInts(this.#hashes);
    }
    const n = this.#count++;
    this.#starts[n] = at;
    this.#hashes[n] = h;
    this.#used = at + len;
    this.#table[slot] = n + 1;
    if (this.#count * 2 > this.#table.length) this.#rehash();
    return n;
  }

  #rehash(): void {
    const table = new Int32Array(this.#table.length * 2);
    const mask = table.length - 1;
    for (let n = 0; n < this.#count; n++) {
      let slot = this.#hashes[n] & mask;
      while (table[slot] !== 0) slot = (slot + 1) & mask;
      table[slot] = n + 1;
    }
    this.#table = table;
  }
}

function grownInts(a: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> {
  const grown = new Int32Array(a.length * 2);
  grown.set(a);
  return grown;
}
