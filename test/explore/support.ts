/** Test support for the race explorer: random small scenarios and helpers. */
import fc from 'fast-check';
import type { CallRecord } from '../../events/records.js';
import { profileFor } from '../../machines/profile.js';
import { anyCall, ALL_KERNELS } from '../support/arbitraries.js';
import type { CallSpec } from '../support/calls.js';

/** Records of tasks (tid 1..n), numbered task by task, as a scenario file lists them. */
export function scenarioRecords(tasks: readonly (readonly CallSpec[])[]): CallRecord[] {
  let seq = 0;
  return tasks.flatMap((calls, t) =>
    calls.map((c) => {
      seq++;
      return { seq, ts: seq * 1000, cpu: t, tid: t + 1, fn: c.fn, args: c.args, ...(c.ret === undefined ? {} : { ret: c.ret }) } as CallRecord;
    }),
  );
}

/** A kernel and 2–3 tasks of 1–3 calls that exist in it. */
export const smallScenario = (maxTasks = 3, maxCalls = 3): fc.Arbitrary<[string, CallSpec[][]]> =>
  fc.constantFrom(...ALL_KERNELS).chain((kernel) => {
    const calls = profileFor(kernel)?.calls;
    const inEra = anyCall.filter((c) => calls?.has(c.fn) ?? false);
    return fc.tuple(fc.constant(kernel), fc.array(fc.array(inEra, { minLength: 1, maxLength: maxCalls }), { minLength: 2, maxLength: maxTasks }));
  });
