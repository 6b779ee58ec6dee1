/**
 * A kernel function's model, defined once in machines/calls/<function>.ts: the releases it exists
 * in, the calls it makes inside itself, the findings whose kernel site it is, what it reads and
 * writes (the race explorer's footprint) and `decide`, which reads the world and steps its objects
 * in the kernel's order. Everything else about a call (the call registry, the calls of an era, the
 * nested-call table, where a finding is raised) is derived from these definitions. Pure.
 */
import type { CallName, CallRecord, CallRecordOf, Ret } from '../../events/records.js';
import { retKind } from '../../events/ret.js';
import type { FindingCode } from '../findings.js';
import type { FlagName, Profile } from '../profile.js';
import type { Footprint, FootprintScope } from './footprint.js';
import type { StepResult } from './lifecycle.js';
import type { VersionRange } from './version.js';
import { decidedRet, type Decision, type World } from './world.js';

export { isFailure } from '../../events/ret.js';

export interface CallContext<F extends CallName = CallName> {
  readonly w: World;
  readonly p: Profile;
  readonly rec: CallRecordOf<F>;
  readonly d: Decision;
  /** The records the capture saw nested inside this call (they name objects the model cannot predict). */
  readonly children: readonly CallRecord[];
}

export type CallModel<F extends CallName> = (c: CallContext<F>) => void;

export interface CallDefinition<F extends CallName> {
  readonly fn: F;
  /** The releases the function exists in (a call outside them is CALL_NOT_IN_KERNEL). */
  readonly exists: readonly VersionRange[];
  /**
   * The era-table flags whose boundaries are the bounds of `exists` (the commits that added or removed
   * the function): `compare` names their commit and section when the call appears or goes. Required
   * when `exists` has a bound; test/compare/boundaries.test.ts checks each bound is one of theirs.
   */
  readonly existsFollows?: readonly FlagName[];
  /**
   * The calls it makes inside itself, which a capture may record nested under it. Under a call with
   * this list a nested record the model does not make there is NESTED_CALL_UNEXPECTED; under a call
   * without it, nested records are effects the model does not make and are decided on their own.
   */
  readonly nested?: readonly CallName[];
  /** Findings whose kernel site is this function: when the call is nested, they point at its record. */
  readonly raises?: readonly FindingCode[];
  /** What it may read and write in any state (semantics §B.3); over-approximate, never under. */
  readonly footprint: (rec: CallRecordOf<F>, p: Profile, scope: FootprintScope) => Footprint;
  /** Reads the world and steps its objects in the kernel's order; sets the return. */
  readonly decide: CallModel<F>;
}

export function defineCall<F extends CallName>(def: CallDefinition<F>): CallDefinition<F> {
  return def;
}

/** Sets the call's return from a step's outcomes (when they decide one). */
export function retFrom(d: Decision, r: StepResult<unknown>): Ret | undefined {
  const { ret, rule } = decidedRet(r.outcomes);
  if (ret !== undefined) {
    d.ret = ret;
    d.rule = rule;
  }
  return ret;
}

export function setRet(d: Decision, ret: Ret | undefined, rule: string): void {
  d.ret = ret;
  d.rule = rule;
}

/** True when a step decided the fact. */
export const hasFact = (r: StepResult<unknown>, fact: string) => r.outcomes.some((o) => o.fact === fact);

/** The nested record of a function, if the capture saw one. */
export function childOf<F extends CallName>(children: readonly CallRecord[], fn: F): CallRecordOf<F> | undefined {
  return children.find((c) => c.fn === fn) as CallRecordOf<F> | undefined;
}

/** A name the capture did not give: derived from the record's seq so replays agree. */
export function modelName(prefix: string, seq: number): string {
  return `${prefix}@${seq}`;
}

/** The recorded return when it is a number (an ID), else undefined. */
export function recordedId(rec: { ret?: unknown }): number | undefined {
  return typeof rec.ret === 'number' ? rec.ret : undefined;
}

/** The recorded return when it names an object (not an errno or an invalid ID). */
export function recordedName(rec: { ret?: Ret }): string | undefined {
  return typeof rec.ret === 'string' && retKind(rec.ret) === 'name' ? rec.ret : undefined;
}
