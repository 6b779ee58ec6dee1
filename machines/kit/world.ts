/**
 * The model's state: one snapshot per kernel object, keyed by kind and name, stepped through the
 * object's lifecycle. A call model steps several objects for one kernel call and collects what they
 * decided into a Decision. Deterministic; the only mutation is of this world's own map.
 */
import type { FactBody } from '../../events/facts.js';
import type { CallName, Ret } from '../../events/records.js';
import type { FindingCode } from '../findings.js';
import type { Profile } from '../profile.js';
import type { Snap, StepResult } from './lifecycle.js';
import type { FactObject, ModelEvent, ObjectKind } from './object.js';
import { FACT_DRIVEN } from '../objects.js';
import { objectsOf } from './checks.js';
import type { Outcome } from './outcome.js';

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
type Route = { readonly kind: FactObject<unknown, unknown>; readonly address: (fact: FactBody, w: World) => readonly { id: string; input: unknown }[] };
const ROUTES: ReadonlyMap<string, readonly Route[]> = (() => {
  const m = new Map<string, Route[]>();
  for (const kind of FACT_DRIVEN as unknown as readonly FactObject<unknown, unknown>[]) {
    for (const [type, address] of Object.entries(kind.factSpec.address)) {
      const list = m.get(type) ?? [];
      list.push({ kind, address: address as Route['address'] });
      m.set(type, list);
    }
  }
  return m;
})();

export class World {
  /** The snapshots by kind, then id: lookups without building `kind:id` keys, and entriesOf without a scan. */
  readonly #byKind = new Map<string, Map<string, Snap<unknown>>>();
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
      this.#kindMap(key.slice(0, colon)).set(key.slice(colon + 1), snap);
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
    for (const kindId of [...this.#byKind.keys()].sort()) for (const [id, snap] of this.#byKind.get(kindId)!) out.set(`${kindId}:${id}`, snap);
    return out;
  }

  /** The stored snapshot under a `kind:id` key (as `objects` names them), or undefined. */
  byKey(key: string): Snap<unknown> | undefined {
    const colon = key.indexOf(':');
    return this.#byKind.get(key.slice(0, colon))?.get(key.slice(colon + 1));
  }

  /** How many objects are stored. */
  get size(): number {
    let n = 0;
    for (const byId of this.#byKind.values()) n += byId.size;
    return n;
  }

  #kindMap(kindId: string): Map<string, Snap<unknown>> {
    let m = this.#byKind.get(kindId);
    if (m === undefined) this.#byKind.set(kindId, (m = new Map()));
    return m;
  }

  /** Stores (or, for the kind's absent state, drops) an object, journaling what it was. */
  #set(kindId: string, id: string, before: Snap<unknown> | undefined, snap: Snap<unknown> | undefined): void {
    const byId = this.#kindMap(kindId);
    if (this.#journaling) this.#journal.push(byId, id, before);
    if (this.#changes !== null) {
      const key = `${kindId}:${id}`;
      if (!this.#changes.has(key)) this.#changes.set(key, before);
    }
    if (snap === undefined) byId.delete(id);
    else byId.set(id, snap);
  }

  /** A copy sharing the (immutable) snapshots: O(objects), for checkpoints and what-if branches; a tracking world's copy tracks too. */
  clone(mode: StepMode = this.mode): World {
    const w = new World(this.profile, mode, this.objects, new Map(this.lowestFreeHint), new Map([...this.freedBelowHint].map(([k, h]) => [k, [...h]])));
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
    this.#journal.length = 0;
    this.#journaling = true;
  }

  commit(): void {
    this.#journal.length = 0;
    this.#journaling = false;
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
    return this.#kindMap(kindId).entries() as IterableIterator<[string, Snap<C>]>;
  }

  /** The stored snapshot, or the kind's initial one (not stored) when the object is unknown. */
  peek<C, E extends ModelEvent, I>(kind: ObjectKind<C, E, I>, id: string, input: I): Snap<C> {
    const stored = this.#byKind.get(kind.id)?.get(id) as Snap<C> | undefined;
    return stored ?? kind.initial(input);
  }

  has(kindId: string, id: string): boolean {
    return this.#byKind.get(kindId)?.has(id) ?? false;
  }

  /**
   * A fact happened: every fact-driven object it is about evolves (the world is the fold of the
   * facts). Changes are journaled like steps, so a call the kernel refused is undone whole.
   */
  apply(fact: FactBody): void {
    const routes = ROUTES.get(fact.type);
    if (routes === undefined) return;
    for (const { kind, address } of routes) {
      for (const { id, input } of address(fact, this)) {
        const stored = this.#byKind.get(kind.id)?.get(id);
        const before = stored ?? kind.initial(input);
        const result = this.mode === 'fast' ? kind.step(before, fact) : kind.stepWithXState(before, fact);
        if (result.snap === before) continue;
        this.#set(kind.id, id, stored, result.snap.value === kind.factSpec.absent ? undefined : result.snap);
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
    const stored = this.#byKind.get(kind.id)?.get(id) as Snap<C> | undefined;
    return stored ?? kind.initial(input);
  }

  /**
   * Steps one object and records its outcomes (facts, findings) into `d`.
   * Returns the outcomes so the call model can read the decided return.
   */
  step<C, E extends ModelEvent, I>(kind: ObjectKind<C, E, I>, id: string, input: I, event: E, d: Decision): StepResult<C> {
    const stored = this.#byKind.get(kind.id)?.get(id) as Snap<C> | undefined;
    const before = stored ?? kind.initial(input);
    const result = this.mode === 'fast' ? kind.step(before, event) : kind.stepWithXState(before, event);
    if (result.outcomes.length === 0) {
      // Why: machines are complete (a test checks it); an unhandled event is a pasid-ledger bug.
      throw new Error(`model gap: ${kind.id} in state ${before.value} does not handle ${event.type}`);
    }
    if (result.snap !== before) this.#set(kind.id, id, stored, result.snap.value === kind.kind.absent ? undefined : (result.snap as Snap<unknown>));
    this.record(kind, event, before.context, result.snap.context, result.outcomes, d);
    return result;
  }

  private record<C, E extends ModelEvent, I>(
    kind: ObjectKind<C, E, I>,
    event: E,
    before: C,
    after: C,
    outcomes: readonly Outcome[],
    d: Decision,
  ): void {
    for (const o of outcomes) {
      if (o.fact !== undefined) {
        const build = kind.kind.facts[o.fact];
        if (build === undefined) throw new Error(`model gap: ${kind.id} names fact ${o.fact} but cannot build it`);
        this.emit(d, build(event, before, after));
      }
      if (o.finding !== undefined) {
        const detail = kind.kind.details?.[o.finding]?.(event, before) ?? '';
        d.findings.push({ code: o.finding, rule: o.rule, detail, objects: objectsOf(event) });
      }
    }
  }
}

/** The first return an outcome list decides, with its rule. */
export function decidedRet(outcomes: readonly Outcome[]): { ret: Ret | undefined; rule: string } {
  for (const o of outcomes) if (o.ret !== undefined) return { ret: o.ret, rule: o.rule };
  return { ret: undefined, rule: outcomes[0]?.rule ?? '' };
}
