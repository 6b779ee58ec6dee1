/**
 * A cursor over a trace's positions for walking (travel, history): moving forward extends the
 * current replay while every record passed is a top-level call (no earlier call's decision can
 * change: it is nobody's nested record), and seeks otherwise. Pure.
 */
import { positionOf, type Position, type TravelIndex } from './index.js';
import { asTimeline, type OnRestore, type Timeline } from './timeline.js';

/** Forward moves longer than this seek instead (a seek steps at most K records through the index, K + 256 in memory). */
const MAX_EXTEND = 4096;

export class Cursor {
  #pos: Position;
  readonly timeline: Timeline;

  /** `onRestore`: called with each replay a seek restores, before it steps. */
  constructor(index: Timeline | TravelIndex, at = -1, readonly onRestore?: OnRestore) {
    this.timeline = asTimeline(index);
    this.#pos = this.timeline.seek(at, undefined, onRestore);
  }

  get position(): Position {
    return this.#pos;
  }

  /** Record count (the last index is length - 1). */
  get length(): number {
    return this.timeline.length;
  }

  /** Moves to record index t (clamped to [-1, length - 1]); returns the new position. */
  moveTo(t: number): Position {
    const target = Math.max(-1, Math.min(this.length - 1, t));
    const from = this.#pos.at;
    if (target === from) return this.#pos;
    if (target > from && target - from <= Math.min(MAX_EXTEND, this.timeline.k)) {
      const next = this.timeline.range(from + 1, target);
      if (next.every((e) => e.record.parent === undefined)) {
        // The cut now ends at `target`: the nested records of these calls are not in it yet.
        for (const e of next) this.#pos.replay.step(e.record, e.line);
        this.#pos = positionOf((i) => this.timeline.entry(i), target, this.#pos.replay, this.#pos.factBase);
        return this.#pos;
      }
    }
    this.#pos = this.timeline.seek(target, undefined, this.onRestore);
    return this.#pos;
  }
}
