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
import { fnv, fnvBytes, GROW_AT, grownBytes, grownInts, KeyTable, latin1, tagOf } from './keyTable.js';

/** A record as the store keeps it: the state, the context with a placeholder for the own id, and which field that is. */
export interface DeadRecord {
  readonly value: string;
  readonly context: Readonly<Record<string, unknown>>;
  readonly self: string;
}

/** The snapshot a record stands for as the object `id` (its placeholder replaced), key order included. */
export function expandRecord(rec: DeadRecord, id: string): Snap<unknown> {
  const context: Record<string, unknown> = { ...rec.context };
  context[rec.self] = typeof rec.context[rec.self] === 'number' ? Number(id) : id;
  return { value: rec.value, context };
}

/** Whether a stored value is a dead object's record (`World.storedByKey`), not a snapshot. */
export const isDeadRecord = (x: object): x is DeadRecord => typeof (x as { self?: unknown }).self === 'string';

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
  /** `absent` as a bit mask (bit i: field i). */
  readonly absentMask: number;
}

/** The most fields a context may have to be stored compactly (`absent` is a bit mask of them); no context comes near it. */
const MASK_KEYS = 30;

/** Slots of the direct-mapped cache of decoded records (a power of two). */
const SLOTS = 1 << 12;
/** Slots of the direct-mapped cache of recently interned texts (a power of two). */
const RECENT = 1 << 10;

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
  /** The top byte of the hash of record i's UTF-8 bytes. */
  #tags = new Uint8Array(1 << 10);
  #count = 0;
  /** Open addressing over the records by text hash (record number + 1; 0 is empty), at most half full: equal texts are stored once. */
  #table = new Int32Array(1 << 11);
  readonly #templates: Template[] = [];
  /** The templates of each state (numbers into #templates). */
  readonly #templatesByValue = new Map<string, number[]>();
  /** Decoded records by number (direct-mapped): equal numbers read back as one frozen record while cached. */
  readonly #decoded: (DeadRecord | undefined)[] = new Array<DeadRecord | undefined>(SLOTS).fill(undefined);
  readonly #decodedAt = new Int32Array(SLOTS).fill(-1);
  /** The texts interned last, by hash (direct-mapped), and their record numbers: a few hundred KB at most. */
  readonly #recentText: (string | undefined)[] = new Array<string | undefined>(RECENT).fill(undefined);
  readonly #recentRecord = new Int32Array(RECENT);

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
    if (keys.length > MASK_KEYS) return -1;
    const parts: unknown[] = [0];
    // Why a bit mask, not a string of '0'/'1': no string is built per put (contexts have a handful of fields).
    let absent = 0;
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i];
      const v = ctx[k];
      if (v === undefined) absent |= 1 << i;
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
    return expandRecord(this.record(n), id);
  }

  /**
   * The template of a record's shape. Why a scan of the few templates of one state, not a Map by a
   * name: the name was a JSON text built on every put; a state has one or two shapes, compared
   * field by field without building anything.
   */
  #templateOf(value: string, keys: readonly string[], self: string, placeholder: '' | 0, absent: number): number {
    let list = this.#templatesByValue.get(value);
    if (list === undefined) this.#templatesByValue.set(value, (list = []));
    for (let i = 0; i < list.length; i++) {
      const t = this.#templates[list[i]];
      if (t.self !== self || t.placeholder !== placeholder || t.absentMask !== absent || t.keys.length !== keys.length) continue;
      let same = true;
      for (let k = 0; k < keys.length && same; k++) same = t.keys[k] === keys[k];
      if (same) return list[i];
    }
    const id = this.#templates.length;
    this.#templates.push({ value, keys: Object.freeze([...keys]), self, placeholder, absent: Object.freeze(keys.map((_, i) => (absent & (1 << i)) !== 0)), absentMask: absent });
    list.push(id);
    return id;
  }

  /** The number of the record with this text: the one stored before, or a new one. */
  #intern(text: string): number {
    const h = fnv(text);
    // Why: most dead texts repeat one stored a moment ago (the freed handles of one device and mm); a
    // string compare finds them without writing and comparing the bytes.
    const r = h & (RECENT - 1);
    if (this.#recentText[r] === text) return this.#recentRecord[r];
    const n = this.#internBytes(text);
    this.#recentText[r] = text;
    this.#recentRecord[r] = n;
    return n;
  }

  #internBytes(text: string): number {
    // Why 3 bytes a char: the most UTF-8 takes for one UTF-16 unit, so the write below always fits.
    const need = this.#used + text.length * 3;
    if (need > this.#bytes.length) {
      const grown = Buffer.allocUnsafe(Math.max(need, this.#bytes.length * 2));
      this.#bytes.copy(grown, 0, 0, this.#used);
      this.#bytes = grown;
    }
    // Written past the end first: compared there with the records of the same hash, kept only if new.
    const at = this.#used;
    const bytes = this.#bytes;
    const len = writeText(bytes, text, at);
    // Why the bytes' hash, not the string's: a rehash recomputes it from the bytes, which differ from the characters beyond ASCII.
    const h = fnvBytes(bytes, at, at + len);
    const tag = tagOf(h);
    const mask = this.#table.length - 1;
    let slot = h & mask;
    for (let n = this.#table[slot] - 1; n >= 0; slot = (slot + 1) & mask, n = this.#table[slot] - 1) {
      if (this.#tags[n] !== tag) continue;
      const start = this.#starts[n];
      const end = n + 1 < this.#count ? this.#starts[n + 1] : at;
      if (end - start === len && sameBytes(bytes, at, start, len)) return n;
    }
    if (this.#count === this.#starts.length) {
      this.#starts = grownInts(this.#starts);
      this.#tags = grownBytes(this.#tags);
    }
    const n = this.#count++;
    this.#starts[n] = at;
    this.#tags[n] = tag;
    this.#used = at + len;
    this.#table[slot] = n + 1;
    if (this.#count > this.#table.length * GROW_AT) this.#rehash();
    return n;
  }

  #rehash(): void {
    const table = new Int32Array(this.#table.length * 2);
    const mask = table.length - 1;
    for (let n = 0; n < this.#count; n++) {
      const end = n + 1 < this.#count ? this.#starts[n + 1] : this.#used;
      let slot = fnvBytes(this.#bytes, this.#starts[n], end) & mask;
      while (table[slot] !== 0) slot = (slot + 1) & mask;
      table[slot] = n + 1;
    }
    this.#table = table;
  }
}

/**
 * Writes a text as UTF-8 at `at` and returns its length in bytes. Why a loop for ASCII: a record's text
 * is a few dozen characters, for which Buffer#write's call into the runtime cost more than the copy.
 */
function writeText(bytes: Buffer, text: string, at: number): number {
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x80) return bytes.write(text, at, 'utf8');
    bytes[at + i] = c;
  }
  return n;
}

/** Whether bytes[a, a + len) equals bytes[b, b + len) (short records: a loop, not a runtime call). */
function sameBytes(bytes: Buffer, a: number, b: number, len: number): boolean {
  for (let i = 0; i < len; i++) if (bytes[a + i] !== bytes[b + i]) return false;
  return true;
}

/**
 * One kind's objects, for a kind with dead states: the live ones (and the few dead ones whose id is
 * not Latin-1) in a Map, the dead ones as their id's bytes, their record's number and their place in
 * a table outside the JS heap. Why: a Map entry and an id string per dead object were ≈ 70 bytes of
 * traced heap that grew with the trace (≈ 1.7 M of them at 10 M generated records); here one costs
 * ≈ 30 bytes that no GC walks. It behaves as the Map it replaces, order included: iteration gives
 * the objects in the order they were first stored (each keeps its ordinal through death and reuse),
 * and a delete then a set puts the object last.
 */
export class DeadKindMap implements Map<string, Snap<unknown>> {
  readonly #live = new Map<string, Snap<unknown>>();
  /** The ordinal of each entry of #live. */
  readonly #liveOrd = new Map<string, number>();
  /** False once an object came back to life: #live's order is then not the ordinal order. */
  #liveInOrder = true;
  #next = 0;
  /** The dead objects: id → its record's number (as World stores it) and its ordinal. */
  #dead = new KeyTable(2);
  /** The dead entries' slots in ordinal order (built when iterated, dropped when the table changes). */
  #sorted: Int32Array | null = null;

  /** Dead entries the table has room for (space of entries that left is reclaimed: tests hold a churn to it). */
  get capacity(): number {
    return this.#dead.capacity;
  }

  get size(): number {
    return this.#live.size + this.#dead.size;
  }

  get(id: string): Snap<unknown> | undefined {
    const v = this.#live.get(id);
    if (v !== undefined || this.#dead.size === 0) return v;
    const e = this.#dead.find(id);
    return e < 0 ? undefined : (this.#dead.value(e, RECORD) as unknown as Snap<unknown>);
  }

  has(id: string): boolean {
    return this.#live.has(id) || this.#dead.find(id) >= 0;
  }

  set(id: string, stored: Snap<unknown>): this {
    const inLive = this.#live.has(id);
    const e = inLive ? -1 : this.#dead.find(id);
    if (typeof stored === 'number' && latin1(id)) {
      if (e >= 0) {
        this.#dead.setValue(e, RECORD, stored);
        return this;
      }
      let ord: number;
      if (inLive) {
        ord = this.#liveOrd.get(id) as number;
        this.#live.delete(id);
        this.#liveOrd.delete(id);
      } else ord = this.#next++;
      this.#dead.setValue(this.#dead.add(id, stored), ORD, ord);
      this.#sorted = null;
      return this;
    }
    if (e >= 0) {
      // Back to life (or a dead id this table cannot keep): the Map takes it, with its old ordinal.
      const ord = this.#dead.value(e, ORD);
      this.#remove(e);
      this.#live.set(id, stored);
      this.#liveOrd.set(id, ord);
      this.#liveInOrder = false;
      return this;
    }
    if (!inLive) this.#liveOrd.set(id, this.#next++);
    this.#live.set(id, stored);
    return this;
  }

  delete(id: string): boolean {
    if (this.#live.delete(id)) {
      this.#liveOrd.delete(id);
      return true;
    }
    const e = this.#dead.find(id);
    if (e < 0) return false;
    this.#remove(e);
    return true;
  }

  clear(): void {
    this.#live.clear();
    this.#liveOrd.clear();
    this.#liveInOrder = true;
    this.#dead.clear();
    this.#sorted = null;
  }

  /**
   * An object's ordinal: its place in the order objects were first stored, which it keeps through
   * death and reuse (-1: not stored). The index builder keys its open dead-log entries by it
   * (src/timetravel/openDead.ts) rather than by a second copy of the id.
   */
  ordinalOf(id: string): number {
    const o = this.#liveOrd.get(id);
    if (o !== undefined) return o;
    const e = this.#dead.find(id);
    return e < 0 ? -1 : this.#dead.value(e, ORD);
  }

  /** The ids of the dead objects (kept in the off-heap table) whose ordinals are wanted: one pass, decoding only those ids. */
  deadIdsOf(wanted: ReadonlySet<number>): Map<number, string> {
    const out = new Map<number, string>();
    const t = this.#dead;
    for (let e = 0; e < t.slots && out.size < wanted.size; e++) if (t.held(e) && wanted.has(t.value(e, ORD))) out.set(t.value(e, ORD), t.keyAt(e));
    return out;
  }

  /** An independent copy (World.clone): the same objects, in the same order. */
  copy(): DeadKindMap {
    const c = new DeadKindMap();
    for (const [id, v] of this.#live) c.#live.set(id, v);
    for (const [id, o] of this.#liveOrd) c.#liveOrd.set(id, o);
    c.#liveInOrder = this.#liveInOrder;
    c.#next = this.#next;
    c.#dead = this.#dead.copy();
    return c;
  }

  *entries(): MapIterator<[string, Snap<unknown>]> {
    const dead = this.#deadInOrder();
    const live = this.#liveInOrder ? [...this.#live] : [...this.#live].sort(([a], [b]) => (this.#liveOrd.get(a) as number) - (this.#liveOrd.get(b) as number));
    let d = 0;
    for (let l = 0; l <= live.length; l++) {
      const ord = l < live.length ? (this.#liveOrd.get(live[l][0]) as number) : Infinity;
      for (; d < dead.length && this.#dead.value(dead[d], ORD) < ord; d++) {
        const e = dead[d];
        yield [this.#dead.keyAt(e), this.#dead.value(e, RECORD) as unknown as Snap<unknown>];
      }
      if (l < live.length) yield live[l];
    }
  }

  [Symbol.iterator](): MapIterator<[string, Snap<unknown>]> {
    return this.entries();
  }

  *keys(): MapIterator<string> {
    for (const [id] of this.entries()) yield id;
  }

  *values(): MapIterator<Snap<unknown>> {
    for (const [, v] of this.entries()) yield v;
  }

  forEach(fn: (value: Snap<unknown>, key: string, map: Map<string, Snap<unknown>>) => void, self?: unknown): void {
    for (const [id, v] of this.entries()) fn.call(self, v, id, this);
  }

  get [Symbol.toStringTag](): string {
    return 'Map';
  }

  /**
   * Takes a dead entry out. Why the table compacts itself: a kind whose objects die and come back (a
   * domain name a capture reuses after a free) left an entry per death behind (a global PASID's
   * history, compact until its kind declared `idsReturn`, left 936 k entries for 960 dead histories
   * at 10 M generated records).
   */
  #remove(e: number): void {
    this.#dead.remove(e);
    this.#sorted = null;
  }

  #deadInOrder(): Int32Array {
    if (this.#sorted === null) {
      const t = this.#dead;
      const out = new Int32Array(t.size);
      let k = 0;
      for (let e = 0; e < t.slots; e++) if (t.held(e)) out[k++] = e;
      this.#sorted = out.sort((a, b) => t.value(a, ORD) - t.value(b, ORD));
    }
    return this.#sorted;
  }
}

/** DeadKindMap's columns: the record's number (≥ 0), the object's ordinal. */
const RECORD = 0;
const ORD = 1;
