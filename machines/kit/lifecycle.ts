/**
 * A lifecycle: one XState v5 machine per kernel object kind, driven by facts, plus the transition
 * table compiled from that same machine for bulk replay. Both executors call the same guard and
 * update functions, so the rules of how an object evolves live once, in the machine config. The
 * machine is built with `setup()`: its context, events and input are typed, and a transition may only
 * name the kind's own guards and updates (checked at compile time when the kind's type parameters
 * are inferred, and when the table is compiled). Transitions only update the object; the calls
 * decide (machines/calls/). Pure: no IO, clock or randomness.
 *
 * The machine subset we use (checked by `compileTable`): flat states, no final states, named guards,
 * actions that are named context updates.
 */
import { assign, setup, transition, type AnyStateMachine } from 'xstate';

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

/** One transition candidate: a target state, the guard that must hold, the updates to apply. */
export interface TransitionConfig<G extends string = string, U extends string = string> {
  readonly target?: string;
  readonly guard?: G;
  readonly actions?: U | readonly U[];
}
export interface StateConfig<G extends string = string, U extends string = string, T extends string = string> {
  readonly on: { readonly [K in T]?: TransitionConfig<G, U> | readonly TransitionConfig<G, U>[] };
  readonly description?: string;
}

export interface LifecycleSpec<C, E extends MachineEvent, I, G extends string = string, U extends string = string> {
  readonly id: string;
  readonly initial: string;
  readonly context: (input: I) => C;
  readonly states: Readonly<Record<string, StateConfig<NoInfer<G>, NoInfer<U>, E['type']>>>;
  readonly guards: Readonly<Record<G, Guard<C, E>>>;
  readonly updates: Readonly<Record<U, Update<C, E>>>;
}

/** One compiled candidate transition: the guard to call, updates to apply. */
interface CompiledTransition<C, E> {
  readonly guard: Guard<C, E> | null;
  readonly guardName: string | null;
  readonly target: string | null;
  readonly updates: readonly Update<C, E>[];
}

export interface Lifecycle<C, E extends MachineEvent, I> {
  readonly id: string;
  readonly machine: AnyStateMachine;
  readonly spec: LifecycleSpec<C, E, I>;
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
  return Array.isArray(x) ? (x as readonly T[]) : [x as T];
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

/** The XState machine of a spec, built with setup(): typed context, events, input, guards and actions. */
function machineOf<C extends object, E extends MachineEvent, I, G extends string, U extends string>(spec: LifecycleSpec<C, E, I, G, U>) {
  // Why the type arguments: setup()'s actions must name the machine's actors, and these machines spawn none (never).
  const actions = {} as Record<U, ReturnType<typeof assign<C, E, undefined, E, never>>>;
  for (const name of Object.keys(spec.updates) as U[]) {
    const update = spec.updates[name];
    actions[name] = assign<C, E, undefined, E, never>(({ context, event }) => update(context, event));
  }
  return setup({
    // Why `emitted`: these machines emit nothing, but an emitted type of never (the default) makes the
    // typed machine no AnyStateMachine (any is not assignable to never), which the graph tools take.
    types: { context: {} as C, events: {} as E, input: {} as I, emitted: {} as MachineEvent },
    guards: spec.guards as Record<G, Guard<C, E>>,
    actions,
  }).createMachine({
    id: spec.id,
    initial: spec.initial,
    context: ({ input }) => spec.context(input),
    // Why: the states are checked against the spec's own guard and update names (LifecycleSpec), which setup() cannot see through generics.
    states: spec.states as Parameters<ReturnType<typeof setup>['createMachine']>[0]['states'],
  });
}

/** Builds the XState machine and compiles its table. Throws (a pasid-ledger bug) on configs outside the subset. */
export function defineLifecycle<C extends object, E extends MachineEvent, I, G extends string = string, U extends string = string>(
  spec: LifecycleSpec<C, E, I, G, U>,
): Lifecycle<C, E, I> {
  const machine: AnyStateMachine = machineOf(spec);
  const table = compileTable(spec);
  const eventTypes = [...new Set(Object.values<StateConfig>(spec.states).flatMap((s) => Object.keys(s.on)))];

  // Why: the hot path of every replay; null-prototype records index faster than nested Maps, and one
  // guard-argument object per kind is reused (guards are pure and synchronous: none keeps it).
  const fastTable = flatTable(table);
  let guardArgs: { context: C; event: E } | null = null;
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
      const updates = t.updates;
      for (let u = 0; u < updates.length; u++) context = updates[u](context, event);
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
    id: spec.id,
    machine,
    spec,
    initial: (input) => ({ value: spec.initial, context: spec.context(input) }),
    step,
    stepWithXState,
    holds(name, snap, event) {
      const guards: Readonly<Record<string, Guard<C, E>>> = spec.guards;
      const guard = guards[name];
      if (guard === undefined) throw new Error(`${spec.id}: no guard '${name}'`);
      return guard({ context: snap.context, event });
    },
    eventTypes,
    stateNames: Object.keys(spec.states),
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

/** Compiles the machine config into `state → event type → candidate transitions` (document order). */
export function compileTable<C, E extends MachineEvent, I, G extends string, U extends string>(
  spec: LifecycleSpec<C, E, I, G, U>,
): Map<string, Map<string, readonly CompiledTransition<C, E>[]>> {
  const table = new Map<string, Map<string, readonly CompiledTransition<C, E>[]>>();
  for (const [stateName, state] of Object.entries<StateConfig>(spec.states)) {
    const byEvent = new Map<string, readonly CompiledTransition<C, E>[]>();
    for (const [eventType, config] of Object.entries(state.on)) {
      if (config === undefined) continue;
      byEvent.set(eventType, asArray(config).map((t) => compileTransition(spec, stateName, eventType, t)));
    }
    table.set(stateName, byEvent);
  }
  return table;
}

function compileTransition<C, E extends MachineEvent, I, G extends string, U extends string>(
  spec: LifecycleSpec<C, E, I, G, U>,
  stateName: string,
  eventType: string,
  t: TransitionConfig,
): CompiledTransition<C, E> {
  const where = `${spec.id}.${stateName} on ${eventType}`;
  const guards: Readonly<Record<string, Guard<C, E>>> = spec.guards;
  const updates: Readonly<Record<string, Update<C, E>>> = spec.updates;
  if (t.target !== undefined && !(t.target in spec.states)) throw new Error(`${where}: unknown target ${t.target}`);
  const guard = t.guard === undefined ? null : guards[t.guard];
  if (guard === undefined) throw new Error(`${where}: guard '${t.guard}' is missing from the guards`);
  const list: Update<C, E>[] = [];
  for (const ref of t.actions === undefined ? [] : asArray(t.actions)) {
    const update = updates[ref];
    if (update === undefined) throw new Error(`${where}: update '${ref}' is missing from the updates`);
    list.push(update);
  }
  return { guard, guardName: t.guard ?? null, target: t.target ?? null, updates: list };
}
