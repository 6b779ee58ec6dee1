/**
 * One pass over a trace that yields, for every record, the state right after it as time travel
 * defines it and what changed (the data of `state --at` and `diff`, for every seq at once). Pure.
 *
 * Why not `seekIndex` per record: each seek restores a checkpoint and projects the whole world, so
 * a 100 k-record trace would cost hours. Here a top-level record is one step of a running replay
 * (as the travel Cursor does), and the change is computed on a sub-world holding only the objects
 * the step touched (their snapshots are immutable, so before/after are the old and new snapshot).
 *
 * A record nested inside a call that is still open (its later nested records follow) is the hard
 * case: the trace cut right after it decides the enclosing call without the nested records after
 * the cut, which needs a fresh replay from the last clean point (a world copy, O(objects)). That
 * is done for every such record while `exactBudget` (objects copied in total) allows; beyond it the
 * walk shows each record with its own nested records already applied, as the audit replays it, and
 * marks the records where that differs from `state --at` (`exact: false`).
 */
import type { Fact } from '../../events/facts.js';
import { World } from '../../machines/kit/world.js';
import type { Snap } from '../../machines/kit/lifecycle.js';
import type { Profile } from '../../machines/profile.js';
import { allocatorListKind, deviceKind, idSpaceKind } from '../../machines/index.js';
import { projectWorld } from '../projections/projectWorld.js';
import { Replay, type ReplayCheckpoint } from '../replay/replay.js';
import { stepEntries, type Entry } from '../replay/replayTrace.js';
import { diffViews, flattenView, type Change, type ViewObject } from '../timetravel/diffViews.js';

/** Default cap on objects copied for exact nested positions (a 10 k-record generated trace stays exact). */
export const DEFAULT_EXACT_BUDGET = 25_000_000;

/** What one record did to the state shown right after it. */
export interface Step {
  /** Index of the record in the trace. */
  readonly at: number;
  /** The changes from the state shown before it, as `diff` words them. */
  readonly changes: readonly Change[];
  /** The new view objects of the changed objects, by key (absent: the object was removed). */
  readonly after: ReadonlyMap<string, ViewObject>;
  /** The facts this record produced in the shown state. */
  readonly facts: readonly Fact[];
  /** The state shown equals `state --at` this record's seq. */
  readonly exact: boolean;
}

export interface WalkOptions {
  /** Objects that may be copied to make nested positions exact; 0 never, Infinity always. */
  readonly exactBudget?: number;
  /** Walk only the first `limit` records. */
  readonly limit?: number;
  /** Objects in the world at the end of the full run (saves a replay to measure it). */
  readonly worldSize?: number;
}

export interface WalkResult {
  /** The view objects before the first record. */
  readonly initial: readonly ViewObject[];
  /** Records whose shown state is not the one `state --at` gives (budget exceeded). */
  readonly inexact: number;
  readonly mode: 'exact' | 'full-call';
}

type AnySnap = Snap<unknown>;

/** A copy of a world that remembers which objects change (World.trackChanges), as its clones do. */
function tracked(w: World): World {
  const t = w.clone();
  t.trackChanges();
  return t;
}

const kindOf = (key: string) => key.slice(0, key.indexOf(':'));
/** Kinds whose view objects read other objects of the same kinds (allocator entries, a group's reset). */
const WHOLE_KINDS: readonly (readonly string[])[] = [[allocatorListKind.id, idSpaceKind.id], [deviceKind.id]];

/** The keys to project: the given ones plus every object of a kind whose view objects read each other. */
function expand(keys: Iterable<string>, worlds: readonly World[]): Set<string> {
  const wanted = new Set(keys);
  for (const group of WHOLE_KINDS) {
    if (![...wanted].some((k) => group.includes(kindOf(k)))) continue;
    for (const w of worlds) for (const kind of group) for (const [id] of w.entriesOf(kind)) wanted.add(`${kind}:${id}`);
  }
  return wanted;
}

/** The view of only some objects (their snapshots from `get`). */
function subView(profile: Profile, keys: ReadonlySet<string>, get: (key: string) => AnySnap | undefined): ReturnType<typeof projectWorld> {
  const objects = new Map<string, AnySnap>();
  for (const k of keys) {
    const s = get(k);
    if (s !== undefined) objects.set(k, s);
  }
  return projectWorld(new World(profile, 'fast', objects));
}

/**
 * Positions where no earlier record has a nested record at or after them: there the trace cut and
 * the full replay agree, and a replay may restart.
 */
export function cleanPositions(entries: readonly Entry[]): boolean[] {
  const pos = new Map<number, number>();
  entries.forEach((e, i) => pos.set(e.record.seq, i));
  const reach = entries.map((_, i) => i);
  for (let j = 0; j < entries.length; j++) {
    let parent = entries[j].record.parent;
    // Why: the walk is bounded by the depth of nesting; a cycle of parents cannot pass validation.
    for (let guard = 0; parent !== undefined && guard < 64; guard++) {
      const i = pos.get(parent);
      if (i === undefined || i >= j) break;
      if (reach[i] < j) reach[i] = j;
      parent = entries[i].record.parent;
    }
  }
  const clean: boolean[] = new Array(entries.length + 1);
  let max = -1;
  for (let t = 0; t <= entries.length; t++) {
    clean[t] = max < t;
    if (t < entries.length && reach[t] > max) max = reach[t];
  }
  return clean;
}

function changeStep(at: number, profile: Profile, log: Map<string, AnySnap | undefined>, world: World, facts: readonly Fact[], exact: boolean): Step {
  if (log.size === 0) return { at, changes: [], after: new Map(), facts, exact };
  const keys = expand(log.keys(), [world]);
  const before = subView(profile, keys, (k) => (log.has(k) ? log.get(k) : world.byKey(k)));
  // Why byKey: `world.objects` builds (and expands) a map of the whole world, per key: quadratic.
  const afterView = subView(profile, keys, (k) => world.byKey(k));
  return finish(at, diffViews(before, afterView), afterView, facts, exact);
}

function finish(at: number, changes: Change[], afterView: ReturnType<typeof projectWorld>, facts: readonly Fact[], exact: boolean): Step {
  const objs = new Map(flattenView(afterView).map((o) => [o.key, o]));
  const after = new Map<string, ViewObject>();
  for (const c of changes) {
    const o = objs.get(c.key);
    if (o !== undefined && c.change !== 'removed') after.set(c.key, o);
  }
  return { at, changes, after, facts, exact };
}

/** Walks the records, calling `onStep` once per record in order. */
export function walkStates(entries: readonly Entry[], profile: Profile, onStep: (s: Step) => void, options: WalkOptions = {}): WalkResult {
  const n = Math.min(entries.length, options.limit ?? entries.length);
  const list = entries.slice(0, n);
  const clean = cleanPositions(list);
  const initial = flattenView(projectWorld(new World(profile, 'fast')));
  const budget = options.exactBudget ?? DEFAULT_EXACT_BUDGET;
  let needsRestart = 0;
  for (let t = 0; t < n; t++) if (!clean[t] && list[t].record.parent !== undefined) needsRestart++;
  // The full run's final world size bounds each copy; decide up front so one mode holds for the whole trace.
  let size = options.worldSize;
  if (size === undefined && needsRestart > 0 && budget > 0) {
    const probe = new Replay({ profile, validateFacts: false });
    stepEntries(probe, list);
    size = probe.world.objects.size;
  }
  // Each restart copies the world once (the restore), each clean point before a nested record once (the checkpoint).
  const exact = needsRestart === 0 || 2 * needsRestart * Math.max(1, size ?? Infinity) <= budget;
  if (exact) walkExact(list, profile, clean, onStep);
  else walkFullCalls(list, profile, clean, onStep);
  let inexact = 0;
  if (!exact) for (let t = 0; t < n; t++) if (!clean[t + 1]) inexact++;
  return { initial, inexact, mode: exact ? 'exact' : 'full-call' };
}

/** Each record stepped with its nested records (the audit's replay): exact where the next position is clean. */
function walkFullCalls(list: readonly Entry[], profile: Profile, clean: readonly boolean[], onStep: (s: Step) => void): void {
  const replay = new Replay({ profile, validateFacts: false });
  replay.world = tracked(replay.world);
  let facts = 0;
  stepEntries(replay, list, (i) => {
    const all = replay.log.all();
    const own = all.slice(facts);
    facts = all.length;
    onStep(changeStep(i, profile, replay.world.takeChanges(), replay.world, own, clean[i + 1]));
  });
}

/**
 * The trace cut right after every record, as `state --at` computes it. A nested record restarts
 * from the checkpoint of the last clean point; the objects that can differ from the state shown
 * before are those either replay touched since that point.
 */
function walkExact(list: readonly Entry[], profile: Profile, clean: readonly boolean[], onStep: (s: Step) => void): void {
  const options = { profile, validateFacts: false } as const;
  let cur = new Replay(options);
  cur.world = tracked(cur.world);
  let cleanAt = 0;
  let cp: ReplayCheckpoint | null = null;
  /** Keys the current replay changed since the clean point. */
  let since = new Set<string>();
  for (let t = 0; t < list.length; t++) {
    const e = list[t];
    if (clean[t]) {
      cleanAt = t;
      since = new Set();
      // A checkpoint only where a nested record will need to restart from here.
      cp = clean[t + 1] ? null : { ...cur.checkpoint(), facts: 0, findings: 0 };
    }
    // A top-level record is nobody's nested record: the cut before it plus one step is the cut after it.
    if (e.record.parent === undefined || clean[t] || cp === null) {
      const facts = cur.log.length;
      cur.step(e.record, e.line);
      const log = cur.world.takeChanges();
      for (const k of log.keys()) since.add(k);
      onStep(changeStep(t, profile, log, cur.world, cur.log.all().slice(facts), true));
      continue;
    }
    // A nested record: the cut replays the open calls from the clean point with what the cut shows of them.
    const prev = cur.world;
    const next = Replay.restore(options, cp, [], []);
    stepEntries(next, list.slice(cleanAt, t + 1));
    const touched = new Set(next.world.takeChanges().keys());
    const keys = expand([...since, ...touched], [prev, next.world]);
    const afterView = subView(profile, keys, (k) => next.world.byKey(k));
    const changes = diffViews(subView(profile, keys, (k) => prev.byKey(k)), afterView);
    cur = next;
    since = touched;
    const seq = e.record.seq;
    onStep(finish(t, changes, afterView, next.log.all().filter((f) => f.seq === seq), true));
  }
}
