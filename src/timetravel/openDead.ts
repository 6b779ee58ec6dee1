/**
 * The index builder's open dead-log entries of dead objects the world stores compactly (a freed
 * domain, an exited mm, a freed SVA handle: machines/kit/deadStore.ts): per object, the entry's
 * place in the log, the position its span starts at and the world's DeadStore record number, in
 * typed arrays indexed by the object's ordinal in its kind (`World.ordinalOf`), outside the JS heap.
 * Pure.
 *
 * Why: most dead objects stay dead to the end of the trace, so their entries stay open until the
 * builder's last step (≈ 1.7 M of them at 10 M generated records). As two Map entries and an object
 * each they cost ≈ 180 bytes of traced heap; keyed by a second copy of their key in a hash table,
 * ≈ 50 bytes; by the ordinal the world already keeps for each object (through death and reuse),
 * 12 bytes, and no hash table.
 */

import { grownInts } from '../../machines/kit/keyTable.js';
import { sortedIndices } from './sortedIndices.js';
import type { World } from '../../machines/kit/world.js';


/** Kinds a slot number can tell apart (slot = ordinal × KINDS + kind): three have compact dead objects. */
const KINDS = 8;

/** One kind's columns, indexed by ordinal: the entry's place in the log + 1 (0: no open entry), where its span starts, the record's number. */
interface Columns {
  order1: Int32Array<ArrayBuffer>;
  from: Int32Array<ArrayBuffer>;
  record: Int32Array<ArrayBuffer>;
}

export class OpenDeadTable {
  readonly #kindIds: string[] = [];
  readonly #cols: Columns[] = [];
  #size = 0;
  /** The entries still open, smallest place first, once `takeFirst` began handing them over (the builder's last step). */
  #queue: { slots: Float64Array; next: number } | null = null;

  constructor(readonly world: World) {}

  /** Open entries held. */
  get size(): number {
    return this.#size;
  }

  /** The slot of a key's open entry, or -1 (good until the entry is removed). */
  find(key: string): number {
    const colon = key.indexOf(':');
    const k = this.#kindIds.indexOf(key.slice(0, colon));
    if (k < 0) return -1;
    const ord = this.world.ordinalOf(this.#kindIds[k], key.slice(colon + 1));
    if (ord < 0 || ord >= this.#cols[k].order1.length || this.#cols[k].order1[ord] === 0) return -1;
    return ord * KINDS + k;
  }

  orderAt(s: number): number {
    return this.#col(s).order1[this.#ord(s)] - 1;
  }

  fromAt(s: number): number {
    return this.#col(s).from[this.#ord(s)];
  }

  recordAt(s: number): number {
    return this.#col(s).record[this.#ord(s)];
  }

  keyAt(s: number): string {
    return this.#keysOf([s]).get(s) as string;
  }

  /**
   * Adds the open entry of a dead object the world holds compactly (it has none here). Why the
   * world must hold it: the ordinal is the world's, and only its dead objects are handed over at the end.
   */
  add(key: string, order: number, from: number, record: number): void {
    const colon = key.indexOf(':');
    const kindId = key.slice(0, colon);
    const ord = this.world.ordinalOf(kindId, key.slice(colon + 1));
    if (ord < 0) throw new Error(`OpenDeadTable: ${key} is not stored compactly by the world`);
    let k = this.#kindIds.indexOf(kindId);
    if (k < 0) {
      if (this.#kindIds.length === KINDS) throw new Error(`OpenDeadTable: more than ${KINDS} kinds`);
      k = this.#kindIds.push(kindId) - 1;
      this.#cols.push({ order1: new Int32Array(1 << 10), from: new Int32Array(1 << 10), record: new Int32Array(1 << 10) });
    }
    const c = this.#cols[k];
    while (ord >= c.order1.length) {
      c.order1 = grownInts(c.order1);
      c.from = grownInts(c.from);
      c.record = grownInts(c.record);
    }
    c.order1[ord] = order + 1;
    c.from[ord] = from;
    c.record[ord] = record;
    this.#size++;
    this.#queue = null;
  }

  remove(s: number): void {
    this.#col(s).order1[this.#ord(s)] = 0;
    this.#size--;
    this.#queue = null;
  }

  /**
   * Takes up to `max` entries out, smallest place in the log first (the builder adds them in that
   * order), and hands each over: its key, place, span start and record (the builder's last step
   * writes them run by run). Only entries of objects the world still holds dead are found, which at
   * the end of a replay is every open one (an entry closes as soon as its object changes).
   */
  takeFirst(max: number, each: (key: string, order: number, from: number, record: number) => void): number {
    if (this.#queue === null) {
      // Why typed arrays and sortedIndices: 1.7 M entries, sorted by place without a comparator call each.
      const slots = new Float64Array(this.#size);
      const places = new Float64Array(this.#size);
      let n = 0;
      for (let k = 0; k < this.#kindIds.length; k++) {
        const o = this.#cols[k].order1;
        for (let ord = 0; ord < o.length; ord++) {
          if (o[ord] === 0) continue;
          slots[n] = ord * KINDS + k;
          places[n++] = o[ord] - 1;
        }
      }
      const order = sortedIndices(places);
      this.#queue = { slots: Float64Array.from(order, (i) => slots[i]), next: 0 };
    }
    const q = this.#queue;
    const part = Array.from(q.slots.subarray(q.next, Math.min(q.slots.length, q.next + max)));
    q.next += part.length;
    const keys = this.#keysOf(part);
    for (const s of part) {
      each(keys.get(s) as string, this.orderAt(s), this.fromAt(s), this.recordAt(s));
      this.#col(s).order1[this.#ord(s)] = 0;
      this.#size--;
    }
    return part.length;
  }

  /** The keys of slots, from the world (one pass over each kind's dead objects); throws for a slot whose object the world does not hold dead. */
  #keysOf(slots: readonly number[]): Map<number, string> {
    const out = new Map<number, string>();
    for (let k = 0; k < this.#kindIds.length; k++) {
      const wanted = new Set(slots.filter((s) => s % KINDS === k).map((s) => this.#ord(s)));
      if (wanted.size === 0) continue;
      const ids = this.world.deadIdsOf(this.#kindIds[k], wanted);
      if (ids.size !== wanted.size) throw new Error(`OpenDeadTable: ${wanted.size - ids.size} open entries of ${this.#kindIds[k]} name no dead object of the world`);
      for (const [ord, id] of ids) out.set(ord * KINDS + k, `${this.#kindIds[k]}:${id}`);
    }
    return out;
  }

  #col(s: number): Columns {
    return this.#cols[s % KINDS];
  }

  #ord(s: number): number {
    return Math.floor(s / KINDS);
  }
}
