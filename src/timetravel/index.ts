/**
 * The time-travel index: checkpoints of one replay every K records, so any position of a trace is
 * a restore plus a few steps. Checkpoints are a cache: a position sought through them equals the
 * replay of the trace cut right after that record (a property test holds them equal). Pure.
 *
 * A position is "the trace cut right after record t", as `state --at` always was: a call near the
 * cut decides without the nested records that follow the cut. A checkpoint taken at record c by the
 * full run equals the cut run's state only when every call before c saw all its nested records, so
 * seek restores a checkpoint at least LOOKAHEAD records before the target: at most K + LOOKAHEAD steps.
 */
import type { Fact } from '../../events/facts.js';
import type { StepMode } from '../../machines/kit/world.js';
import type { Profile } from '../../machines/profile.js';
import { ledgerError, err, ok, type LedgerError, type Result } from '../core/result.js';
import type { Finding } from '../replay/finding.js';
import { World } from '../../machines/kit/world.js';
import { Replay, type ReplayCheckpoint } from '../replay/replay.js';
import { LOOKAHEAD, stepEntries, type Entry } from '../replay/replayTrace.js';
import { DeadLog, LiveTracker, restoreWorld } from './live.js';

/**
 * Default distance between checkpoints, tuned by measurement (`npm run bench`, section
 * "checkpoint indexing and seek"; docs/performance.md has the figures): a seek costs about
 * K/2 + 256 replay steps plus copying the fact prefix, and a checkpoint holds the world; K = 4096
 * keeps 1 M records at ~250 checkpoints, where K = 1024 quadruples the memory for seeks ~2x faster.
 */
export const DEFAULT_K = 4096;

export interface Checkpoint {
  /** Records [0, at) have been stepped. */
  readonly at: number;
  /** The replay's bookkeeping; its world holds the live objects only (the dead ones are in the index's dead log). */
  readonly replay: ReplayCheckpoint;
}

export interface TravelIndex {
  readonly entries: readonly Entry[];
  readonly profile: Profile;
  readonly mode: StepMode;
  readonly k: number;
  /** Sorted by `at`; the first is always at 0 (nothing stepped). */
  readonly checkpoints: readonly Checkpoint[];
  /** Facts and findings of the full run without the end-of-trace checks (prefixes are shared). */
  readonly facts: readonly Fact[];
  readonly findings: readonly Finding[];
  /** The end-of-trace findings of the full run. */
  readonly endFindings: readonly Finding[];
  /** seq → index in entries. */
  readonly indexOfSeq: ReadonlyMap<number, number>;
  /** The dead objects of the run, shared by every checkpoint (live.ts). */
  readonly dead: DeadLog;
}

/** A position: the replay of records [0, at] (at = -1: before the first record). */
export interface Position {
  readonly at: number;
  /** The seq of record `at`, 0 before the first record. */
  readonly seq: number;
  readonly line: number | null;
  readonly replay: Replay;
  /** Facts of the run before the restored checkpoint that `replay.log.length` does not count. */
  readonly factBase: number;
}

/** How many facts the records up to a position derived. */
export const factsSoFar = (p: Position): number => p.factBase + p.replay.log.length;

function seqIndex(entries: readonly Entry[]): Map<number, number> {
  const m = new Map<number, number>();
  entries.forEach((e, i) => m.set(e.record.seq, i));
  return m;
}

/** A checkpoint of a replay whose live objects a tracker follows. */
export function liveCheckpoint(replay: Replay, tracker: LiveTracker, at: number): Checkpoint {
  return { at, replay: replay.checkpoint(new World(replay.profile, 'fast', new Map(tracker.live))) };
}

/** Replays every entry once, keeping a checkpoint of the live objects every `k` records. Facts are not re-validated. `onRecord(i)` after each (progress). */
export function buildIndex(entries: readonly Entry[], profile: Profile, k: number = DEFAULT_K, mode: StepMode = 'fast', onRecord?: (i: number) => void): TravelIndex {
  if (!(k >= 1)) throw new Error(`buildIndex: k must be at least 1, got ${k}`);
  const replay = new Replay({ profile, mode, validateFacts: false });
  const dead = new DeadLog();
  const tracker = new LiveTracker(replay.world, dead);
  const checkpoints: Checkpoint[] = [liveCheckpoint(replay, tracker, 0)];
  stepEntries(replay, entries, (i) => {
    tracker.update(i + 1);
    if ((i + 1) % k === 0 && i + 1 < entries.length) {
      tracker.settle(i + 1);
      checkpoints.push(liveCheckpoint(replay, tracker, i + 1));
    }
    onRecord?.(i);
  });
  const facts = replay.log.all();
  const findings = [...replay.findings];
  const endFindings = replay.end();
  return { entries, profile, mode, k, checkpoints, facts, findings, endFindings, indexOfSeq: seqIndex(entries), dead };
}

/** An index with only the start checkpoint: seeks replay from the first record (no build pass). */
export function startIndex(entries: readonly Entry[], profile: Profile, mode: StepMode = 'fast'): TravelIndex {
  const replay = new Replay({ profile, mode, validateFacts: false });
  return { entries, profile, mode, k: Infinity, checkpoints: [{ at: 0, replay: replay.checkpoint() }], facts: [], findings: [], endFindings: [], indexOfSeq: seqIndex(entries), dead: new DeadLog() };
}

const NO_WORLD_CACHE = new WeakMap<Profile, World>();
/** An empty world to hand Replay.restore (which copies it) when the restored world is built apart. */
export function emptyWorld(profile: Profile): World {
  let w = NO_WORLD_CACHE.get(profile);
  if (w === undefined) NO_WORLD_CACHE.set(profile, (w = new World(profile)));
  return w;
}

/**
 * A replay in the state of a checkpoint: its live objects copied in front of the dead log's
 * entries of that position. `facts`/`findings` are the run's (prefixes copied by reference).
 */
export function restoreCheckpoint(profile: Profile, mode: StepMode, cp: Checkpoint, dead: DeadLog, facts: readonly Fact[], findings: readonly Finding[]): Replay {
  // Why: an index read from disk has no facts before the checkpoint; its log then starts empty (factBase counts them).
  const preload = facts.length >= cp.replay.facts ? cp.replay.facts : 0;
  const replay = Replay.restore({ profile, mode, validateFacts: false }, { ...cp.replay, world: emptyWorld(profile), facts: preload }, facts, findings);
  replay.world = restoreWorld(profile, mode, cp.replay.world.objects, dead, cp.at);
  return replay;
}

/** The last checkpoint usable for target index t (see the file comment). */
function checkpointFor(index: TravelIndex, t: number): Checkpoint {
  const limit = t + 1 - LOOKAHEAD;
  const cps = index.checkpoints;
  let lo = 0;
  let hi = cps.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (cps[mid].at <= limit) lo = mid;
    else hi = mid - 1;
  }
  return cps[lo];
}

/** The position after record index t (-1: before the first record). */
export function seekIndex(index: TravelIndex, t: number, onRestore?: (replay: Replay) => void): Position {
  if (t < -1 || t >= index.entries.length) throw new Error(`seekIndex: ${t} is outside the trace`);
  const cp = checkpointFor(index, t);
  const replay = restoreCheckpoint(index.profile, index.mode, cp, index.dead, index.facts, index.findings);
  onRestore?.(replay);
  // Why: the cut trace is entries[0..t]; nested records after it are invisible to the calls before it.
  stepEntries(replay, index.entries.slice(Math.max(0, cp.at), t + 1));
  return positionOf(index, t, replay, cp.replay.facts);
}

export function positionOf(index: { readonly entries: readonly Entry[] } | ((t: number) => Entry), t: number, replay: Replay, factBase: number): Position {
  const e = t < 0 ? undefined : typeof index === 'function' ? index(t) : index.entries[t];
  return { at: t, seq: e?.record.seq ?? 0, line: e?.line ?? null, replay, factBase };
}

/** The record index of a seq, or an error naming the nearest seqs of the trace. 0 is the start. */
export function indexOfSeq(index: TravelIndex, seq: number, option = '--at', file = 'trace'): Result<number, LedgerError> {
  if (seq === 0) return ok(-1);
  const i = index.indexOfSeq.get(seq);
  if (i !== undefined) return ok(i);
  const seqs = index.entries.map((e) => e.record.seq);
  const after = seqs.findIndex((s) => s > seq);
  const near = [after > 0 ? seqs[after - 1] : after < 0 ? seqs[seqs.length - 1] : undefined, after >= 0 ? seqs[after] : undefined].filter((s) => s !== undefined);
  const range = seqs.length > 0 ? `the trace has seqs ${seqs[0]}..${seqs[seqs.length - 1]}` : 'the trace has no records';
  return err(ledgerError('SEQ_NOT_IN_TRACE', `${option} ${seq}: no record has seq ${seq} (${range})`, {
    file,
    field: option,
    seq,
    fix: near.length > 0 ? `the nearest seqs are ${near.join(' and ')}` : 'capture or write records first',
  }));
}

/** The position right after the record with this seq (the bench hook); 0 is the start. */
export function seek(index: TravelIndex, seq: number): Result<Position, LedgerError> {
  const i = indexOfSeq(index, seq);
  return i.ok ? ok(seekIndex(index, i.value)) : i;
}
