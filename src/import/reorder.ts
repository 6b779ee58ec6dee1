/**
 * Releases records in seq order. A call completes after the calls nested in it, but its seq is
 * smaller, so completed records wait here until every smaller seq is settled (kept or dropped).
 * Holds only records completed while an earlier call is still open.
 */
import type { CallRecord } from '../../events/records.js';

export interface SettledRecord {
  readonly record: CallRecord;
  /** Capture line of the return/exit. */
  readonly line: number;
  /** Byte offset of that line. */
  readonly offset: number;
}

export class SeqReorder {
  readonly #settled = new Map<number, SettledRecord | null>();
  readonly #dropped = new Set<number>();
  #next = 1;

  /** Records completed but held back by an open call. */
  get held(): number {
    return this.#settled.size;
  }

  /** Settles a seq with its record, or with null when the call produced none. */
  settle(seq: number, settled: SettledRecord | null): void {
    this.#settled.set(seq, settled);
  }

  /** The records now releasable, in seq order. A dropped parent is not named by its children. */
  *release(): Generator<SettledRecord> {
    for (let s = this.#settled.get(this.#next); s !== undefined; s = this.#settled.get(this.#next)) {
      this.#settled.delete(this.#next);
      if (s === null) this.#dropped.add(this.#next);
      else if (s.record.parent !== undefined && this.#dropped.has(s.record.parent)) {
        const { parent: _dropped, ...rest } = s.record;
        yield { record: rest as CallRecord, line: s.line, offset: s.offset };
      } else yield s;
      this.#next++;
    }
  }
}
