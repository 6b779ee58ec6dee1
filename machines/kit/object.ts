/**
 * An object kind: a lifecycle plus what turns its outcomes into facts and finding details.
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
