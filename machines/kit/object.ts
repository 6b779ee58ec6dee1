/**
 * Object kinds. A deciding kind (`defineObjectKind`, being retired) is a lifecycle whose transitions
 * also decide returns and findings; a fact-driven kind (`defineObject`) only evolves from facts.
 * `absent` names the state that is not stored (absent ≡ that state), so freed IDs and empty slots
 * cost nothing. Pure.
 */
import type { FactBody, FactType } from '../../events/facts.js';
import type { FindingCode } from '../findings.js';
import type { Profile } from '../profile.js';
import { defineLifecycle, type Lifecycle, type LifecycleSpec, type MachineEvent } from './lifecycle.js';

/** Every machine event carries the era profile its guards read. */
export interface ModelEvent extends MachineEvent {
  readonly p: Profile;
}

export interface ObjectKindSpec<C, E extends ModelEvent, I> extends LifecycleSpec<C, E, I> {
  /** The state that is not stored: an object in it is dropped from the world. */
  readonly absent?: string;
  /** Builds the payload of each fact a transition names. */
  readonly facts: Partial<Record<FactType, (event: E, before: C, after: C) => FactBody>>;
  /** One clause of detail for a finding, e.g. "detached with dom2 but dom1 is attached". */
  readonly details?: Partial<Record<FindingCode, (event: E, before: C) => string>>;
}

export interface ObjectKind<C, E extends ModelEvent, I> extends Lifecycle<C, E, I> {
  readonly kind: ObjectKindSpec<C, E, I>;
}

export function defineObjectKind<C, E extends ModelEvent, I>(spec: ObjectKindSpec<C, E, I>): ObjectKind<C, E, I> {
  return { ...defineLifecycle(spec), kind: spec };
}

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

export interface FactObjectSpec<C, I> extends Omit<LifecycleSpec<C, FactEvent, I>, 'evolve'> {
  /** The state that is not stored: an object in it is dropped from the world. */
  readonly absent?: string;
  /** For each fact type it follows, which instances the fact is about. */
  readonly address: { readonly [T in FactType]?: (fact: Extract<FactBody, { type: T }>, w: WorldReader) => Address<I> };
}

/**
 * A kernel object driven by facts (the evolve half): the world is the fold of the facts through
 * these machines. Its transitions update the object and decide nothing; the calls decide
 * (machines/calls/) and state what happened as facts.
 */
export interface FactObject<C, I> extends Lifecycle<C, FactEvent, I> {
  readonly factSpec: FactObjectSpec<C, I>;
}

export function defineObject<C, I>(spec: FactObjectSpec<C, I>): FactObject<C, I> {
  return { ...defineLifecycle<C, FactEvent, I>({ ...spec, evolve: true }), factSpec: spec };
}
