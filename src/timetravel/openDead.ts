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

import { KeyTable } from '../../machines/kit/keyTable.js';

export { latin1 } from '../../machines/kit/keyTable.js';

/** The table's columns: the entry's place in the log (≥ 0), where its span starts, the record's number. */
const ORDER = 0;
const FROM = 1;
const RECORD = 2;

export class OpenDeadTable {
  readonly #t = new KeyTable(3);

  /** Open entries held. */
  get size(): number {
    return this.#t.size;
  }

  /** Slots the arrays have room for (removed entries' space is reclaimed: tests hold a churn to it). */
  get capacity(): number {
    return this.#t.capacity;
  }

  /** The slot of a key's open entry, or -1 (good until the next add or remove). */
  find(key: string): number {
    return this.#t.find(key);
  }

  orderAt(s: number): number {
    return this.#t.value(s, ORDER);
  }

  fromAt(s: number): number {
    return this.#t.value(s, FROM);
  }

  recordAt(s: number): number {
    return this.#t.value(s, RECORD);
  }

  keyAt(s: number): string {
    return this.#t.keyAt(s);
  }

  /** Adds a key's open entry (the key has none here, and is Latin-1: `latin1`). */
  add(key: string, order: number, from: number, record: number): void {
    const s = this.#t.add(key, order);
    this.#t.setValue(s, FROM, from);
    this.#t.setValue(s, RECORD, record);
  }

  remove(s: number): void {
    this.#t.remove(s);
  }

  /** Takes up to `max` entries out, the first added first, and hands each over (the builder's last step writes them run by run). */
  takeFirst(max: number, each: (key: string, order: number, from: number, record: number) => void): number {
    const t = this.#t;
    const taken: (readonly [string, number, number, number])[] = [];
    for (let s = 0; s < t.slots && taken.length < max; s++) if (t.held(s)) taken.push([t.keyAt(s), t.value(s, ORDER), t.value(s, FROM), t.value(s, RECORD)]);
    // Why read first, then removed without compacting on the way: a compaction moves the slots.
    let left = taken.length;
    for (let s = 0; s < t.slots && left > 0; s++) {
      if (!t.held(s)) continue;
      t.remove(s, false);
      left--;
    }
    if (taken.length > 0) t.compact();
    for (const [key, order, from, record] of taken) each(key, order, from, record);
    return taken.length;
  }
}
