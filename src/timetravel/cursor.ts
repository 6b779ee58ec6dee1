/**
 * A cursor over a trace's positions for walking (travel, history): moving forward extends the
 * current replay while every record passed is a top-level call (no earlier call's decision can
 * change: it is nobody's nested record), and seeks otherwise. Pure.
 */
import { Replay } from '../replay/replay.js';
import { stepEntries } from '../replay/replayTrace.js';
import { positionOf, type Position, type TravelIndex } from './index.js';
import { asTimeline, type OnRestore, type Timeline } from './timeline.js';

/** A replay of its own in the state of `p` (World.clone forks a restored world's layers: it costs what changed since the restore). */
function fork(p: Position): Position {
  const r = p.replay;
  const cp = r.checkpoint();
  // Why facts 0: the copy's log starts empty and factBase counts the facts before it, as after a seek.
  const replay = Replay.restore({ profile: r.profile, mode: r.world.mode, validateFacts: false }, { ...cp, facts: 0 }, [], r.findings);
  return { ...p, replay, factBase: p.factBase + r.log.length };
}

/** Forward moves longer than this seek instead (a seek steps at most K records through the index, K + 256 in memory). */
const MAX_EXTEND = 4096;

export class Cursor {
  #pos: Position;
  readonly timeline: Timeline;
  /**
   * With `keepBase`: a copy of the position before the last forward step, never stepped itself. A
   * later move to t after it, with no record in between nested in a call at or before it, starts
   * from a copy of it instead of a checkpoint (history: a nested record right after the step).
   */
  #base: Position | null = null;

  /** `onRestore`: called with each replay a seek restores, before it steps. */
  constructor(index: Timeline | TravelIndex, at = -1, readonly onRestore?: OnRestore, readonly keepBase = false) {
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
        if (this.keepBase) this.#base = fork(this.#pos);
        // The cut now ends at `target`: the nested records of these calls are not in it yet.
        for (const e of next) this.#pos.replay.step(e.record, e.line);
        this.#pos = positionOf((i) => this.timeline.entry(i), target, this.#pos.replay, this.#pos.factBase);
        return this.#pos;
      }
    }
    const base = this.#base;
    if (base !== null && target > base.at && target - base.at <= Math.min(MAX_EXTEND, this.timeline.k)) {
      const next = this.timeline.range(base.at + 1, target);
      // Why: the calls up to the base saw all their nested records there when none of these is nested in one of them (the cut at target decides them alike).
      if (next.every((e) => e.record.parent === undefined || e.record.parent > base.seq)) {
        const p = fork(base);
        stepEntries(p.replay, next);
        this.#pos = positionOf((i) => this.timeline.entry(i), target, p.replay, p.factBase);
        return this.#pos;
      }
    }
    this.#pos = this.timeline.seek(target, undefined, this.onRestore);
    return this.#pos;
  }
}
