/**
 * The index builder's closed dead-log entries waiting for their run (sidecar.ts `SidecarBuilder`):
 * each entry's key and template text as UTF-8 in one byte buffer, its place, span and own-id flag
 * in typed arrays, all outside the JS heap, handed back as entries when the run is written. Pure.
 *
 * Why: a run was 131,072 entries, and as objects and strings (≈ 250 bytes each) they were most of the
 * builder's heap: its live size climbed from 30 to 90 MB over a run and fell at each write, and
 * with the garbage collector's headroom the heap peaked near 200 MB on a 1 M-record trace whose
 * world needs 40. The buffers are reused from run to run.
 */
import { grownBytes, grownInts } from '../../machines/kit/keyTable.js';
import type { DeadEntry } from './live.js';

/** A closed entry whose snapshot is already its template's text, and whether that snapshot is dead (format 10: the block it goes in). */
export interface ClosedEntry extends DeadEntry {
  readonly snap: string;
  readonly own: boolean;
  readonly dead: boolean;
}

export class ClosedRun {
  #bytes: Buffer = Buffer.allocUnsafe(1 << 16);
  #used = 0;
  /** Entry i's key is #bytes[#textAt[i - 1] (0 for the first), #keyEnd[i]), its text #bytes[#keyEnd[i], #textAt[i]). */
  #keyEnd = new Int32Array(1 << 10);
  #textAt = new Int32Array(1 << 10);
  #order = new Int32Array(1 << 10);
  #from = new Int32Array(1 << 10);
  /** OPEN (-1) for an entry still open at the end of the trace. */
  #until = new Int32Array(1 << 10);
  #own = new Uint8Array(1 << 10);
  #dead = new Uint8Array(1 << 10);
  #n = 0;

  /** Entries held. */
  get length(): number {
    return this.#n;
  }

  add(e: ClosedEntry): void {
    if (this.#n === this.#order.length) this.#grow();
    // Why 3 bytes a char: the most UTF-8 takes for one UTF-16 unit, so both writes always fit.
    const need = this.#used + (e.key.length + e.snap.length) * 3;
    if (need > this.#bytes.length) {
      const grown = Buffer.allocUnsafe(Math.max(need, this.#bytes.length * 2));
      this.#bytes.copy(grown, 0, 0, this.#used);
      this.#bytes = grown;
    }
    const i = this.#n++;
    this.#used += this.#bytes.write(e.key, this.#used, 'utf8');
    this.#keyEnd[i] = this.#used;
    this.#used += this.#bytes.write(e.snap, this.#used, 'utf8');
    this.#textAt[i] = this.#used;
    this.#order[i] = e.order;
    this.#from[i] = e.from;
    this.#until[i] = e.until;
    this.#own[i] = e.own ? 1 : 0;
    this.#dead[i] = e.dead ? 1 : 0;
  }

  /**
   * Hands the entries held, in the order they were added, to `use`, then forgets them (the buffers
   * stay for the next run). Each entry's text is read from the buffer when `use` asks for it, so
   * writing a run holds the texts of one block at a time, not of the whole run.
   */
  drain<R>(use: (entries: readonly ClosedEntry[]) => R): R {
    const entries: HeldEntry[] = [];
    for (let i = 0, start = 0; i < this.#n; start = this.#textAt[i++]) {
      entries.push(new HeldEntry(this.#order[i], this.#bytes.toString('utf8', start, this.#keyEnd[i]), this.#from[i], this.#until[i], this.#own[i] === 1, this.#dead[i] === 1, this.#bytes, this.#keyEnd[i], this.#textAt[i]));
    }
    try {
      return use(entries);
    } finally {
      this.#n = 0;
      this.#used = 0;
    }
  }

  #grow(): void {
    this.#keyEnd = grownInts(this.#keyEnd);
    this.#textAt = grownInts(this.#textAt);
    this.#order = grownInts(this.#order);
    this.#from = grownInts(this.#from);
    this.#until = grownInts(this.#until);
    this.#own = grownBytes(this.#own);
    this.#dead = grownBytes(this.#dead);
  }
}

/** A held entry: its text stays in the run's buffer until read (only within `drain`). */
class HeldEntry implements ClosedEntry {
  constructor(
    readonly order: number,
    readonly key: string,
    readonly from: number,
    readonly until: number,
    readonly own: boolean,
    readonly dead: boolean,
    private readonly bytes: Buffer,
    private readonly start: number,
    private readonly end: number,
  ) {}

  get snap(): string {
    return this.bytes.toString('utf8', this.start, this.end);
  }
}
