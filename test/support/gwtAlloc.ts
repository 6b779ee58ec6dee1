/**
 * given/when/then for call-model specifications: `given` calls set the scene, the `when` calls are
 * the behaviour under test; `then` exposes only what the `when` calls produced (the model's return and
 * rule for each, their facts and findings), plus the end-of-trace findings and the final world.
 */
import type { Fact } from '../../events/facts.js';
import type { Ret } from '../../events/records.js';
import { decideCall } from '../../machines/calls/index.js';
import type { FindingCode } from '../../machines/findings.js';
import type { ExpectedChild, StepMode } from '../../machines/kit/world.js';
import type { Finding } from '../../src/replay/finding.js';
import { Replay } from '../../src/replay/replay.js';
import { ChildIndex } from '../../src/replay/replayTrace.js';
import { profile, records, type CallSpec } from './calls.js';

export interface Then {
  readonly replay: Replay;
  /** What the model predicts each `when` call returns (undefined: the model cannot know), and why. */
  readonly rets: readonly (Ret | undefined)[];
  readonly rules: readonly string[];
  /** The last `when` call's predicted return and rule. */
  readonly ret: Ret | undefined;
  readonly rule: string;
  /** Facts and findings of the `when` calls only. */
  readonly facts: readonly Fact[];
  readonly findings: readonly Finding[];
  readonly codes: readonly FindingCode[];
  readonly factTypes: readonly string[];
  /** Findings of the end-of-trace checks. */
  readonly endCodes: readonly FindingCode[];
  /** Every finding code of the whole replay (given, when and end). */
  readonly allCodes: readonly FindingCode[];
  /** The nested calls the model expects of each top-level `when` call. */
  readonly children: readonly (readonly ExpectedChild[])[];
}

export interface RunOptions {
  readonly mode?: StepMode;
  /**
   * Predict with the recorded return in place (default false): a recorded handle or domain name is
   * then the name the model uses, as a capture's would be.
   */
  readonly keepRecordedRet?: boolean;
}

export interface Given {
  when(...calls: CallSpec[]): Then;
}

export function given(kernel: string, ...setup: CallSpec[]): Given {
  return {
    when: (...calls) => run(kernel, setup, calls),
  };
}

export function run(kernel: string, setup: readonly CallSpec[], calls: readonly CallSpec[], options: RunOptions = {}): Then {
  const mode = options.mode ?? 'fast';
  const entries = records([...setup, ...calls]).map((record, i) => ({ record, line: i + 2 }));
  const replay = new Replay({ profile: profile(kernel), mode });
  const rets: (Ret | undefined)[] = [];
  const rules: string[] = [];
  const children: (readonly ExpectedChild[])[] = [];
  const index = new ChildIndex();
  entries.forEach((e, pos) => index.add(e, pos));
  for (let i = 0; i < entries.length; i++) {
    const { record, line } = entries[i];
    const desc = index.take(entries[i], i);
    if (i >= setup.length && record.parent === undefined) {
      // The prediction, on a copy: the recorded ret (if any) must not influence it.
      const d = decideCall(replay.world.clone(), (options.keepRecordedRet ? record : { ...record, ret: undefined }) as never, desc.records);
      rets.push(d.ret);
      rules.push(d.rule);
      children.push(d.children);
    }
    replay.step(record, line, desc.records, desc.lines);
  }
  const firstWhenSeq = setup.length + 1;
  const inWhen = (seq: number | null) => seq !== null && seq >= firstWhenSeq;
  const findings = replay.findings.filter((f) => !f.atEnd && inWhen(f.seq));
  const end = replay.end();
  const facts = replay.log.all().filter((f) => inWhen(f.seq));
  return {
    replay,
    rets,
    rules,
    ret: rets[rets.length - 1],
    rule: rules[rules.length - 1] ?? '',
    facts,
    findings,
    codes: findings.map((f) => f.code),
    factTypes: facts.map((f) => f.type),
    endCodes: end.map((f) => f.code),
    allCodes: replay.findings.map((f) => f.code),
    children,
  };
}
