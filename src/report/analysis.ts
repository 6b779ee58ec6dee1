/**
 * What the timeline views (the Perfetto export and the HTML report) share: the full run's facts and
 * findings, each finding's chain (what `history --finding` lists), each call as a time span on its
 * task, and each object's lifecycle as states between records. Pure.
 */
import type { Fact } from '../../events/facts.js';
import type { TraceHeader } from '../../events/records.js';
import type { Profile } from '../../machines/profile.js';
import type { Finding } from '../replay/finding.js';
import type { Entry } from '../replay/replayTrace.js';
import { buildIndex, type TravelIndex } from '../timetravel/index.js';
import { allFindings, chainEnd, chainTokens } from '../timetravel/history.js';
import { factsBySeq, findingTokens, recordTokens } from '../timetravel/refs.js';
import type { ViewObject } from '../timetravel/diffViews.js';
import { walkStates, type Step, type WalkOptions, type WalkResult } from './walk.js';

export interface TraceInput {
  /** The name shown for the trace (its path as given). */
  readonly file: string;
  readonly header: TraceHeader;
  readonly profile: Profile;
  readonly entries: readonly Entry[];
}

/** One call on its task's track: [start, end] in µs, depth 0 for a top-level call. */
export interface CallSpan {
  readonly start: number;
  readonly end: number;
  readonly depth: number;
}

export interface Chain {
  /** The objects the chain follows (`slot:X/3`, `domain:dom4`, ...), as `history --finding` prints them. */
  readonly tokens: readonly string[];
  /** Record indexes of the chain, in trace order. */
  readonly positions: readonly number[];
}

export interface Analysis {
  readonly input: TraceInput;
  readonly index: TravelIndex;
  /** Every finding of the full run, end-of-trace ones last (the audit's order and numbering). */
  readonly findings: readonly Finding[];
  readonly chains: readonly Chain[];
  readonly spans: readonly CallSpan[];
  /** Record index of each seq. */
  readonly positionOf: ReadonlyMap<number, number>;
  /** The default width of a call whose end the trace does not record (µs). */
  readonly defaultDuration: number;
}

/**
 * Trace timestamps are the capture's clock in ns (trace-format.md); the views use µs. A clock that
 * steps back (a capture across CPUs) is held at the last value so time never runs backwards.
 */
export function microseconds(entries: readonly Entry[]): number[] {
  const out: number[] = new Array(entries.length);
  let last = -Infinity;
  for (let i = 0; i < entries.length; i++) {
    const ts = entries[i].record.ts;
    const us = typeof ts === 'number' && Number.isFinite(ts) ? ts / 1000 : last === -Infinity ? i : last;
    last = Math.max(last, us);
    out[i] = last;
  }
  return out;
}

/**
 * A record has one timestamp (the call's entry). A call's span runs to the end of its last nested
 * call or, without one, half the trace's median gap between records, and never past the task's
 * next call that is not nested in it: nested calls sit inside their parent.
 */
export function callSpans(entries: readonly Entry[], us: readonly number[]): { spans: CallSpan[]; defaultDuration: number } {
  const gaps: number[] = [];
  for (let i = 1; i < us.length; i++) if (us[i] > us[i - 1]) gaps.push(us[i] - us[i - 1]);
  gaps.sort((a, b) => a - b);
  const defaultDuration = gaps.length === 0 ? 1 : Math.max(0.001, gaps[gaps.length >> 1] / 2);
  const spans: { start: number; end: number; depth: number }[] = entries.map((_, i) => ({ start: us[i], end: us[i], depth: 0 }));
  interface Frame { readonly i: number; readonly seq: number; childEnd: number }
  const stacks = new Map<number, Frame[]>();
  const close = (f: Frame, at: number, parent: Frame | undefined) => {
    const s = spans[f.i];
    s.end = Math.max(s.start, Math.min(at, Math.max(s.start + defaultDuration, f.childEnd)));
    if (parent !== undefined) parent.childEnd = Math.max(parent.childEnd, s.end);
  };
  for (let i = 0; i < entries.length; i++) {
    const r = entries[i].record;
    let stack = stacks.get(r.tid);
    if (stack === undefined) stacks.set(r.tid, (stack = []));
    const onStack = r.parent !== undefined && stack.some((f) => f.seq === r.parent);
    while (stack.length > 0 && (!onStack || stack[stack.length - 1].seq !== r.parent)) {
      const f = stack.pop() as Frame;
      close(f, us[i], stack[stack.length - 1]);
    }
    spans[i].depth = stack.length;
    stack.push({ i, seq: r.seq, childEnd: us[i] });
  }
  for (const stack of stacks.values()) while (stack.length > 0) close(stack.pop() as Frame, Infinity, stack[stack.length - 1]);
  return { spans, defaultDuration };
}

/** Every finding's chain, from an inverted index of the objects each record touched. */
export function findingChains(index: TravelIndex, findings: readonly Finding[]): Chain[] {
  const facts = factsBySeq(index.facts);
  const byToken = new Map<string, number[]>();
  index.entries.forEach((e, t) => {
    for (const k of recordTokens(e.record, facts.get(e.record.seq) ?? [])) {
      let list = byToken.get(k);
      if (list === undefined) byToken.set(k, (list = []));
      list.push(t);
    }
  });
  return findings.map((f) => {
    const tokens = chainTokens(index, f);
    const end = chainEnd(index, f);
    const positions = new Set<number>();
    for (const k of tokens) for (const t of byToken.get(k) ?? []) if (t <= end) positions.add(t);
    return { tokens: [...tokens], positions: [...positions].sort((a, b) => a - b) };
  });
}

export function analyse(input: TraceInput): Analysis {
  // One checkpoint (the start): the views need the full run's facts and findings, not seeks.
  const index = buildIndex(input.entries, input.profile, input.entries.length + 1);
  const findings = allFindings(index);
  const us = microseconds(input.entries);
  const { spans, defaultDuration } = callSpans(input.entries, us);
  return { input, index, findings, chains: findingChains(index, findings), spans, positionOf: index.indexOfSeq, defaultDuration };
}

/** One state of one object on its track: from the record that entered it to the one that left it. */
export interface Interval {
  /** Record index that entered the state. */
  readonly from: number;
  /** Record index that left it (null: still in it at the end of the walk). */
  to: number | null;
  readonly summary: string;
}

export interface ObjectTrack {
  readonly key: string;
  readonly kind: string;
  readonly label: string;
  /** Tokens the object was named by over its life (history selects on them). */
  readonly refs: Set<string>;
  readonly intervals: Interval[];
}

/** Each object's lifecycle from a walk of the states; the walk's steps go to `onStep` too. */
export function objectTracks(input: TraceInput, options: WalkOptions, onStep?: (s: Step) => void): { tracks: Map<string, ObjectTrack>; walk: WalkResult } {
  const tracks = new Map<string, ObjectTrack>();
  const enter = (o: ViewObject, at: number) => {
    let tr = tracks.get(o.key);
    if (tr === undefined) tracks.set(o.key, (tr = { key: o.key, kind: o.kind, label: o.label, refs: new Set(), intervals: [] }));
    for (const r of o.refs) tr.refs.add(r);
    const last = tr.intervals[tr.intervals.length - 1];
    if (last !== undefined && last.to === null) last.to = at;
    tr.intervals.push({ from: at, to: null, summary: o.summary });
  };
  const walk = walkStates(input.entries, input.profile, (s) => {
    for (const c of s.changes) {
      const o = s.after.get(c.key);
      if (o !== undefined) enter(o, s.at);
      else {
        const last = tracks.get(c.key)?.intervals.at(-1);
        if (last !== undefined && last.to === null) last.to = s.at;
      }
    }
    onStep?.(s);
  }, options);
  for (const o of walk.initial) if (!tracks.has(o.key)) enter(o, -1);
  return { tracks, walk };
}

/**
 * The object tracks a finding belongs on: the objects its chain follows (what it names, a device
 * narrowed to the PASID slot of its record; for a leak found at the end, what its creating record named).
 */
export function findingTracks(f: Finding, chain: Chain, tracks: ReadonlyMap<string, ObjectTrack>): string[] {
  const wanted = new Set(chain.tokens.length > 0 ? chain.tokens : findingTokens(f));
  const out: string[] = [];
  for (const tr of tracks.values()) if (primaryTokens(tr).some((k) => wanted.has(k))) out.push(tr.key);
  return out;
}

/** The tokens that name the object itself (a slot is named by its device and PASID, not by its domain). */
function primaryTokens(tr: ObjectTrack): string[] {
  const id = tr.key.slice(tr.key.indexOf(':') + 1);
  switch (tr.kind) {
    case 'slot':
      return [...tr.refs].filter((r) => r.startsWith('slot:'));
    case 'domain':
      return [`domain:${id}`];
    case 'handle':
      return [`handle:${id}`];
    case 'ioasid':
      return [`ioasid:${id.slice(id.lastIndexOf('/') + 1)}`];
    case 'globalPasid':
      return [`pasid:${id}`];
    case 'mm':
      return [`mm:${id}`];
    case 'registration':
      return [`ops:${id}`];
    case 'device':
      return [`dev:${id}`];
    case 'rootTable':
      return [`iommu:${id}`];
    case 'bond':
      return [...tr.refs].filter((r) => r.startsWith('slot:'));
    default:
      return [];
  }
}

export type { Fact };
