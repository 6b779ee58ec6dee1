/**
 * What a call model works with: the world, the profile, the record, the decision it fills in and
 * the nested records the capture saw inside this call (used to learn names the model cannot
 * predict, such as a new SVA domain's). Pure helpers.
 */
import type { CallName, CallRecord, CallRecordOf, Ret } from '../../events/records.js';
import { retKind } from '../../events/ret.js';
import type { Profile } from '../profile.js';
import type { StepResult } from '../kit/lifecycle.js';
import { decidedRet, type Decision, type World } from '../kit/world.js';

export interface CallContext<F extends CallName = CallName> {
  readonly w: World;
  readonly p: Profile;
  readonly rec: CallRecordOf<F>;
  readonly d: Decision;
  readonly children: readonly CallRecord[];
}

export type CallModel<F extends CallName> = (c: CallContext<F>) => void;

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

export { isFailure } from '../../events/ret.js';

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

/** The recorded return when it names an object (not an errno). */
export function recordedName(rec: { ret?: unknown }): string | undefined {
  return typeof rec.ret === 'string' && retKind(rec.ret) === 'name' ? rec.ret : undefined;
}
