/**
 * Object kinds: a kernel object is a lifecycle driven by facts (the evolve half). The world is the
 * fold of the facts through these machines; the calls decide (machines/calls/) and state what
 * happened as facts. `absent` names the state that is not stored (absent ≡ that state), so freed IDs
 * and empty slots cost nothing. Pure.
 */
import type { FactBody, FactType } from '../../events/facts.js';
import type { Profile } from '../profile.js';
import type { AnyStateMachine } from 'xstate';
import { defineLifecycle, type Lifecycle, type LifecycleSpec, type Snap, type StateConfig } from './lifecycle.js';

/** A fact as an evolve machine receives it: the event type is the fact type. */
export type FactEvent = FactBody;

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

export interface FactObjectSpec<C, I, G extends string = string, U extends string = string> extends LifecycleSpec<C, FactEvent, I, G, U> {
  /** The state that is not stored: an object in it is dropped from the world. */
  readonly absent?: string;
  /** For each fact type it follows, which instances the fact is about. */
  readonly address: AddressTable<I>;
}

/** A kernel object driven by facts: its transitions update the object and decide nothing. */
export interface FactObject<C, I> extends Lifecycle<C, FactEvent, I> {
  readonly factSpec: FactObjectSpec<C, I>;
}

/**
 * Any fact-driven kind, its context and input erased: what the world folds facts through. (Methods,
 * so a FactObject of any context is one of these.)
 */
export interface FactKind {
  readonly id: string;
  readonly stateNames: readonly string[];
  readonly eventTypes: readonly string[];
  readonly factSpec: { readonly absent?: string; readonly address: AddressTable<unknown> };
  readonly spec: { readonly id: string; readonly states: Readonly<Record<string, StateConfig>> };
  readonly machine: AnyStateMachine;
  initial(input: unknown): Snap<unknown>;
  step(snap: Snap<unknown>, fact: FactEvent): Snap<unknown>;
  stepWithXState(snap: Snap<unknown>, fact: FactEvent): Snap<unknown>;
  holds(guard: string, snap: Snap<unknown>, fact: FactEvent): boolean;
}

export function defineObject<C extends object, I, G extends string = string, U extends string = string>(spec: FactObjectSpec<C, I, G, U>): FactObject<C, I> {
  return { ...defineLifecycle<C, FactEvent, I, G, U>(spec), factSpec: spec };
}
