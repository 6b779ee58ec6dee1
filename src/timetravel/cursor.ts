/**
 * A cursor over a trace's positions for walking (travel, history): stepping to the next record
 * extends the current replay when that record is a top-level call (no earlier call's decision can
 * change: it is nobody's nested record), and seeks otherwise. Pure.
 */
import { positionOf, seekIndex, type Position, type TravelIndex } from './index.js';

export class Cursor {
  #pos: Position;

  constructor(readonly index: TravelIndex, at = -1) {
    this.#pos = seekIndex(index, at);
  }

  get position(): Position {
    return this.#pos;
  }

  /** Record count (the last index is length - 1). */
  get length(): number {
    return this.index.entries.length;
  }

  /** Moves to record index t (clamped to [-1, length - 1]); returns the new position. */
  moveTo(t: number): Position {
    const target = Math.max(-1, Math.min(this.length - 1, t));
    if (target === this.#pos.at) return this.#pos;
    const next = this.index.entries[target];
    if (target === this.#pos.at + 1 && next.record.parent === undefined) {
      // The cut now ends at `target`: its own nested records are not in it yet.
      this.#pos.replay.step(next.record, next.line);
      this.#pos = positionOf(this.index, target, this.#pos.replay);
    } else {
      this.#pos = seekIndex(this.index, target);
    }
    return this.#pos;
  }
}
