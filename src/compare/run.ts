/**
 * One trace replayed under one kernel's rules, with the model deciding every return (reconcile off:
 * a recorded return belongs to the kernel it was recorded on, not to the one compared), kept per
 * record: the model's return, the facts, the nested calls and the findings. Every run keeps a digest
 * per record (what bisection compares); only the two kernels compared keep the texts the report
 * shows, so the twenty-odd runs of a comparison cost a few numbers per record each. Pure.
 */
import type { Ret } from '../../events/records.js';
import type { Fact } from '../../events/facts.js';
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

/** What bisection compares of one record on one kernel; equal digests mean the same outcome. */
export interface RunDigests {
  /** The return per entry position, as `retKey` writes it. */
  readonly ret: readonly string[];
  /** A 53-bit hash of the record's facts (as a multiset) per entry position; 0 when it has none. */
  readonly facts: Float64Array;
  /** The same for the calls the model makes inside the record. */
  readonly nested: Float64Array;
  /** The reaction of each finding pointing at a record, by entry position and finding identity. */
  readonly findings: ReadonlyMap<number, ReadonlyMap<string, Reaction>>;
  /** The reaction of each end-of-trace finding, by `seq identity`. */
  readonly end: ReadonlyMap<string, Reaction>;
}

export interface KernelRun {
  readonly profile: Profile;
  readonly digests: RunDigests;
  /** The texts per record (only in a full run: the two kernels a comparison reports). */
  readonly records: ReadonlyMap<number, RecordSeen> | null;
  /** End-of-trace findings by identity, each with the record that created its object (full runs only; empty otherwise). */
  readonly end: ReadonlyMap<string, FindingSeen & { readonly seq: number | null }>;
}

/** A run with the texts per record. */
export type FullRun = KernelRun & { readonly records: ReadonlyMap<number, RecordSeen> };

/** A return's identity across kernels. */
export const retKey = (r: RetSeen | undefined) => (r === undefined ? '-' : 'value' in r ? `=${JSON.stringify(r.value)}` : `?${r.undecided}`);

/** cyrb53: a fast 53-bit string hash (public domain), enough that distinct outcomes of one record never collide in practice. */
function hash53(text: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/** The digest of a list taken as a multiset (order-free, as the report's differences are). */
export const multisetDigest = (lines: readonly string[]): number => (lines.length === 0 ? 0 : hash53([...lines].sort().join('\n')) || 1);

/** A finding's identity across kernels: its code and the objects it names (messages name the kernel). */
export function findingKey(f: { code: string; objects: Finding['objects'] }): string {
  const objects = Object.keys(f.objects)
    .sort()
    .map((k) => `${k}=${String(f.objects[k])}`)
    .join(' ');
  return objects === '' ? f.code : `${f.code} ${objects}`;
}

export function formatFact(fact: Fact): string {
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

/**
 * Replays the entries under `profile` with the model deciding every return. `full` keeps the texts
 * per record as well as the digests (the two kernels compared; the kernels between only bisect).
 */
export function runKernel(entries: readonly Entry[], profile: Profile, full?: true): FullRun;
export function runKernel(entries: readonly Entry[], profile: Profile, full: boolean): KernelRun;
export function runKernel(entries: readonly Entry[], profile: Profile, full = true): KernelRun {
  const replay = new Replay({ profile, reconcile: false, validateFacts: false });
  const n = entries.length;
  const posOf = new Map<number, number>();
  const rets: RetSeen[] = new Array<RetSeen>(n);
  const nested = new Map<number, string[]>();
  const index = new ChildIndex();
  entries.forEach((e, pos) => {
    index.add(e, pos);
    posOf.set(e.record.seq, pos);
  });
  for (let i = 0; i < n; i++) {
    const e = entries[i];
    const d = index.take(e, i);
    const out = replay.step(e.record, e.line, d.records, d.lines);
    if (out.nested.length > 0) nested.set(i, out.nested.map(formatCall));
    rets[i] = out.checkedAsNested ? { undecided: 'nested' } : out.ret === undefined ? { undecided: 'unknown' } : { value: out.ret };
  }
  replay.end();
  const facts = new Map<number, string[]>();
  for (const f of replay.log.all()) {
    const pos = posOf.get(f.seq);
    if (pos === undefined) continue;
    const list = facts.get(pos);
    const text = formatFact(f);
    if (list === undefined) facts.set(pos, [text]);
    else list.push(text);
  }
  const findings = new Map<number, Map<string, FindingSeen>>();
  const end = new Map<string, FindingSeen & { seq: number | null }>();
  const endReaction = new Map<string, Reaction>();
  for (const f of replay.findings) {
    if (f.atEnd) {
      const k = `${f.seq ?? '-'} ${findingKey(f)}`;
      endReaction.set(k, f.reaction);
      if (full) end.set(k, { ...seen(f), seq: f.seq });
      continue;
    }
    const pos = f.seq === null ? undefined : posOf.get(f.seq);
    if (pos === undefined) continue;
    let m = findings.get(pos);
    if (m === undefined) findings.set(pos, (m = new Map()));
    m.set(findingKey(f), seen(f));
  }
  const digests: RunDigests = {
    ret: rets.map(retKey),
    facts: Float64Array.from({ length: n }, (_, i) => multisetDigest(facts.get(i) ?? [])),
    nested: Float64Array.from({ length: n }, (_, i) => multisetDigest(nested.get(i) ?? [])),
    findings: new Map([...findings].map(([pos, m]) => [pos, new Map([...m].map(([k, f]) => [k, f.reaction]))])),
    end: endReaction,
  };
  if (!full) return { profile, digests, records: null, end };
  const records = new Map<number, RecordSeen>();
  // Why: most records have no findings or nested calls; one shared empty value each keeps a long capture small.
  const none: ReadonlyMap<string, FindingSeen> = new Map();
  const empty: readonly string[] = [];
  entries.forEach((e, i) => {
    records.set(e.record.seq, {
      exists: profile.calls.has(e.record.fn),
      ret: rets[i],
      facts: facts.get(i) ?? empty,
      nested: nested.get(i) ?? empty,
      findings: findings.get(i) ?? none,
    });
  });
  return { profile, digests, records, end };
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
