/**
 * What `diff --from A --to B` compares: the state right after record a and right after record b,
 * per object, with the replay of b (its log holds the facts and findings of (a, b]). Pure.
 *
 * Both seeks restore the same checkpoint (b's seek restores none after a's), so an object neither
 * replay changed is the same in both: the checkpoint's, or the dead log's entry there. Only the
 * objects changed on the way are projected (history does the same), not the whole world, which
 * on a long trace is ~100 k objects, most of them freed domains that no record in (a, b] touches.
 * When the two seeks restore different checkpoints (an in-memory index, which takes no bound),
 * both worlds are projected whole, as before.
 */
import { projectWorld } from '../projections/projectWorld.js';
import { diffViews, type Change } from './diffViews.js';
import { subView } from './history.js';
import type { Position } from './index.js';
import type { Timeline } from './timeline.js';

export interface RangeDiff {
  readonly changes: Change[];
  /** The position after record a, and after record b. */
  readonly from: Position;
  readonly to: Position;
}

/** The changes from right after record a to right after record b (a ≤ b, -1 = the start). */
export function diffRange(tl: Timeline, a: number, b: number): RangeDiff {
  let restoredA = -1;
  let restoredB = -2;
  const from = tl.seek(a, undefined, (r) => {
    restoredA = r.records;
    r.world.trackChanges();
  });
  // Why a + 1 at most: the facts of (a, b] are in the log of a replay restored at or before record a + 1; restoredA is.
  const to = tl.seek(b, Math.min(a + 1, restoredA), (r) => {
    restoredB = r.records;
    r.world.trackChanges();
  });
  const wa = from.replay.world;
  const wb = to.replay.world;
  if (restoredA !== restoredB) return { changes: diffViews(projectWorld(wa), projectWorld(wb)), from, to };
  const keys = new Set([...wa.takeChanges().keys(), ...wb.takeChanges().keys()]);
  const before = subView(wa.profile, keys, (key) => wa.byKey(key), wb);
  const after = subView(wb.profile, keys, (key) => wb.byKey(key), wb);
  return { changes: diffViews(before, after), from, to };
}
