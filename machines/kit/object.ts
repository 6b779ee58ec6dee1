/**
 * Object kinds: a kernel object is a lifecycle driven by facts (the evolve half). The world is the
 * fold of the facts through these machines; the calls decide (machines/calls/) and state what
 * happened as facts. `absent` names the state that is not stored (absent ≡ that state), so freed IDs
 * and empty slots cost nothing. Pure.
 *
 * A kind is written as (machines/sva/svaBond.machine.ts is a small one):
 *   const guards = { … } satisfies FactGuards<Ctx>;      // plain functions, the fast path calls them
 *   const updates = { … } satisfies FactUpdates<Ctx>;
 *   const kind = setup({ types: factTypes<Ctx, Input>(), guards });
 *   const machine = kind.extend({ actions: assignsOf(kind.assign, updates) })
 *     .createMachine({ id, initial, context: ({ input }) => …, states: { … } });   // the rules, once
 *   export const kind = defineObject({ machine, guards, updates, absent, dead, address: { … } });
 */
import type { FactBody, FactType } from '../../events/facts.js';
import type { Profile } from '../profile.js';
import type { AnyStateMachine, ContextFrom, InputFrom, StateValueFrom } from 'xstate';
import { assignsOf as assignsOfEvents, defineLifecycle, type Guard, type Lifecycle, type LifecycleConfig, type MachineEvent, type Snap, type Update } from './lifecycle.js';

/** A fact as an evolve machine receives it: the event type is the fact type. */
export type FactEvent = FactBody;

/** A kind's guards and updates: what `satisfies` gives their parameters' types. */
export type FactGuards<C> = Readonly<Record<string, Guard<C, FactEvent>>>;
export type FactUpdates<C> = Readonly<Record<string, Update<C, FactEvent>>>;

/**
 * The `types` of a kind's `setup()`: its context and input, the facts as events. (Why `emitted`:
 * these machines emit nothing, but an emitted type of never, the default, makes the typed machine
 * no AnyStateMachine — any is not assignable to never — which the kit and the graph tools take.)
 */
export function factTypes<C extends object, I = unknown>(): { context: C; events: FactEvent; input: I; emitted: MachineEvent } {
  // Why the casts: XState reads only the types of these values (its documented `{} as T` idiom).
  return { context: {} as C, events: {} as FactEvent, input: {} as I, emitted: {} as MachineEvent };
}

/**
 * The XState actions of a kind's updates: one `assign` (the kind's `setup({ types, guards }).assign`)
 * per update, calling it, for that setup's `.extend({ actions })`. (The events are the facts; an
 * update that ignores the fact leaves nothing to infer them from.)
 */
export function assignsOf<C extends object, U extends string, A extends object>(
  assign: (assigner: (args: { context: C; event: FactEvent }) => C) => A,
  updates: { readonly [K in U]: (context: C, fact: FactEvent) => NoInfer<C> },
): { [K in U]: A } {
  return assignsOfEvents<C, FactEvent, U, A>(assign, updates);
}

/** The instances of a kind one fact is about, with what a new instance starts from. */
export type Address<I> = readonly { readonly id: string; readonly input: I }[];

/** What an evolve machine may read of the world to address a group-wide fact (never to decide). */
export interface WorldReader {
  /** The era the world models (a kind whose evolution differs per era reads its flags here). */
  readonly profile: Profile;
  entriesOf<C>(kindId: string): IterableIterator<[string, { readonly value: string; readonly context: C }]>;
  /** The stored snapshot under a `kind:id` key, or undefined. */
  byKey(key: string): { readonly value: string; readonly context: unknown } | undefined;
}

export type AddressTable<I> = { readonly [T in FactType]?: (fact: Extract<FactBody, { type: T }>, w: WorldReader) => Address<I> };

/**
 * States an object stays in only so a later use of it is caught (a freed domain, a freed SVA handle,
 * an exited mm), and the context field that holds the object's own id. The world stores a snapshot
 * in such a state compactly (machines/kit/deadStore.ts: a record's text outside the JS heap) and
 * time travel keeps it in its dead log:
 * storage only, the machine's rules and what a read returns do not change.
 */
export interface DeadStates<S extends string = string, F extends string = string> {
  readonly states: readonly S[];
  readonly self: F;
  /**
   * The kind's ids come back as a matter of course (a PASID: the allocator hands out the lowest free
   * one), so its dead objects are as many as the ids ever used and the world keeps them as snapshots,
   * not as shared records: a record is never removed (machines/kit/deadStore.ts), and every release
   * would leave one behind (62,753 of the 150,386 records at 1 M generated records, for 813 released
   * PASIDs at the end).
   */
  readonly idsReturn?: true;
}

/** What the world needs of a kind besides its machine: which state is not stored, which are dead, and which facts reach which instances. */
export interface FactSpec<I> {
  /** The state that is not stored: an object in it is dropped from the world. */
  readonly absent?: string;
  /** The states kept only to catch reuse, stored compactly. */
  readonly dead?: DeadStates;
  /** For each fact type it follows, which instances the fact is about. */
  readonly address: AddressTable<I>;
}

/** A kind as its file defines it: the built machine, the functions its config names, and how facts reach it. */
export interface ObjectDefinition<M extends AnyStateMachine> {
  readonly machine: M;
  readonly guards: FactGuards<ContextFrom<M>>;
  readonly updates: FactUpdates<ContextFrom<M>>;
  readonly absent?: StateValueFrom<M> & string;
  readonly dead?: DeadStates<StateValueFrom<M> & string, keyof ContextFrom<M> & string>;
  readonly address: AddressTable<InputFrom<M>>;
}

/** A kernel object driven by facts: its transitions update the object and decide nothing. */
export interface FactObject<C, I> extends Lifecycle<C, FactEvent, I> {
  readonly factSpec: FactSpec<I>;
}

/**
 * Any fact-driven kind, its context and input erased: what the world folds facts through. (Methods,
 * so a FactObject of any context is one of these.)
 */
export interface FactKind {
  readonly id: string;
  readonly stateNames: readonly string[];
  readonly eventTypes: readonly string[];
  readonly factSpec: FactSpec<unknown>;
  readonly config: LifecycleConfig;
  readonly machine: AnyStateMachine;
  initial(input: unknown): Snap<unknown>;
  step(snap: Snap<unknown>, fact: FactEvent): Snap<unknown>;
  stepWithXState(snap: Snap<unknown>, fact: FactEvent): Snap<unknown>;
  holds(guard: string, snap: Snap<unknown>, fact: FactEvent): boolean;
}

/** Checks a kind's machine against its guards and updates and compiles its table (throws on a kit misuse). */
export function defineObject<M extends AnyStateMachine>(def: ObjectDefinition<M>): FactObject<ContextFrom<M>, InputFrom<M>> {
  const lifecycle = defineLifecycle<ContextFrom<M>, FactEvent, InputFrom<M>>(def);
  if (def.absent !== undefined && !lifecycle.stateNames.includes(def.absent)) throw new Error(`${lifecycle.id}: absent state ${def.absent} is not one of its states`);
  // Why: a transition on a fact the address table does not route can never be taken (a misspelt or forgotten route).
  const unrouted = lifecycle.eventTypes.filter((t) => !(t in def.address));
  if (unrouted.length > 0) throw new Error(`${lifecycle.id}: transitions on ${unrouted.join(', ')}, which its address table does not route to it`);
  for (const s of def.dead?.states ?? []) if (s === def.absent || !lifecycle.stateNames.includes(s)) throw new Error(`${lifecycle.id}: dead state ${s} is not one of its stored states`);
  const factSpec: FactSpec<InputFrom<M>> = { absent: def.absent, ...(def.dead === undefined ? {} : { dead: def.dead }), address: def.address };
  return { ...lifecycle, factSpec };
}
