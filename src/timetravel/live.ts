/**
 * Live objects and the shared log of dead ones (time-travel checkpoints). The world keeps freed
 * domains, freed SVA handles and exited mms so that their reuse is caught (use after free, double
 * unbind, bind after exit); on a long trace they are ~94 % of the world. A checkpoint holds only
 * the live objects; the dead ones go once into one append-only log shared by every checkpoint,
 * each entry with the span of positions [from, until) in which it was the object's state. A world
 * restored at position c is the checkpoint's live objects plus, behind them, a read-only layer of
 * the log entries alive at c: nothing is copied per dead object.
 *
 * Live objects that stay unchanged from one settling to the next (a leaked global PASID, an mm
 * holding its PASID for the whole trace) go into the same log ("settled", `settle`), so a checkpoint
 * holds only what changed recently and stops growing with the trace. Pure.
 */
import type { Snap } from '../../machines/kit/lifecycle.js';
import { expandRecord, isDeadRecord } from '../../machines/kit/deadStore.js';
import { World, type StepMode } from '../../machines/kit/world.js';
import type { Profile } from '../../machines/profile.js';
import { FACT_DRIVEN } from '../../machines/objects.js';
import { latin1 } from '../../machines/kit/keyTable.js';
import { OpenDeadTable } from './openDead.js';
import { LISTED_DEAD_KINDS, projectWorld } from '../projections/projectWorld.js';
import type { StateView } from '../projections/view.js';

/**
 * The states kept only to catch reuse, per kind (kind id → states): each kind's `dead` declaration
 * (machines/kit/object.ts). An object in another state is live; a kind that declares one later only
 * costs checkpoint size here, never correctness (a "dead" object that changes again simply ends its
 * log entry).
 */
export const DEAD_STATES: Readonly<Record<string, readonly string[]>> = Object.fromEntries(
  FACT_DRIVEN.flatMap((k) => (k.factSpec.dead === undefined ? [] : [[k.id, k.factSpec.dead.states]])),
);
/**
 * Kinds whose stored order a call's walk can see: calls walk devices (a group's devices,
 * machines/calls/reads.ts) and IOASIDs (ioasid_unregister_allocator). A restored world iterates a
 * layered kind in another order than a replay from the start (log entries first), so these are
 * never settled nor layered: a checkpoint holds them whole, in the world's order. Every other walk
 * only asks whether something exists (iommu_alloc_global_pasid) or sorts (the projections), and
 * the end-of-trace checks are taken from the full run, never from a restored world.
 */
export const ORDERED_KINDS: ReadonlySet<string> = new Set(['device', 'ioasid']);

/** Whether unchanged live objects of a kind may be settled into the log (every kind whose order no call sees). */
export const isSettled = (kindId: string): boolean => !ORDERED_KINDS.has(kindId);

export function isDead(key: string, snap: Snap<unknown>): boolean {
  return isDeadState(key.slice(0, key.indexOf(':')), snap.value);
}

/** Whether a state of a kind is one of its dead ones. */
export function isDeadState(kindId: string, value: string): boolean {
  const states = DEAD_STATES[kindId];
  return states !== undefined && states.includes(value);
}

/** Dead objects per kind id (kinds with none may be absent). */
export type DeadCounts = ReadonlyMap<string, number>;

/**
 * The snapshot an object's stored form stands for. The world stores a dead object as one shared
 * record without its id (`World.storedByKey`: a `DeadRecord` with a placeholder for its id); the log keeps that
 * record, not an expanded copy, so an entry open until the end of the trace (most dead objects)
 * costs a reference, not a snapshot (at 1 M records the builder held one expanded copy per dead
 * object, more than the world).
 */
export function expandStored(key: string, stored: Snap<unknown>): Snap<unknown> {
  return isDeadRecord(stored) ? expandRecord(stored, key.slice(key.indexOf(':') + 1)) : stored;
}

/** Position `until` of an entry still the object's state at the end. */
export const OPEN = -1;

/**
 * What a restored world reads of the dead objects: one object's entry visible at a position, or a
 * kind's visible entries in log order (the order a restored world iterates them in). The in-memory
 * log (`DeadLog`) and the index's on-disk log (sidecar.ts, read block by block) both answer it.
 */
export interface DeadLayer {
  /** The kinds with entries. */
  kinds(): Iterable<string>;
  /** The snapshot of `kindId:id` visible at position `at`, or undefined. */
  lookup(kindId: string, id: string, at: number): Snap<unknown> | undefined;
  /** A kind's entries visible at `at`, as [id, snapshot], in log order. */
  visibleOf(kindId: string, at: number): Iterable<readonly [string, Snap<unknown>]>;
  /**
   * The same, only the entries of live objects (settled ones, `LiveTracker.settle`), in any order:
   * what a listing of the live objects reads (the index reads no block of dead entries for it).
   */
  visibleLiveOf(kindId: string, at: number): Iterable<readonly [string, Snap<unknown>]>;
}

/** Where a tracker appends the log's entries and closes their spans (the in-memory log, or the index builder's pending entries). */
export interface DeadSink {
  /** Appends an entry; returns its place in the log. */
  push(key: string, snap: Snap<unknown>, from: number, until?: number): number;
  /** The snapshot an entry was pushed with (the tracker asks whether an object still has it). */
  snapOf(i: number): Snap<unknown> | string;
  /** Ends an entry's span at `until`. */
  close(i: number, until: number): void;
  /**
   * Reserves the place of a dead object's entry whose key, span start and snapshot the tracker keeps
   * compactly while it is open (the index builder's log: `OpenDeadTable`); `closeDead` hands the
   * entry over once its span is known. Absent: the tracker pushes the snapshot (the in-memory log).
   */
  pushDead?(): number;
  /** The entry of a place `pushDead` reserved, as it closes (`until` OPEN: still open at the end). */
  closeDead?(order: number, key: string, from: number, until: number, snap: Snap<unknown>): void;
}

/** The append-only log of dead objects; an entry is visible at positions from ≤ c < until. */
export class DeadLog implements DeadLayer, DeadSink {
  readonly keys: string[] = [];
  readonly from: number[] = [];
  readonly until: number[] = [];
  /** Snapshots, or their JSON text until first read (an index read from disk parses lazily). */
  readonly snaps: (Snap<unknown> | string)[] = [];
  /** kind → id → its entries, in log order; built on first lookup. */
  #byId: Map<string, Map<string, number[]>> | null = null;
  #byKind: Map<string, number[]> | null = null;

  get length(): number {
    return this.keys.length;
  }

  push(key: string, snap: Snap<unknown> | string, from: number, until = OPEN): number {
    const i = this.keys.length;
    this.keys.push(key);
    this.snaps.push(snap);
    this.from.push(from);
    this.until.push(until);
    if (this.#byId !== null) this.#note(i);
    return i;
  }

  snapOf(i: number): Snap<unknown> | string {
    return this.snaps[i];
  }

  close(i: number, until: number): void {
    this.until[i] = until;
  }

  #note(i: number): void {
    const key = this.keys[i];
    const colon = key.indexOf(':');
    const kindId = key.slice(0, colon);
    const id = key.slice(colon + 1);
    const byId = this.#byId as Map<string, Map<string, number[]>>;
    let ids = byId.get(kindId);
    if (ids === undefined) byId.set(kindId, (ids = new Map<string, number[]>()));
    const list = ids.get(id);
    if (list === undefined) ids.set(id, [i]);
    else list.push(i);
    const kl = this.#byKind?.get(kindId);
    if (kl === undefined) this.#byKind?.set(kindId, [i]);
    else kl.push(i);
  }

  #index(): void {
    if (this.#byId !== null) return;
    this.#byId = new Map();
    this.#byKind = new Map();
    for (let i = 0; i < this.keys.length; i++) this.#note(i);
  }

  /** Entries of one kind, in log order. */
  ofKind(kindId: string): readonly number[] {
    this.#index();
    return this.#byKind?.get(kindId) ?? [];
  }

  /** One kind's entries by id (a restored world's lookups build no `kind:id` key). */
  idsOf(kindId: string): ReadonlyMap<string, readonly number[]> {
    this.#index();
    return this.#byId?.get(kindId) ?? NO_IDS;
  }

  /** The kinds with entries. */
  kinds(): string[] {
    this.#index();
    return [...(this.#byKind as Map<string, number[]>).keys()];
  }

  snap(i: number): Snap<unknown> {
    const s = this.snaps[i];
    // A stored record stays as it is (the tracker compares it with the world's by identity).
    if (typeof s !== 'string') return expandStored(this.keys[i], s);
    const parsed = JSON.parse(s) as Snap<unknown>;
    this.snaps[i] = parsed;
    return parsed;
  }

  visible(i: number, at: number): boolean {
    return this.from[i] <= at && (this.until[i] === OPEN || at < this.until[i]);
  }

  /** The entry of `key` visible at position `at`, or -1. */
  find(key: string, at: number): number {
    const colon = key.indexOf(':');
    return this.findIn(this.idsOf(key.slice(0, colon)), key.slice(colon + 1), at);
  }

  lookup(kindId: string, id: string, at: number): Snap<unknown> | undefined {
    const i = this.findIn(this.idsOf(kindId), id, at);
    return i < 0 ? undefined : this.snap(i);
  }

  *visibleOf(kindId: string, at: number): IterableIterator<readonly [string, Snap<unknown>]> {
    const n = kindId.length + 1;
    for (const i of this.ofKind(kindId)) if (this.visible(i, at)) yield [this.keys[i].slice(n), this.snap(i)];
  }

  *visibleLiveOf(kindId: string, at: number): IterableIterator<readonly [string, Snap<unknown>]> {
    for (const e of this.visibleOf(kindId, at)) if (!isDeadState(kindId, e[1].value)) yield e;
  }

  /** The entries of dead objects visible at `at`, per kind (what an index's checkpoint header counts). */
  deadCountsAt(at: number): Map<string, number> {
    const out = new Map<string, number>();
    for (let i = 0; i < this.keys.length; i++) {
      if (!this.visible(i, at) || !isDead(this.keys[i], this.snap(i))) continue;
      const kindId = this.keys[i].slice(0, this.keys[i].indexOf(':'));
      out.set(kindId, (out.get(kindId) ?? 0) + 1);
    }
    return out;
  }

  /** The entry of `id` (in one kind's `idsOf`) visible at position `at`, or -1. */
  findIn(ids: ReadonlyMap<string, readonly number[]>, id: string, at: number): number {
    const list = ids.get(id);
    if (list !== undefined) for (const i of list) if (this.visible(i, at)) return i;
    return -1;
  }
}

const NO_IDS: ReadonlyMap<string, readonly number[]> = new Map();

/** One entry of the log as the index builder writes it: its place in the log, key, span and snapshot (or its JSON text). */
export interface DeadEntry {
  readonly order: number;
  readonly key: string;
  readonly from: number;
  until: number;
  snap: Snap<unknown> | string;
  /** Set when `snap` is already its dead-log template's text (sidecar.ts), and whether the id goes into its own-id field. */
  own?: boolean;
  /** Whether the snapshot is in one of its kind's dead states (known when `snap` became a text; else read from `snap`). */
  dead?: boolean;
}

/**
 * The index builder's log: only the entries not yet written (open ones, and closed ones waiting
 * for their run), so its memory is bounded by the live world and one run, never by the trace.
 */
export class PendingLog implements DeadSink {
  readonly #entries = new Map<number, DeadEntry>();
  #next = 0;

  push(key: string, snap: Snap<unknown>, from: number, until = OPEN): number {
    const order = this.#next++;
    this.#entries.set(order, { order, key, from, until, snap });
    return order;
  }

  pushDead(): number {
    return this.#next++;
  }

  closeDead(order: number, key: string, from: number, until: number, snap: Snap<unknown>): void {
    this.#entries.set(order, { order, key, from, until, snap });
  }

  snapOf(i: number): Snap<unknown> | string {
    return (this.#entries.get(i) as DeadEntry).snap;
  }

  close(i: number, until: number): void {
    (this.#entries.get(i) as DeadEntry).until = until;
  }

  get(i: number): DeadEntry {
    return this.#entries.get(i) as DeadEntry;
  }

  /** Hands over an entry to be written and forgets it. */
  take(i: number): DeadEntry {
    const e = this.#entries.get(i) as DeadEntry;
    this.#entries.delete(i);
    return e;
  }

  /** Entries ever pushed. */
  get length(): number {
    return this.#next;
  }
}

const GONE: Snap<unknown> = Object.freeze({ value: '\u0000gone', context: null });

/** A checkpoint's objects of one kind: snapshots, or their JSON text until first read (an index read from disk). */
export type KindBase = ReadonlyMap<string, Snap<unknown> | string>;

/**
 * What the dead log answers at a checkpoint's position for the objects of one kind the records
 * after it read there (the index's checkpoints keep them, sidecar.ts): id → the JSON text of the
 * entry visible there, or '' for none. A lookup it holds reads no block of the log.
 */
export type KindPrefetch = ReadonlyMap<string, string>;

const EMPTY_BASE: KindBase = new Map();
const EMPTY_PREFETCH: KindPrefetch = new Map();

/**
 * One kind's objects at a restored position: its own (mutable) map in front of the checkpoint's
 * objects (`base`, read-only, parsed one object at a time when read) in front of the dead log's
 * entries visible at `at`. Deleting an object a lower layer holds leaves a marker. Iteration gives
 * the log's objects first (in log order), then the checkpoint's, then those stored since.
 */
class LayeredMap extends Map<string, Snap<unknown>> {
  readonly #top = new Map<string, Snap<unknown>>();
  readonly #base: KindBase;
  readonly #dead: DeadLayer;
  readonly #at: number;
  /** The dead layer's answers so far (null: none visible); the layer never changes, so each id is asked once. */
  readonly #asked: Map<string, Snap<unknown> | null>;
  #layer: (readonly [string, Snap<unknown>])[] | null = null;

  readonly #kindId: string;
  readonly #prefetch: KindPrefetch;

  constructor(kindId: string, dead: DeadLayer, at: number, base: KindBase, asked = new Map<string, Snap<unknown> | null>(), prefetch: KindPrefetch = EMPTY_PREFETCH) {
    super();
    this.#kindId = kindId;
    this.#dead = dead;
    this.#at = at;
    this.#base = base;
    this.#asked = asked;
    this.#prefetch = prefetch;
  }

  /**
   * A copy that changes apart from this one (World.clone): its own layer of what was stored since
   * the restore, the same checkpoint objects and dead layer behind it (read-only, so shared, with the
   * answers the layer gave so far). Costs what was stored since the restore, never a walk of the layers.
   */
  fork(): LayeredMap {
    const f = new LayeredMap(this.#kindId, this.#dead, this.#at, this.#base, this.#asked, this.#prefetch);
    for (const [id, s] of this.#top) f.#top.set(id, s);
    f.#layer = this.#layer;
    return f;
  }

  #fromDead(id: string): Snap<unknown> | undefined {
    let s = this.#asked.get(id);
    if (s === undefined) {
      const p = this.#prefetch.get(id);
      s = p === undefined ? this.#dead.lookup(this.#kindId, id, this.#at) ?? null : p === '' ? null : (JSON.parse(p) as Snap<unknown>);
      this.#asked.set(id, s);
    }
    return s ?? undefined;
  }

  #fromBase(id: string): Snap<unknown> | undefined {
    const b = this.#base.get(id);
    if (b === undefined) return undefined;
    // Why: parsed into this world's own layer, never back into the shared base (a seek's world is its own).
    const snap = typeof b === 'string' ? (JSON.parse(b) as Snap<unknown>) : b;
    this.#top.set(id, snap);
    return snap;
  }

  override get(id: string): Snap<unknown> | undefined {
    const t = this.#top.get(id);
    if (t !== undefined) return t === GONE ? undefined : t;
    const b = this.#fromBase(id);
    if (b !== undefined) return b;
    return this.#fromDead(id);
  }

  override has(id: string): boolean {
    return this.get(id) !== undefined;
  }

  override set(id: string, snap: Snap<unknown>): this {
    this.#top.set(id, snap);
    return this;
  }

  override delete(id: string): boolean {
    const had = this.has(id);
    if (this.#base.has(id) || this.#fromDead(id) !== undefined) this.#top.set(id, GONE);
    else this.#top.delete(id);
    return had;
  }

  override clear(): void {
    throw new Error('LayeredMap.clear: a restored world is never cleared');
  }

  override *entries(): MapIterator<[string, Snap<unknown>]> {
    if (this.#layer === null) {
      const v = this.#dead.visibleOf(this.#kindId, this.#at);
      this.#layer = Array.isArray(v) ? (v as (readonly [string, Snap<unknown>])[]) : [...v];
    }
    // Why the layer's own pairs: never changed, so handing them out spares a pair per object (~10^5 a projection of 1 M records).
    for (const e of this.#layer) if (!this.#top.has(e[0]) && !this.#base.has(e[0])) yield e as [string, Snap<unknown>];
    for (const id of this.#base.keys()) {
      const s = this.#top.get(id) ?? this.#fromBase(id);
      if (s !== undefined && s !== GONE) yield [id, s];
    }
    for (const [id, s] of this.#top) if (s !== GONE && !this.#base.has(id)) yield [id, s];
  }

  override [Symbol.iterator](): MapIterator<[string, Snap<unknown>]> {
    return this.entries();
  }

  /** Whether a stored value is a dead object (a DeadStore record's number is one: the world compacts only dead states). */
  #deadNow(s: Snap<unknown>): boolean {
    return typeof s === 'number' || (s !== GONE && isDeadState(this.#kindId, s.value));
  }

  /**
   * The live objects, as `entries` gives them but without the dead ones: the dead layer's live
   * entries only (`visibleLiveOf`), so no dead snapshot is read. Objects stored since the restore
   * are as the world stores them; a dead one (a DeadStore record's number) is left out, so none needs expanding.
   */
  liveEntries(): (readonly [string, Snap<unknown>])[] {
    // Why an array, not a generator: a projection spreads ~10^4 objects a kind, and each resumption of a generator costs more than a push.
    const out: (readonly [string, Snap<unknown>])[] = [];
    for (const e of this.#dead.visibleLiveOf(this.#kindId, this.#at)) if (!this.#top.has(e[0]) && !this.#base.has(e[0])) out.push(e);
    for (const id of this.#base.keys()) {
      const s = this.#top.get(id) ?? this.#fromBase(id);
      if (s !== undefined && s !== GONE && !this.#deadNow(s)) out.push([id, s]);
    }
    for (const [id, s] of this.#top) if (s !== GONE && !this.#base.has(id) && !this.#deadNow(s)) out.push([id, s]);
    return out;
  }

  /**
   * The dead objects now, from `atRestore` (how many there were at the restored position: the
   * checkpoint's count) and what was stored since: +1 for an object dead now and not then, -1 for
   * one dead then and not now. Only the objects stored since are asked what they were then (the
   * checkpoint's objects are live; the dead layer answers the rest, mostly from the prefetch).
   */
  deadCount(atRestore: number): number {
    let n = atRestore;
    for (const [id, s] of this.#top) {
      const now = this.#deadNow(s);
      const then = !this.#base.has(id) && this.#deadThen(id);
      if (now !== then) n += now ? 1 : -1;
    }
    return n;
  }

  #deadThen(id: string): boolean {
    const s = this.#fromDead(id);
    return s !== undefined && isDeadState(this.#kindId, s.value);
  }

  override *keys(): MapIterator<string> {
    for (const [k] of this.entries()) yield k;
  }

  override *values(): MapIterator<Snap<unknown>> {
    for (const [, v] of this.entries()) yield v;
  }

  override forEach(fn: (value: Snap<unknown>, key: string, map: Map<string, Snap<unknown>>) => void): void {
    for (const [k, v] of this.entries()) fn(v, k, this);
  }

  override get size(): number {
    let n = 0;
    for (const _ of this.entries()) n++;
    return n;
  }
}

/** The world at position `at`: `live` (`kind:id` → snapshot) in front of the dead log's entries visible at `at`. */
export function restoreWorld(profile: Profile, mode: StepMode, live: Iterable<readonly [string, Snap<unknown>]>, dead: DeadLog, at: number): World {
  const byKind = new Map<string, Map<string, Snap<unknown>>>();
  for (const [key, snap] of live) {
    const colon = key.indexOf(':');
    const kindId = key.slice(0, colon);
    let m = byKind.get(kindId);
    if (m === undefined) byKind.set(kindId, (m = new Map()));
    m.set(key.slice(colon + 1), snap);
  }
  // The checkpoint holds live objects only (LiveTracker), so the log's dead entries there are all the dead objects.
  return restoreKinds(profile, mode, byKind, dead, at, undefined, dead.deadCountsAt(at));
}

/**
 * The world at position `at` from a checkpoint's objects by kind (read, never changed: a restore
 * copies nothing but the kinds whose order calls see) in front of the dead log's entries visible at `at`.
 */
export function restoreKinds(profile: Profile, mode: StepMode, kinds: ReadonlyMap<string, KindBase>, dead: DeadLayer, at: number, prefetch?: ReadonlyMap<string, KindPrefetch>, deadCounts?: DeadCounts): World {
  const maps: [string, Map<string, Snap<unknown>>][] = [];
  const layered = new Map<string, LayeredMap>();
  for (const kindId of new Set([...kinds.keys(), ...dead.kinds()])) {
    const base = kinds.get(kindId) ?? EMPTY_BASE;
    if (ORDERED_KINDS.has(kindId)) {
      const own = new Map<string, Snap<unknown>>();
      for (const [id, v] of base) own.set(id, typeof v === 'string' ? (JSON.parse(v) as Snap<unknown>) : v);
      maps.push([kindId, own]);
    } else {
      const m = new LayeredMap(kindId, dead, at, base, undefined, prefetch?.get(kindId));
      layered.set(kindId, m);
      maps.push([kindId, m]);
    }
  }
  const world = World.fromKindMaps(profile, mode, maps);
  if (deadCounts !== undefined) RESTORED.set(world, { layered, deadCounts });
  return world;
}

/**
 * The layered kind maps of a world restored with the dead counts of its position (`restoreKinds`):
 * its live objects and dead counts are read from them without reading a dead snapshot. A copy of
 * such a world (World.clone) is not here, and is read as any world is.
 */
const RESTORED = new WeakMap<World, { readonly layered: ReadonlyMap<string, LayeredMap>; readonly deadCounts: DeadCounts }>();

/** A kind's live objects in a world, as [id, snapshot] (any order): its stored objects not in a dead state. */
export function liveEntriesOf(world: World, kindId: string): Iterable<readonly [string, Snap<unknown>]> {
  const m = RESTORED.get(world)?.layered.get(kindId);
  if (m !== undefined) return m.liveEntries();
  return DEAD_STATES[kindId] === undefined ? world.entriesOf(kindId) : filterLive(world.entriesOf(kindId), kindId);
}

function* filterLive(entries: Iterable<[string, Snap<unknown>]>, kindId: string): IterableIterator<[string, Snap<unknown>]> {
  for (const e of entries) if (!isDeadState(kindId, e[1].value)) yield e;
}

/** A world's dead objects of one kind: counted from the restored position's counts when it has them, else by walking the kind. */
export function deadCountOf(world: World, kindId: string): number {
  if (DEAD_STATES[kindId] === undefined) return 0;
  const r = RESTORED.get(world);
  const m = r?.layered.get(kindId);
  if (r !== undefined && m !== undefined) return m.deadCount(r.deadCounts.get(kindId) ?? 0);
  let n = 0;
  for (const [, s] of world.entriesOf(kindId)) if (isDeadState(kindId, s.value)) n++;
  return n;
}

/**
 * Follows a replay's world record by record (through its change tracking) and keeps what a
 * checkpoint needs: the live objects, the dead log, and which keys changed since the last
 * checkpoint (for deltas). `onClose` hears of each dead entry once its span is known.
 */
export class LiveTracker {
  readonly live = new Map<string, Snap<unknown>>();
  /** key → index of its open log entry (a settled live object, or a dead one the world keeps as a snapshot). */
  readonly #open = new Map<string, number>();
  /**
   * The open entries of dead objects the world keeps as DeadStore records, when the sink takes them
   * compactly (`pushDead`: the index builder): key → entry, span start, record number. Why the
   * number, not the record: the store's decode cache hands back a new record object once its slot
   * was reused, so an identity test split one unchanged dead object into many entries.
   */
  readonly #openDead: OpenDeadTable;
  /** key → the record number of an open entry in #open pushed with a dead record (the in-memory log), compared as above. */
  readonly #openRecord = new Map<string, number>();
  /** Keys whose live state changed since the last `takeDirty`. */
  #dirty = new Set<string>();
  /** Keys changed since the last `takeTouched` (the index builder: which reads a restored world answers from its own changes). */
  #touched = new Set<string>();
  /** Live key → the position from which it has had its current snapshot. */
  readonly #since = new Map<string, number>();
  #lastSettle = 0;

  constructor(readonly world: World, readonly dead: DeadSink, readonly onClose?: (i: number) => void) {
    world.trackChanges();
    this.#openDead = new OpenDeadTable(world);
  }

  /** Dead objects per kind now: the entries of dead objects open in the log (an index's checkpoint header keeps them). */
  readonly #deadCounts = new Map<string, number>();

  /** The dead objects of the world per kind (kinds that never had one absent). */
  get deadCounts(): DeadCounts {
    return this.#deadCounts;
  }

  #count(key: string, by: number): void {
    const kindId = key.slice(0, key.indexOf(':'));
    this.#deadCounts.set(kindId, (this.#deadCounts.get(kindId) ?? 0) + by);
  }

  /** Whether an open entry's snapshot (a settled live object's, or a dead one the world keeps whole) is dead. */
  #isDeadSnap(key: string, snap: Snap<unknown> | string): boolean {
    return isDead(key, typeof snap === 'string' ? (JSON.parse(snap) as Snap<unknown>) : expandStored(key, snap));
  }

  /** After a record: `at` is the number of records stepped so far. */
  update(at: number): void {
    for (const key of this.world.takeChanges().keys()) {
      this.#touched.add(key);
      // The stored form: a dead object is the number of its record (the world stores so only its
      // kind's dead states, the ones isDead reads), and an unchanged one is the same number.
      const stored = this.world.storedRef(key);
      const record = typeof stored === 'number' ? stored : undefined;
      const open = this.#open.get(key);
      if (open !== undefined) {
        const was = this.#openRecord.get(key);
        if (stored !== undefined && (record !== undefined || was !== undefined ? record === was : this.dead.snapOf(open) === stored)) continue;
        if (was !== undefined || this.#isDeadSnap(key, this.dead.snapOf(open))) this.#count(key, -1);
        this.dead.close(open, at);
        this.#open.delete(key);
        this.#openRecord.delete(key);
        this.onClose?.(open);
      } else {
        const s = this.#openDead.find(key);
        if (s >= 0) {
          if (record === this.#openDead.recordAt(s)) continue;
          // The entry takes its snapshot as it closes: the record the object was stored as while it was open.
          const order = this.#openDead.orderAt(s);
          (this.dead.closeDead as NonNullable<DeadSink['closeDead']>)(order, key, this.#openDead.fromAt(s), at, this.world.deadRecord(this.#openDead.recordAt(s)));
          this.#openDead.remove(s);
          this.#count(key, -1);
          this.onClose?.(order);
        }
      }
      if (stored === undefined) {
        this.#since.delete(key);
        if (this.live.delete(key)) this.#dirty.add(key);
      } else if (typeof stored === 'number' || isDead(key, stored)) {
        // Why no decoded record for the compact table: it keeps the number, and the snapshot is read only when the entry closes.
        if (typeof stored === 'number' && this.dead.pushDead !== undefined && latin1(key)) this.#openDead.add(key, this.dead.pushDead(), at, stored);
        else {
          this.#open.set(key, this.dead.push(key, typeof stored === 'number' ? this.world.deadRecord(stored) : stored, at));
          if (typeof stored === 'number') this.#openRecord.set(key, stored);
        }
        this.#count(key, 1);
        this.#since.delete(key);
        if (this.live.delete(key)) this.#dirty.add(key);
      } else if (this.live.get(key) !== stored) {
        this.live.set(key, stored);
        this.#since.set(key, at);
        this.#dirty.add(key);
      }
    }
  }

  /**
   * Moves every live object unchanged since the previous settling into the log (open, from the
   * position it got its snapshot), so the next checkpoints need not hold it. Call at a checkpoint
   * that holds every live object (a full one), not between a checkpoint and its deltas. Returns
   * the keys settled: each one's entry is visible (the same snapshot) back to its `from`, so the
   * checkpoints since the previous settling need not hold it.
   */
  settle(at: number): string[] {
    const settled: string[] = [];
    for (const [key, from] of this.#since) {
      if (from > this.#lastSettle || !isSettled(key.slice(0, key.indexOf(':')))) continue;
      const snap = this.live.get(key) as Snap<unknown>;
      this.#open.set(key, this.dead.push(key, snap, from));
      this.live.delete(key);
      this.#since.delete(key);
      settled.push(key);
    }
    this.#lastSettle = at;
    return settled;
  }

  /** Whether a key changed since the last `takeTouched`. */
  touched(key: string): boolean {
    return this.#touched.has(key);
  }

  /** Starts a new set of changed keys (at a checkpoint). */
  takeTouched(): void {
    this.#touched = new Set();
  }

  /** The snapshot of a key's open log entry (its stored form), or undefined when it has none. */
  openSnap(key: string): Snap<unknown> | string | undefined {
    const i = this.#open.get(key);
    if (i !== undefined) return this.dead.snapOf(i);
    const s = this.#openDead.find(key);
    return s < 0 ? undefined : this.world.deadRecord(this.#openDead.recordAt(s));
  }

  takeDirty(): Set<string> {
    const d = this.#dirty;
    this.#dirty = new Set();
    return d;
  }

  /** Entries still open at the end of the trace that the sink holds (settled live objects, dead ones kept as snapshots). */
  openEntries(): number[] {
    return [...this.#open.values()];
  }

  /**
   * Hands up to `max` of the compactly kept open entries to the sink, still open (`until` OPEN), with
   * the record the world holds for each at the end, telling `each` of each one's place as soon as it
   * is handed over, and returns how many (the index builder's last step, which moves each into the
   * run being gathered at once, so the entries die young and the end of the build never holds a
   * batch of them as objects: it was the build's peak at 10 M records).
   */
  takeOpenDead(max: number, each: (place: number) => void): number {
    return this.#openDead.takeFirst(max, (key, order, from, record) => {
      (this.dead.closeDead as NonNullable<DeadSink['closeDead']>)(order, key, from, OPEN, this.world.deadRecord(record));
      each(order);
    });
  }
}

/**
 * The state view of a world's live objects (the default output of `state`): the whole view
 * (`projectWorld`) without the dead objects it lists, and how many of those it leaves out per kind
 * (`notShown`). A restored world (time travel) gives both without reading a dead snapshot.
 */
export function liveStateView(world: World): StateView {
  const view = projectWorld(world, (kindId) => liveEntriesOf(world, kindId));
  const notShown: Record<string, number> = {};
  for (const kindId of LISTED_DEAD_KINDS) {
    const n = deadCountOf(world, kindId);
    if (n > 0) notShown[kindId] = n;
  }
  return { ...view, notShown };
}

/** The state view `state` prints: the whole view with `dead`, else the live objects' (`liveStateView`). */
export function stateView(world: World, dead: boolean): StateView {
  return dead ? projectWorld(world) : liveStateView(world);
}
