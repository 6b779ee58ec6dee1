/**
 * The model's state: one snapshot per kernel object, keyed by kind and name, the fold of the facts
 * through the objects' lifecycles. A call model reads the world, decides (its check tables) and emits
 * the facts that follow, which the world folds (`emit`); what it decided goes into a Decision.
 * Deterministic; the only mutation is of this world's own map, and only by facts.
 */
import type { FactBody } from '../../events/facts.js';
import type { CallName, Ret } from '../../events/records.js';
import type { FindingCode } from '../findings.js';
import type { Profile } from '../profile.js';
import type { Snap } from './lifecycle.js';
import type { FactKind, FactObject } from './object.js';
import { FACT_DRIVEN } from '../objects.js';
import { DeadKindMap, DeadStore, type DeadRecord } from './deadStore.js';

/** Which executor steps the machines: the compiled table, or XState's pure `transition()`. */
export type StepMode = 'fast' | 'xstate';

/** A finding as a machine raised it, before the audit adds seq, line and wording. */
export interface RawFinding {
  readonly code: FindingCode;
  readonly rule: string;
  readonly detail: string;
  readonly objects: Readonly<Record<string, string | number | boolean | null>>;
}

/** A call the enclosing call makes under the model: nested records are checked against these. */
export interface ExpectedChild {
  readonly fn: CallName;
  readonly args: Readonly<Record<string, unknown>>;
  readonly ret?: Ret;
}

/** What the model decided for one call record. */
export interface Decision {
  /** The return the kernel gives under the model; undefined when the model cannot know it. */
  ret: Ret | undefined;
  /** The rule that decided the return, quoted when the recorded return disagrees. */
  rule: string;
  readonly facts: FactBody[];
  readonly findings: RawFinding[];
  readonly children: ExpectedChild[];
}

export function newDecision(): Decision {
  return { ret: undefined, rule: '', facts: [], findings: [], children: [] };
}

/** For each fact type, the fact-driven kinds that follow it (derived from their `address` tables). */
/** Per kind with dead states the world keeps as shared records (its `dead` declaration, machines/kit/object.ts, without `idsReturn`): those states and its id field. */
interface DeadKind {
  readonly states: ReadonlySet<string>;
  readonly self: string;
}
const DEAD_BY_KIND: ReadonlyMap<string, DeadKind> = new Map(
  FACT_DRIVEN.flatMap((k) => (k.factSpec.dead === undefined || k.factSpec.dead.idsReturn === true ? [] : [[k.id, { states: new Set(k.factSpec.dead.states), self: k.factSpec.dead.self }] as const])),
);
/** Whether the world keeps a kind's dead objects as shared records (machines/kit/deadStore.ts), not as snapshots. */
export const storesDeadCompactly = (kindId: string): boolean => DEAD_BY_KIND.has(kindId);

/**
 * For each fact type, the fact-driven kinds that follow it (derived from their `address` tables), with
 * the kind's dead states (undefined: none), so a store needs no lookup by kind name.
 */
type Route = { readonly kind: FactKind; readonly address: (fact: FactBody, w: World) => readonly { id: string; input: unknown }[]; readonly dead: DeadKind | undefined };
const ROUTES: ReadonlyMap<string, readonly Route[]> = (() => {
  const m = new Map<string, Route[]>();
  for (const kind of FACT_DRIVEN) {
    for (const [type, address] of Object.entries(kind.factSpec.address)) {
      const list = m.get(type) ?? [];
      list.push({ kind, address: address as Route['address'], dead: DEAD_BY_KIND.get(kind.id) });
      m.set(type, list);
    }
  }
  return m;
})();

/**
 * What a kind's map holds per object: its snapshot, or for a dead one the number of its record in the
 * world's DeadStore (machines/kit/deadStore.ts; a small integer, no object of its own). Typed as the
 * snapshot it stands for: every read goes through World.#expand.
 */
type Stored = Snap<unknown> | number;

export class World {
  /**
   * The snapshots by kind, then id: lookups without building `kind:id` keys, and entriesOf without a
   * scan. A dead object's value is the number of its record in #dead (see `Stored`).
   */
  readonly #byKind = new Map<string, Map<string, Snap<unknown>>>();
  /** Made at the first dead object (a world built for a view of a few objects needs none); shared by clones. */
  #dead: DeadStore | null = null;
  /**
   * Derived caches, never part of the state: a lower bound of the lowest free ID per ID space
   * (every ID below it is allocated). Missing after a restore means 0, which is always true.
   */
  readonly lowestFreeHint: Map<string, number>;
  /** Derived cache of machines/ids.ts: per hint key, a min-heap of IDs freed below the hint. */
  readonly freedBelowHint: Map<string, number[]>;
  /**
   * Undo journal of the open transaction: (kind's map, id, snapshot before) triples, restored in
   * reverse order, so the first snapshot of an object wins without a key per entry.
   */
  readonly #journal: unknown[] = [];
  #journaling = false;
  /** When tracking (views): `kind:id` → the snapshot before its first change since the last take. */
  #changes: Map<string, Snap<unknown> | undefined> | null = null;

  constructor(
    readonly profile: Profile,
    readonly mode: StepMode = 'fast',
    objects?: Map<string, Snap<unknown>>,
    hints?: Map<string, number>,
    freed?: Map<string, number[]>,
  ) {
    this.lowestFreeHint = hints ?? new Map();
    // Why: hints without their freed-ID heaps would claim freed IDs are taken.
    this.freedBelowHint = hints === undefined ? new Map() : freed ?? new Map();
    if (hints !== undefined && freed === undefined) this.lowestFreeHint.clear();
    for (const [key, snap] of objects ?? []) {
      const colon = key.indexOf(':');
      const kindId = key.slice(0, colon);
      const id = key.slice(colon + 1);
      this.#kindMap(kindId).set(id, this.#compact(kindId, id, snap));
    }
  }

  /**
   * A world over per-kind maps the caller built (time travel: a restored checkpoint whose dead
   * objects are a read-only layer behind each map). The maps are used as they are, not copied.
   */
  static fromKindMaps(profile: Profile, mode: StepMode, maps: Iterable<readonly [string, Map<string, Snap<unknown>>]>): World {
    const w = new World(profile, mode);
    for (const [kindId, byId] of maps) w.#byKind.set(kindId, byId);
    return w;
  }

  /**
   * Every stored object as `kind:id` → snapshot, built on demand (checkpoints, tests): kinds in name
   * order (so two worlds with the same objects list them alike), each kind's objects in the order
   * they were first stored.
   */
  get objects(): Map<string, Snap<unknown>> {
    const out = new Map<string, Snap<unknown>>();
    for (const kindId of [...this.#byKind.keys()].sort()) for (const [id, snap] of this.#byKind.get(kindId)!) out.set(`${kindId}:${id}`, this.#expand(id, snap));
    return out;
  }

  /** The stored snapshot under a `kind:id` key (as `objects` names them), or undefined. */
  byKey(key: string): Snap<unknown> | undefined {
    const colon = key.indexOf(':');
    const id = key.slice(colon + 1);
    const stored = this.#byKind.get(key.slice(0, colon))?.get(id);
    return stored === undefined ? undefined : this.#expand(id, stored);
  }

  /**
   * What the world holds under a `kind:id` key, as stored: a dead object's shared record (whose
   * context has a placeholder for its id), else the snapshot. For memory accounting and for a layer
   * that keeps dead objects itself (time travel's dead log could hold these instead of copies); a
   * world given such a record in a kind map (`fromKindMaps`) reads it as the snapshot it stands for.
   */
  storedByKey(key: string): { readonly value: string; readonly context: unknown } | undefined {
    const stored = this.storedRef(key);
    return typeof stored === 'number' ? this.#record(stored) : stored;
  }

  /**
   * The same, with a dead object as the number of its DeadStore record (`deadRecord` reads it). Equal
   * numbers are equal snapshots of one key (equal texts are stored once); the record read back is a
   * fresh object once its cache slot was reused, so time travel's log compares these numbers, not records.
   */
  storedRef(key: string): Snap<unknown> | number | undefined {
    const colon = key.indexOf(':');
    return this.#byKind.get(key.slice(0, colon))?.get(key.slice(colon + 1)) as Stored | undefined;
  }

  /** The record a `storedRef` number stands for (time travel's builder: an open log entry's snapshot, which the world keeps). */
  deadRecord(n: number): DeadRecord {
    return this.#record(n);
  }

  /** The frozen record a dead object's number stands for (equal numbers give one record while it is cached). */
  #record(n: number): DeadRecord {
    return (this.#dead as DeadStore).record(n);
  }

  /** The snapshot a stored value stands for (a dead object's record expanded with its id). */
  #expand(id: string, stored: Stored): Snap<unknown> {
    return typeof stored === 'number' ? (this.#dead as DeadStore).expand(id, stored) : stored;
  }

  *#expandedEntries(byId: Map<string, Snap<unknown>>): IterableIterator<[string, Snap<unknown>]> {
    for (const [id, stored] of byId) yield [id, this.#expand(id, stored)];
  }

  /** A dead snapshot's compact stored form (its record's number, shared with every equal one), or the snapshot itself. */
  #compact(kindId: string, id: string, snap: Snap<unknown>, dead: DeadKind | undefined = DEAD_BY_KIND.get(kindId)): Snap<unknown> {
    if (dead === undefined || !dead.states.has(snap.value)) return snap;
    this.#dead ??= new DeadStore();
    const n = this.#dead.put(snap.value, dead.self, id, snap);
    return n < 0 ? snap : (n as unknown as Snap<unknown>);
  }

  /** How many objects are stored. */
  get size(): number {
    let n = 0;
    for (const byId of this.#byKind.values()) n += byId.size;
    return n;
  }

  #kindMap(kindId: string): Map<string, Snap<unknown>> {
    let m = this.#byKind.get(kindId);
    // Why its own map for kinds with dead states: their dead objects are kept outside the JS heap (deadStore.ts).
    if (m === undefined) this.#byKind.set(kindId, (m = DEAD_BY_KIND.has(kindId) ? new DeadKindMap() : new Map()));
    return m;
  }

  /**
   * Stores (or, for the kind's absent state, drops) an object, journaling what was stored (`stored`)
   * and, for the views, the snapshot it was (`before`).
   */
  #store(byId: Map<string, Snap<unknown>>, kindId: string, id: string, stored: Snap<unknown> | undefined, before: Snap<unknown> | undefined, snap: Snap<unknown> | undefined, dead: DeadKind | undefined): void {
    if (this.#journaling) this.#journal.push(byId, id, stored);
    if (this.#changes !== null) {
      const key = `${kindId}:${id}`;
      if (!this.#changes.has(key)) this.#changes.set(key, before);
    }
    if (snap === undefined) byId.delete(id);
    else byId.set(id, this.#compact(kindId, id, snap, dead));
  }

  /**
   * A copy sharing the (immutable) snapshots and the dead store: O(objects), for
   * checkpoints and what-if branches; a tracking world's copy tracks too.
   */
  clone(mode: StepMode = this.mode): World {
    const w = new World(this.profile, mode, undefined, new Map(this.lowestFreeHint), new Map([...this.freedBelowHint].map(([k, h]) => [k, [...h]])));
    w.#dead = this.#dead;
    // Why sorted: the same kind order as a world built from `objects` (the copy's `size` and `objects` do not depend on it, but keep it so).
    // Why fork: a restored world's kind maps are layers over a checkpoint and a dead log (time travel), copied without walking them.
    for (const kindId of [...this.#byKind.keys()].sort()) {
      const m = this.#byKind.get(kindId) as Map<string, Snap<unknown>> & { fork?: () => Map<string, Snap<unknown>> };
      w.#byKind.set(kindId, m instanceof DeadKindMap ? m.copy() : m.fork?.() ?? new Map(m));
    }
    if (this.#changes !== null) w.trackChanges();
    return w;
  }

  /** Starts remembering which objects change (the views' per-record diffs); costs a key per change. */
  trackChanges(): void {
    this.#changes = new Map();
  }

  /** The objects changed since the last take (`kind:id` → snapshot before, undefined = was absent); starts a new log. */
  takeChanges(): Map<string, Snap<unknown> | undefined> {
    const out = this.#changes ?? new Map();
    if (this.#changes !== null) this.#changes = new Map();
    return out;
  }

  /** Starts recording what the next steps change, so a call the kernel refused can be undone. */
  begin(): void {
    this.#clearJournal();
    this.#journaling = true;
  }

  commit(): void {
    this.#clearJournal();
    this.#journaling = false;
  }

  /** Empties the journal by popping: setting an array's length is a runtime call, twice a step (1 % of the audit's profile). */
  #clearJournal(): void {
    const j = this.#journal;
    while (j.length > 0) j.pop();
  }

  /** Restores every object the open transaction changed. */
  rollback(): void {
    const j = this.#journal;
    this.#journaling = false;
    for (let i = j.length - 3; i >= 0; i -= 3) {
      const byId = j[i] as Map<string, Snap<unknown>>;
      const snap = j[i + 2] as Snap<unknown> | undefined;
      if (snap === undefined) byId.delete(j[i + 1] as string);
      else byId.set(j[i + 1] as string, snap);
    }
    j.length = 0;
    // Why: a rolled-back allocation may have moved a hint past a now-free ID.
    this.lowestFreeHint.clear();
    this.freedBelowHint.clear();
  }

  /** Stored objects of one kind as [id, snapshot], in the order they were first stored (deterministic). */
  entriesOf<C>(kindId: string): IterableIterator<[string, Snap<C>]> {
    const byId = this.#kindMap(kindId);
    // Why only these kinds expand: the walks calls make (a group's devices) stay a plain map iteration.
    return (DEAD_BY_KIND.has(kindId) ? this.#expandedEntries(byId) : byId.entries()) as IterableIterator<[string, Snap<C>]>;
  }

  /**
   * Stored snapshots of one kind, in the order of entriesOf, without an [id, snapshot] pair per object
   * (hot walks). Only for kinds without dead states: a compact dead record needs its id to expand.
   */
  valuesOf<C>(kindId: string): IterableIterator<Snap<C>> {
    if (DEAD_BY_KIND.has(kindId)) throw new Error(`valuesOf(${kindId}): this kind stores compact dead records, which expand only with their id; use entriesOf`);
    return this.#kindMap(kindId).values() as IterableIterator<Snap<C>>;
  }

  has(kindId: string, id: string): boolean {
    return this.#byKind.get(kindId)?.has(id) ?? false;
  }

  /** An object's ordinal in a kind whose dead objects are kept compactly (`DeadKindMap.ordinalOf`), or -1. */
  ordinalOf(kindId: string, id: string): number {
    const m = this.#byKind.get(kindId);
    return m instanceof DeadKindMap ? m.ordinalOf(id) : -1;
  }

  /** The ids of a compact kind's dead objects (held off the heap) with the wanted ordinals (`DeadKindMap.deadIdsOf`). */
  deadIdsOf(kindId: string, wanted: ReadonlySet<number>): Map<number, string> {
    const m = this.#byKind.get(kindId);
    return m instanceof DeadKindMap ? m.deadIdsOf(wanted) : new Map();
  }

  /**
   * A fact happened: every fact-driven object it is about evolves (the world is the fold of the
   * facts). Changes are journaled like steps, so a call the kernel refused is undone whole.
   */
  apply(fact: FactBody): void {
    const routes = ROUTES.get(fact.type);
    if (routes === undefined) return;
    const fast = this.mode === 'fast';
    for (let r = 0; r < routes.length; r++) {
      const { kind, address, dead } = routes[r];
      const targets = address(fact, this);
      if (targets.length === 0) continue;
      const byId = this.#kindMap(kind.id);
      for (let t = 0; t < targets.length; t++) {
        const { id, input } = targets[t];
        const stored = byId.get(id);
        const before = stored === undefined ? kind.initial(input) : this.#expand(id, stored);
        const after = fast ? kind.step(before, fact) : kind.stepWithXState(before, fact);
        if (after === before) continue;
        this.#store(byId, kind.id, id, stored, stored === undefined ? undefined : before, after.value === kind.factSpec.absent ? undefined : after, dead);
      }
    }
  }

  /** A call states a fact: it joins the decision's facts and the world evolves by it. */
  emit(d: Decision, fact: FactBody): void {
    d.facts.push(fact);
    this.apply(fact);
  }

  /** The stored snapshot of a fact-driven object, or its initial one when unknown. */
  get<C, I>(kind: FactObject<C, I>, id: string, input: I): Snap<C> {
    const stored = this.#byKind.get(kind.id)?.get(id);
    return stored === undefined ? kind.initial(input) : (this.#expand(id, stored) as Snap<C>);
  }
}
