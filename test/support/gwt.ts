/**
 * Given/when/then for the machines: replay the `given` calls, decide the `when` call (the model's
 * return, the findings it raises, the facts it derives), then run the end-of-trace checks.
 * Nested records of the `when` call are given without `parent`; it is filled in.
 */
import type { CallRecord, Ret } from '../../events/records.js';
import type { FactBody } from '../../events/facts.js';
import { decideCall } from '../../machines/calls/index.js';
import type { FindingCode } from '../../machines/findings.js';
import type { StepMode } from '../../machines/kit/world.js';
import { Replay } from '../../src/replay/replay.js';
import { descendantsOf, type Entry } from '../../src/replay/replayTrace.js';
import type { Finding } from '../../src/replay/finding.js';
import { profile, records, type CallSpec } from './calls.js';

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
  return { when: (c, ...nested) => run(kernel, calls, c, nested) };
}

function run(kernel: string, givenCalls: readonly CallSpec[], whenCall: CallSpec, nested: readonly CallSpec[], mode: StepMode = 'fast'): Then {
  const whenSeq = givenCalls.length + 1;
  const all = [...givenCalls, whenCall, ...nested.map((n) => ({ ...n, parent: n.parent ?? whenSeq }))];
  const entries: Entry[] = records(all).map((record, i) => ({ record, line: i + 2 }));
  const replay = new Replay({ profile: profile(kernel), mode });
  let ret: Ret | undefined;
  let rule = '';
  let children: Then['children'] = [];
  const factsBefore = () => replay.log.all().length;
  let factsAt = 0;
  for (let i = 0; i < entries.length; i++) {
    const { record, line } = entries[i];
    const desc = descendantsOf(entries, i);
    if (record.seq === whenSeq) {
      const d = decideCall(replay.world.clone(), record as CallRecord, desc.records);
      ret = d.ret;
      rule = d.rule;
      children = d.children;
      factsAt = factsBefore();
    }
    replay.step(record, line, desc.records, desc.lines);
  }
  const facts = replay.log.all().slice(factsAt).filter((f) => f.seq === whenSeq);
  const whenAndAfter = replay.findings.filter((f) => !f.atEnd && f.seq !== null && f.seq >= whenSeq);
  const givenCodes = replay.findings.filter((f) => !f.atEnd && f.seq !== null && f.seq < whenSeq).map((f) => f.code);
  const end = replay.end();
  return {
    replay,
    ret,
    rule,
    codes: whenAndAfter.map((f) => f.code),
    endCodes: end.map((f) => f.code),
    givenCodes,
    facts,
    findings: replay.findings,
    children,
  };
}
