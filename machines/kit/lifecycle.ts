/**
 * A lifecycle: one XState v5 machine per kernel object kind, driven by facts, plus the transition
 * table compiled from that same machine's config for bulk replay. Each kind builds its machine at
 * its own site with `setup({ types, guards }).extend({ actions }).createMachine(config)` (the actions made with that setup's own `assign`), so XState's own types
 * check, with the kind's concrete context and events, every guard name, action name and event type
 * the config names; the actions are `assign` wrappers (`assignsOf`) of the kind's plain update
 * functions. The kit takes the built machine with the same guard and update functions, checks the
 * config is inside the subset below and that the machine runs exactly those functions, and compiles
 * `machine.config` into the table: the rules of how an object evolves are written once, in the
 * machine config, and both executors call the same functions. Transitions only update the object;
 * the calls decide (machines/calls/). Pure: no IO, clock or randomness.
 *
 * The machine subset (checked by `compileTable`, which throws outside it): flat states (no nested,
 * parallel, final or history states, no entry/exit/always/after/invoke), transitions as objects with
 * a named guard (no inline or parameterised guards), named actions (no inline actions) and a target
 * that is a sibling state's name; a context factory of the input alone. XState's types check no
 * targets (a target is any string); XState refuses an unknown one when it builds the machine, and
 * the kit checks again when it compiles the table.
 */
import { transition, type AnyStateMachine } from 'xstate';

/** A persisted object snapshot: plain JSON, ~100 bytes, what the world stores per object. */
export interface Snap<C> {
  readonly value: string;
  readonly context: C;
}

export interface MachineEvent {
  readonly type: string;
}

export type Guard<C, E> = (args: { context: C; event: E }) => boolean;
export type Update<C, E> = (context: C, event: E) => C;

/** One transition candidate of the subset: a target state, the guard that must hold, the updates to apply. */
export interface TransitionConfig {
  readonly target?: string;
  readonly guard?: string;
  readonly actions?: string | readonly string[];
  readonly description?: string;
}
export interface StateConfig {
  readonly on?: { readonly [type: string]: TransitionConfig | readonly TransitionConfig[] | undefined };
  readonly description?: string;
}
/** A machine config inside the subset, as `compileTable` checked it (the very object `machine.config` is). */
export interface LifecycleConfig {
  readonly id: string;
  readonly initial: string;
  readonly states: Readonly<Record<string, StateConfig>>;
}

/** Which update an action of `assignsOf` wraps: the kit checks a machine runs the updates it is given. */
const WRAPS = new WeakMap<object, unknown>();

/**
 * The XState actions of a kind's updates, one `assign` per update calling it, for
 * `setup({ types, guards }).extend({ actions })`. `assign` is that setup's own (`.assign`), so XState
 * types each action with the machine's context, events and actors: no type argument is written here.
 * (`NoInfer`: the context is the one the updates take, not a union of what they return.)
 */
export function assignsOf<C extends object, E extends MachineEvent, U extends string, A extends object>(
  assign: (assigner: (args: { context: C; event: E }) => C) => A,
  updates: { readonly [K in U]: (context: C, event: E) => NoInfer<C> },
): { [K in U]: A } {
  // Why the casts: a record filled key by key (Object.keys gives strings; the loop fills every key of U).
  const out = {} as { [K in U]: A };
  for (const name of Object.keys(updates) as U[]) {
    const update = updates[name];
    const action = assign(({ context, event }) => update(context, event));
    WRAPS.set(action, update);
    out[name] = action;
  }
  return out;
}

/** One compiled candidate transition: the guard to call, updates to apply. */
interface CompiledTransition<C, E> {
  readonly guard: Guard<C, E> | null;
  readonly guardName: string | null;
  readonly target: string | null;
  readonly updates: readonly Update<C, E>[];
}

/** What a kind gives the kit: its built machine and the plain functions its config names. */
export interface LifecycleParts<C, E> {
  readonly machine: AnyStateMachine;
  readonly guards: Readonly<Record<string, Guard<C, E>>>;
  readonly updates: Readonly<Record<string, Update<C, E>>>;
}

export interface Lifecycle<C, E extends MachineEvent, I> {
  readonly id: string;
  readonly machine: AnyStateMachine;
  /** The machine's config (the same object as `machine.config`), typed as the subset it was checked to be. */
  readonly config: LifecycleConfig;
  readonly guards: Readonly<Record<string, Guard<C, E>>>;
  readonly updates: Readonly<Record<string, Update<C, E>>>;
  /** The snapshot of a new object. */
  initial(input: I): Snap<C>;
  /** Fast path: the compiled table, same guards and updates as the machine; the same snapshot when nothing changed. */
  step(snap: Snap<C>, event: E): Snap<C>;
  /** Reference path: XState's pure `transition()` on a snapshot resolved from the stored one. */
  stepWithXState(snap: Snap<C>, event: E): Snap<C>;
  /** Whether the named guard holds for this snapshot and event (tests check the table's choice against the config). */
  holds(guard: string, snap: Snap<C>, event: E): boolean;
  /** Event types the machine handles in some state. */
  readonly eventTypes: readonly string[];
  readonly stateNames: readonly string[];
}

function asArray<T>(x: T | readonly T[]): readonly T[] {
  return Array.isArray(x) ? x : [x as T];
}

/** Same state and an equal context (snapshots are small plain JSON, so this is cheap). */
function unchanged<C>(snap: Snap<C>, value: string, context: C): boolean {
  return value === snap.value && (context === snap.context || shallowEqual(context as object, snap.context as object));
}

/**
 * Contexts are flat records whose arrays are replaced, never mutated, when they change; so equal
 * fields by reference mean equal contexts (XState's assign copies the record, not its arrays).
 */
function shallowEqual(a: object, b: object): boolean {
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  let n = 0;
  for (const k in x) {
    if (x[k] !== y[k]) return false;
    n++;
  }
  for (const _ in y) n--;
  return n === 0;
}

/**
 * Checks a built machine against the kit and compiles its table. Throws (a pasid-ledger bug) on a
 * config outside the subset, or a machine whose guards or actions are not the given functions.
 */
export function defineLifecycle<C extends object, E extends MachineEvent, I>(parts: LifecycleParts<C, E>): Lifecycle<C, E, I> {
  const { machine, guards, updates } = parts;
  const { config, table } = compileTable(parts);
  // Why: XState's config types the factory for any input; the subset's factory reads only the input (no actors to spawn).
  const contextOf: (args: { input: I }) => C = machine.config.context;
  const eventTypes = [...new Set(Object.values(config.states).flatMap((s) => Object.keys(s.on ?? {})))];

  // Why: the hot path of every replay; null-prototype records index faster than nested Maps, and one
  // guard-argument object per kind is reused (guards and context factories are pure and synchronous: none keeps it).
  const fastTable = flatTable(table);
  let guardArgs: { context: C; event: E } | null = null;
  let initArgs: { input: I } | null = null;
  function step(snap: Snap<C>, event: E): Snap<C> {
    const byEvent = fastTable[snap.value];
    const candidates = byEvent === undefined ? undefined : byEvent[event.type];
    if (candidates === undefined) return snap;
    for (let i = 0; i < candidates.length; i++) {
      const t = candidates[i];
      if (t.guard !== null) {
        if (guardArgs === null) guardArgs = { context: snap.context, event };
        else {
          guardArgs.context = snap.context;
          guardArgs.event = event;
        }
        if (!t.guard(guardArgs)) continue;
      }
      let context = snap.context;
      const list = t.updates;
      for (let u = 0; u < list.length; u++) context = list[u](context, event);
      const value = t.target ?? snap.value;
      return unchanged(snap, value, context) ? snap : { value, context };
    }
    return snap;
  }

  function stepWithXState(snap: Snap<C>, event: E): Snap<C> {
    const resolved = machine.resolveState({ value: snap.value, context: snap.context });
    const [next] = transition(machine, resolved, event);
    // Why: XState's assign always builds a new context; both paths keep the snapshot when nothing changed,
    // so the world stores (and journals) exactly the same objects in either mode.
    if (unchanged(snap, next.value as string, next.context as C)) return snap;
    return { value: next.value as string, context: next.context as C };
  }

  return {
    id: config.id,
    machine,
    config,
    guards,
    updates,
    initial(input) {
      if (initArgs === null) initArgs = { input };
      else initArgs.input = input;
      return { value: config.initial, context: contextOf(initArgs) };
    },
    step,
    stepWithXState,
    holds(name, snap, event) {
      const guard = guards[name];
      if (guard === undefined) throw new Error(`${config.id}: no guard '${name}'`);
      return guard({ context: snap.context, event });
    },
    eventTypes,
    stateNames: Object.keys(config.states),
  };
}

/** The compiled table as null-prototype records: `state → event type → candidates`. */
function flatTable<T>(table: ReadonlyMap<string, ReadonlyMap<string, T>>): Readonly<Record<string, Readonly<Record<string, T>> | undefined>> {
  const out: Record<string, Record<string, T>> = Object.create(null);
  for (const [state, byEvent] of table) {
    const row: Record<string, T> = Object.create(null);
    for (const [type, candidates] of byEvent) row[type] = candidates;
    out[state] = row;
  }
  return out;
}

const isRecord = (x: unknown): x is Readonly<Record<string, unknown>> => typeof x === 'object' && x !== null && !Array.isArray(x);

function onlyKeys(where: string, x: Readonly<Record<string, unknown>>, allowed: readonly string[]): void {
  const extra = Object.keys(x).filter((k) => !allowed.includes(k) && x[k] !== undefined);
  if (extra.length > 0) throw new Error(`${where}: ${extra.join(', ')} outside the lifecycle subset (allowed: ${allowed.join(', ')})`);
}

/** Throws unless the config is inside the subset (see the header); then it is a LifecycleConfig. */
function assertSubset(config: unknown): asserts config is LifecycleConfig {
  if (!isRecord(config)) throw new Error('lifecycle: the machine has no config');
  const id = typeof config.id === 'string' ? config.id : '(no id)';
  if (typeof config.id !== 'string') throw new Error(`${id}: the machine needs an id`);
  onlyKeys(id, config, ['id', 'initial', 'context', 'states']);
  if (typeof config.context !== 'function') throw new Error(`${id}: the context must be a factory of the input`);
  const states = config.states;
  if (!isRecord(states)) throw new Error(`${id}: no states`);
  if (typeof config.initial !== 'string' || !(config.initial in states)) throw new Error(`${id}: initial ${String(config.initial)} is not one of its states`);
  for (const [stateName, state] of Object.entries(states)) {
    const where = `${id}.${stateName}`;
    if (!isRecord(state)) throw new Error(`${where}: not a state config`);
    onlyKeys(where, state, ['on', 'description']);
    if (state.on === undefined) continue;
    if (!isRecord(state.on)) throw new Error(`${where}: 'on' is not a record`);
    for (const [eventType, candidates] of Object.entries(state.on)) {
      const at = `${where} on ${eventType}`;
      if (eventType === '*' || eventType.endsWith('.*') || eventType === '') throw new Error(`${at}: wildcard event types are outside the subset`);
      if (candidates === undefined) continue;
      for (const t of asArray(candidates)) {
        if (!isRecord(t)) throw new Error(`${at}: a transition must be an object (no target shorthand)`);
        onlyKeys(at, t, ['target', 'guard', 'actions', 'description']);
        if (t.target !== undefined && (typeof t.target !== 'string' || !(t.target in states))) throw new Error(`${at}: unknown target ${String(t.target)}`);
        if (t.guard !== undefined && typeof t.guard !== 'string') throw new Error(`${at}: the guard must be named (no inline or parameterised guards)`);
        if (t.actions !== undefined && !asArray(t.actions).every((a) => typeof a === 'string')) throw new Error(`${at}: actions must be named updates (no inline actions)`);
      }
    }
  }
}

/**
 * Checks the machine's config against the subset and its implementations against the given guard
 * and update functions, and compiles `machine.config` into `state → event type → candidate
 * transitions` (document order, as XState picks the first whose guard holds).
 */
export function compileTable<C, E extends MachineEvent>(
  parts: LifecycleParts<C, E>,
): { config: LifecycleConfig; table: Map<string, Map<string, readonly CompiledTransition<C, E>[]>> } {
  const config: unknown = parts.machine.config;
  assertSubset(config);
  const { guards, updates } = parts;
  const impl = parts.machine.implementations;
  for (const name of Object.keys(guards)) {
    if (impl.guards[name] !== guards[name]) throw new Error(`${config.id}: the machine's guard '${name}' is not the kind's guard function`);
  }
  for (const name of Object.keys(updates)) {
    const action: unknown = impl.actions[name];
    if (typeof action !== 'function' || WRAPS.get(action) !== updates[name]) throw new Error(`${config.id}: the machine's action '${name}' is not assignsOf(updates).${name}`);
  }
  const table = new Map<string, Map<string, readonly CompiledTransition<C, E>[]>>();
  for (const [stateName, state] of Object.entries(config.states)) {
    const byEvent = new Map<string, readonly CompiledTransition<C, E>[]>();
    for (const [eventType, candidates] of Object.entries(state.on ?? {})) {
      if (candidates === undefined) continue;
      byEvent.set(eventType, asArray(candidates).map((t) => compileTransition(parts, `${config.id}.${stateName} on ${eventType}`, t)));
    }
    table.set(stateName, byEvent);
  }
  return { config, table };
}

function compileTransition<C, E extends MachineEvent>(parts: LifecycleParts<C, E>, where: string, t: TransitionConfig): CompiledTransition<C, E> {
  const guard = t.guard === undefined ? null : parts.guards[t.guard];
  if (guard === undefined) throw new Error(`${where}: guard '${t.guard}' is missing from the guards`);
  const list: Update<C, E>[] = [];
  for (const ref of t.actions === undefined ? [] : asArray(t.actions)) {
    const update = parts.updates[ref];
    if (update === undefined) throw new Error(`${where}: update '${ref}' is missing from the updates`);
    list.push(update);
  }
  return { guard, guardName: t.guard ?? null, target: t.target ?? null, updates: list };
}
