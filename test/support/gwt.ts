/**
 * Given/when/then for the machines: replay the `given` calls, decide the `when` call (the model's
 * return, the findings it raises, the facts it derives), then run the end-of-trace checks.
 * Nested records of the `when` call are given without `parent`; it is filled in. A view of the
 * shared runner in gwtAlloc.ts.
 */
import type { Ret } from '../../events/records.js';
import type { FactBody } from '../../events/facts.js';
import type { FindingCode } from '../../machines/findings.js';
import type { Replay } from '../../src/replay/replay.js';
import type { Finding } from '../../src/replay/finding.js';
import type { CallSpec } from './calls.js';
import { run } from './gwtAlloc.js';

export interface Then {
  readonly replay: Replay;
  /** The return the model decides for the `when` call (undefined when it cannot know). */
  readonly ret: Ret | undefined;
  /** The rule that decided it. */
  readonly rule: string;
  /** Finding codes raised at the `when` call (and its nested records). */
  readonly codes: readonly FindingCode[];
  /** Finding codes raised by the end-of-trace checks. */
  readonly endCodes: readonly FindingCode[];
  /** Finding codes raised by the `given` calls. */
  readonly givenCodes: readonly FindingCode[];
  /** Facts the `when` call derived. */
  readonly facts: readonly FactBody[];
  readonly findings: readonly Finding[];
  /** The nested calls the model expects of the `when` call. */
  readonly children: readonly { fn: string; args: Readonly<Record<string, unknown>>; ret?: Ret }[];
}

export interface When {
  when(c: CallSpec, ...nested: CallSpec[]): Then;
}

/** `given(kernel, ...calls).when(call, ...nestedCallsOfIt)` → what the model decides. */
export function given(kernel: string, ...calls: CallSpec[]): When {
  return { when: (c, ...nested) => runOne(kernel, calls, c, nested) };
}

/** One `when` call and its nested records, on the shared runner; the recorded return stays in place. */
function runOne(kernel: string, givenCalls: readonly CallSpec[], whenCall: CallSpec, nested: readonly CallSpec[]): Then {
  const whenSeq = givenCalls.length + 1;
  const t = run(kernel, givenCalls, [whenCall, ...nested.map((n) => ({ ...n, parent: n.parent ?? whenSeq }))], { keepRecordedRet: true });
  return {
    replay: t.replay,
    ret: t.rets[0],
    rule: t.rules[0] ?? '',
    codes: t.codes,
    endCodes: t.endCodes,
    givenCodes: t.replay.findings.filter((f) => !f.atEnd && f.seq !== null && f.seq < whenSeq).map((f) => f.code),
    facts: t.facts.filter((f) => f.seq === whenSeq),
    findings: t.replay.findings,
    children: t.children[0] ?? [],
  };
}
