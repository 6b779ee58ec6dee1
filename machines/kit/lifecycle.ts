/**
 * A lifecycle: one XState v5 machine per kernel object kind, plus the transition table compiled
 * from that same machine for bulk replay. Both executors call the same guard and update functions,
 * so the rules live once, in the machine config. Pure: no IO, clock or randomness.
 *
 * The machine subset we use (checked by `compileTable`): flat states, no final states, named guards,
 * actions that are either named context updates or `decide(...)` outcomes with static params.
 */
import { assign, setup, transition, type AnyStateMachine } from 'xstate';
import type { Outcome } from './outcome.js';

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

type ActionRef = string | { type: string; params?: unknown };
export interface TransitionConfig {
  readonly target?: string;
  readonly guard?: string;
  /** Required on deciding machines (a decide outcome); an evolve transition may only change state. */
  readonly actions?: ActionRef | readonly ActionRef[];
}
export interface StateConfig {
  readonly on: Readonly<Record<string, TransitionConfig | readonly TransitionConfig[]>>;
  readonly description?: string;
}

export interface LifecycleSpec<C, E extends MachineEvent, I> {
  readonly id: string;
  readonly initial: string;
  readonly context: (input: I) => C;
  readonly states: Readonly<Record<string, StateConfig>>;
  readonly guards: Readonly<Record<string, Guard<C, E>>>;
  readonly updates: Readonly<Record<string, Update<C, E>>>;
  /**
   * An evolve machine (driven by facts): its transitions only update the object, they decide nothing,
   * and a fact it has no transition for leaves the object as it is.
   */
  readonly evolve?: boolean;
}

/** One compiled candidate transition: the guard to call, updates to apply, outcomes to report. */
interface CompiledTransition<C, E> {
  readonly guard: Guard<C, E> | null;
  readonly guardName: string | null;
  readonly target: string | null;
  readonly updates: readonly Update<C, E>[];
  readonly outcomes: readonly Outcome[];
}

export interface StepResult<C> {
  readonly snap: Snap<C>;
  /** What the taken transition decided; empty when the event is not handled in this state. */
  readonly outcomes: readonly Outcome[];
}

export interface Lifecycle<C, E extends MachineEvent, I> {
  readonly id: string;
  readonly machine: AnyStateMachine;
  readonly spec: LifecycleSpec<C, E, I>;
  /** The snapshot of a new object. */
  initial(input: I): Snap<C>;
  /** Fast path: the compiled table, same guards and updates as the machine. */
  step(snap: Snap<C>, event: E): StepResult<C>;
  /** Reference path: XState's pure `transition()` on a snapshot resolved from the stored one. */
  stepWithXState(snap: Snap<C>, event: E): StepResult<C>;
  /** Event types the machine handles in some state. */
  readonly eventTypes: readonly string[];
  readonly stateNames: readonly string[];
}

const DECIDE = 'decide';
const NO_OUTCOMES: readonly Outcome[] = Object.freeze([]);

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

/** Builds the XState machine and compiles its table. Throws (a pasid-ledger bug) on configs outside the subset. */
export function defineLifecycle<C, E extends MachineEvent, I>(spec: LifecycleSpec<C, E, I>): Lifecycle<C, E, I> {
  const actions: Record<string, unknown> = { [DECIDE]: () => undefined };
  for (const [name, update] of Object.entries(spec.updates)) {
    actions[name] = assign(({ context, event }: { context: C; event: E }) => update(context, event) as never);
  }
  const machine = setup({
    types: {} as never,
    guards: spec.guards as never,
    actions: actions as never,
  }).createMachine({
    id: spec.id,
    initial: spec.initial,
    context: ({ input }: { input: I }) => spec.context(input),
    states: spec.states as never,
  } as never) as unknown as AnyStateMachine;

  const table = compileTable(spec);
  const eventTypes = [...new Set(Object.values(spec.states).flatMap((s) => Object.keys(s.on)))];

  function step(snap: Snap<C>, event: E): StepResult<C> {
    const candidates = table.get(snap.value)?.get(event.type);
    if (candidates === undefined) return { snap, outcomes: NO_OUTCOMES };
    const args = { context: snap.context, event };
    for (const t of candidates) {
      if (t.guard !== null && !t.guard(args)) continue;
      let context = snap.context;
      for (const update of t.updates) context = update(context, event);
      const value = t.target ?? snap.value;
      const next = unchanged(snap, value, context) ? snap : { value, context };
      return { snap: next, outcomes: t.outcomes };
    }
    return { snap, outcomes: NO_OUTCOMES };
  }

  function stepWithXState(snap: Snap<C>, event: E): StepResult<C> {
    const resolved = machine.resolveState({ value: snap.value, context: snap.context as never });
    const [next, executed] = transition(machine, resolved, event as never);
    const outcomes = (executed as readonly { type: string; params?: unknown }[]).filter((a) => a.type === DECIDE).map((a) => a.params as Outcome);
    if (outcomes.length === 0 && !spec.evolve) return { snap, outcomes: NO_OUTCOMES };
    // Why: XState's assign always builds a new context; both paths keep the snapshot when nothing changed,
    // so World.step stores (and journals) exactly the same objects in either mode.
    if (unchanged(snap, next.value as string, next.context as C)) return { snap, outcomes };
    return { snap: { value: next.value as string, context: next.context as C }, outcomes };
  }

  return {
    id: spec.id,
    machine,
    spec,
    initial: (input) => ({ value: spec.initial, context: spec.context(input) }),
    step,
    stepWithXState,
    eventTypes,
    stateNames: Object.keys(spec.states),
  };
}

/** Compiles the machine config into `state → event type → candidate transitions` (document order). */
export function compileTable<C, E extends MachineEvent, I>(
  spec: LifecycleSpec<C, E, I>,
): Map<string, Map<string, readonly CompiledTransition<C, E>[]>> {
  const table = new Map<string, Map<string, readonly CompiledTransition<C, E>[]>>();
  for (const [stateName, state] of Object.entries(spec.states)) {
    const byEvent = new Map<string, readonly CompiledTransition<C, E>[]>();
    for (const [eventType, config] of Object.entries(state.on)) {
      byEvent.set(
        eventType,
        asArray(config).map((t) => compileTransition(spec, stateName, eventType, t)),
      );
    }
    table.set(stateName, byEvent);
  }
  return table;
}

function compileTransition<C, E extends MachineEvent, I>(
  spec: LifecycleSpec<C, E, I>,
  stateName: string,
  eventType: string,
  t: TransitionConfig,
): CompiledTransition<C, E> {
  const where = `${spec.id}.${stateName} on ${eventType}`;
  if (t.target !== undefined && !(t.target in spec.states)) throw new Error(`${where}: unknown target ${t.target}`);
  const guard = t.guard === undefined ? null : spec.guards[t.guard];
  if (guard === undefined) throw new Error(`${where}: guard '${t.guard}' is missing from the guards`);
  const updates: Update<C, E>[] = [];
  const outcomes: Outcome[] = [];
  for (const ref of t.actions === undefined ? [] : asArray(t.actions)) {
    if (typeof ref === 'string') {
      const update = spec.updates[ref];
      if (update === undefined) throw new Error(`${where}: update '${ref}' is missing from the updates`);
      updates.push(update);
    } else if (ref.type === DECIDE) {
      outcomes.push(ref.params as Outcome);
    } else {
      throw new Error(`${where}: action ${ref.type} is outside the compiled subset`);
    }
  }
  // Why: an empty outcome list means "not handled"; every deciding transition must say what it decided.
  if (outcomes.length === 0 && !spec.evolve) throw new Error(`${where}: transition has no decide(...) outcome`);
  return { guard, guardName: t.guard ?? null, target: t.target ?? null, updates, outcomes };
}
