/**
 * One trace replayed under one kernel's rules, with the model deciding every return (reconcile off:
 * a recorded return belongs to the kernel it was recorded on, not to the one compared), kept per
 * record: whether the call exists, the model's return, the facts and the findings. Pure.
 */
import type { Ret } from '../../events/records.js';
import type { Profile } from '../../machines/profile.js';
import type { Reaction } from '../../machines/findings.js';
import { Replay } from '../replay/replay.js';
import { ChildIndex, type Entry } from '../replay/replayTrace.js';
import type { Finding } from '../replay/finding.js';

export interface FindingSeen {
  readonly code: string;
  readonly reaction: Reaction;
  readonly message: string;
  readonly objects: Finding['objects'];
  readonly line: number | null;
  readonly fn: string | null;
}

/** A return as the model sees it: a value, or why it has none (checked against its enclosing call, or unknown). */
export type RetSeen = { readonly value: Ret } | { readonly undecided: 'nested' | 'unknown' };

export const retSeenText = (r: RetSeen): string =>
  'value' in r ? JSON.stringify(r.value) : r.undecided === 'nested' ? '(checked against its enclosing call)' : '(not decided by the model)';

export interface RecordSeen {
  readonly exists: boolean;
  readonly ret: RetSeen;
  /** The facts the record led to, as `Type field=value …` in the model's order. */
  readonly facts: readonly string[];
  /** The calls the model makes inside this one, as `fn(arg=value, …) → ret`. */
  readonly nested: readonly string[];
  /** Findings pointing at this record, by identity (code and the objects named). */
  readonly findings: ReadonlyMap<string, FindingSeen>;
}

export interface KernelRun {
  readonly profile: Profile;
  readonly records: ReadonlyMap<number, RecordSeen>;
  /** End-of-trace findings by identity, each with the record that created its object (seq or null). */
  readonly end: ReadonlyMap<string, FindingSeen & { readonly seq: number | null }>;
}

/** A finding's identity across kernels: its code and the objects it names (messages name the kernel). */
export function findingKey(f: { code: string; objects: Finding['objects'] }): string {
  const objects = Object.keys(f.objects)
    .sort()
    .map((k) => `${k}=${String(f.objects[k])}`)
    .join(' ');
  return objects === '' ? f.code : `${f.code} ${objects}`;
}

export function formatFact(fact: Record<string, unknown>): string {
  const fields = Object.entries(fact)
    .filter(([k]) => k !== 'type' && k !== 'seq')
    .map(([k, v]) => `${k}=${v === null ? 'null' : String(v)}`);
  return [String(fact.type), ...fields].join(' ');
}

function formatCall(c: { fn: string; args: Readonly<Record<string, unknown>>; ret?: Ret }): string {
  const args = Object.entries(c.args).map(([k, v]) => `${k}=${v === null ? 'null' : String(v)}`).join(', ');
  return `${c.fn}(${args})${c.ret === undefined ? '' : ` → ${JSON.stringify(c.ret)}`}`;
}

const seen = (f: Finding): FindingSeen => ({ code: f.code, reaction: f.reaction, message: f.message, objects: f.objects, line: f.line, fn: f.fn });

/** Replays the entries under `profile` with the model deciding every return. */
export function runKernel(entries: readonly Entry[], profile: Profile): KernelRun {
  const replay = new Replay({ profile, reconcile: false, validateFacts: false });
  const rets = new Map<number, RetSeen>();
  const nested = new Map<number, string[]>();
  const index = new ChildIndex();
  entries.forEach((e, pos) => index.add(e, pos));
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i];
    const d = index.take(e, i);
    const out = replay.step(e.record, e.line, d.records, d.lines);
    if (out.nested.length > 0) nested.set(e.record.seq, out.nested.map(formatCall));
    rets.set(e.record.seq, out.checkedAsNested ? { undecided: 'nested' } : out.ret === undefined ? { undecided: 'unknown' } : { value: out.ret });
  }
  replay.end();
  const facts = new Map<number, string[]>();
  for (const f of replay.log.all()) {
    const list = facts.get(f.seq);
    const text = formatFact(f as unknown as Record<string, unknown>);
    if (list === undefined) facts.set(f.seq, [text]);
    else list.push(text);
  }
  const findings = new Map<number, Map<string, FindingSeen>>();
  const end = new Map<string, FindingSeen & { seq: number | null }>();
  for (const f of replay.findings) {
    if (f.atEnd) {
      end.set(`${f.seq ?? '-'} ${findingKey(f)}`, { ...seen(f), seq: f.seq });
      continue;
    }
    if (f.seq === null) continue;
    let m = findings.get(f.seq);
    if (m === undefined) findings.set(f.seq, (m = new Map()));
    m.set(findingKey(f), seen(f));
  }
  const records = new Map<number, RecordSeen>();
  // Why: most records have no findings or nested calls; one shared empty value each keeps 20 runs of a long capture small.
  const none: ReadonlyMap<string, FindingSeen> = new Map();
  const empty: readonly string[] = [];
  for (const e of entries) {
    const seq = e.record.seq;
    records.set(seq, {
      exists: profile.calls.has(e.record.fn),
      ret: rets.get(seq) as RetSeen,
      facts: facts.get(seq) ?? empty,
      nested: nested.get(seq) ?? empty,
      findings: findings.get(seq) ?? none,
    });
  }
  return { profile, records, end };
}

/** The recording checked on its own kernel: the recorded returns the model disagrees with. */
export interface RecordingCheck {
  readonly kernel: string;
  readonly mismatches: readonly { readonly seq: number | null; readonly line: number | null; readonly fn: string | null; readonly message: string }[];
}

export function checkRecording(entries: readonly Entry[], profile: Profile): RecordingCheck {
  const replay = new Replay({ profile, validateFacts: false });
  const index = new ChildIndex();
  entries.forEach((e, pos) => index.add(e, pos));
  entries.forEach((e, i) => {
    const d = index.take(e, i);
    replay.step(e.record, e.line, d.records, d.lines);
  });
  const mismatches = replay.findings.filter((f) => f.code === 'RET_MISMATCH').map((f) => ({ seq: f.seq, line: f.line, fn: f.fn, message: f.message }));
  return { kernel: profile.kernel, mismatches };
}
