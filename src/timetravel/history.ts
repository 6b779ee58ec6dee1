/**
 * History of one object: every record that touched it, with the object's state before and after
 * (read from the view of the positions around the record); and the chain of records that led to a
 * finding. Runs on the index (the replay's facts and snapshots); no rule is re-implemented. Pure.
 */
import type { Fact } from '../../events/facts.js';
import type { CallRecord } from '../../events/records.js';
import { err, ledgerError, ok, type LedgerError, type Result } from '../core/result.js';
import { allocatorListKind, deviceKind, idSpaceKind } from '../../machines/index.js';
import type { Snap } from '../../machines/kit/lifecycle.js';
import { World } from '../../machines/kit/world.js';
import type { Profile } from '../../machines/profile.js';
import { projectWorld } from '../projections/projectWorld.js';
import type { Finding } from '../replay/finding.js';
import { Cursor } from './cursor.js';
import { describe, diffViews, flattenView, type Change } from './diffViews.js';
import type { TravelIndex } from './index.js';
import { findingTokens, recordTokens } from './refs.js';
import { asTimeline, type Timeline } from './timeline.js';

export interface ObjectState {
  readonly label: string;
  readonly state: string;
}

export interface HistoryItem {
  readonly seq: number;
  readonly line: number | null;
  readonly tid: number;
  readonly fn: string;
  readonly parent: number | null;
  /** Where the call returned to, when the capture recorded it. */
  readonly caller?: string;
  readonly args: CallRecord['args'];
  readonly ret: CallRecord['ret'];
  readonly facts: readonly Fact[];
  /** Findings this record raised (in the full run). */
  readonly findings: readonly Finding[];
  /** The selected objects right before and right after the record. */
  readonly before: readonly ObjectState[];
  readonly after: readonly ObjectState[];
  /** What changed among the selected objects. */
  readonly changes: readonly Change[];
}

function selected(view: ReturnType<typeof projectWorld>, tokens: ReadonlySet<string>): ObjectState[] {
  return flattenView(view).filter((o) => o.refs.some((r) => tokens.has(r))).map((o) => ({ label: o.label, state: describe(o) }));
}

/** Kinds whose view objects read other objects of the same kinds (allocator entries, a group's reset): projected whole. */
const WHOLE_KINDS: readonly (readonly string[])[] = [[allocatorListKind.id, idSpaceKind.id], [deviceKind.id]];

/**
 * The view of only some objects of a world (and every object of a kind whose view objects read
 * each other): what the selected objects look like, without projecting the whole world.
 */
export function subView(profile: Profile, keys: ReadonlySet<string>, get: (key: string) => Snap<unknown> | undefined, whole: World): ReturnType<typeof projectWorld> {
  const objects = new Map<string, Snap<unknown>>();
  const wanted = new Set(keys);
  // Why: `whole` is the world after; objects of a whole kind only before are among the changed keys.
  for (const group of WHOLE_KINDS) {
    if (![...keys].some((k) => group.includes(k.slice(0, k.indexOf(':'))))) continue;
    for (const kind of group) for (const [id] of whole.entriesOf(kind)) wanted.add(`${kind}:${id}`);
  }
  for (const k of wanted) {
    const snap = get(k);
    if (snap !== undefined) objects.set(k, snap);
  }
  return projectWorld(new World(profile, 'fast', objects));
}

/**
 * Whether an object may show one of the token values: the value itself (an ops name such as
 * `dmar0/pasid_allocator`), or each of its parts split at '/' (a slot's `dev/pasid`), is its id, a
 * part of its id, or a value of its context (arrays included). A superset
 * of the objects whose view names a token, cheap enough to ask of every change.
 */
function mentions(key: string, snap: Snap<unknown> | undefined, values: readonly (readonly string[])[]): boolean {
  const seen = new Set<string>();
  const id = key.slice(key.indexOf(':') + 1);
  seen.add(id);
  for (const part of id.split('/')) seen.add(part);
  const ctx = snap?.context;
  if (ctx !== null && typeof ctx === 'object') {
    for (const v of Object.values(ctx as Record<string, unknown>)) {
      if (Array.isArray(v)) for (const x of v) seen.add(String(x));
      else if (v !== null && typeof v !== 'object') seen.add(String(v));
    }
  }
  return values.some((parts) => seen.has(parts.join('/')) || parts.every((p) => seen.has(p)));
}

/**
 * Every record (up to record index `until`, inclusive) whose args, return or facts name one of
 * `tokens`. `onItem(done, total)` after each (progress).
 *
 * Only the objects that changed on the way are projected (not the whole world, mostly dead objects
 * on a long trace): an object's view names a token only after a change that named it, and every
 * replay the walk restores tracks its changes from its checkpoint, so the changed objects seen so
 * far that mention a token include every object whose view can name one.
 */
export function historyOf(index: TravelIndex | Timeline, tokens: ReadonlySet<string>, until?: number, onItem?: (done: number, total: number) => void): HistoryItem[] {
  const tl = asTimeline(index);
  const last = until ?? tl.length - 1;
  const findings = new Map<number, Finding[]>();
  for (const f of tl.findings) if (f.seq !== null) findings.set(f.seq, [...(findings.get(f.seq) ?? []), f]);
  const touched = tl.touching(tokens, last);
  const cursor = new Cursor(tl, -1, (replay) => replay.world.trackChanges(), true);
  const changed = new Set<string>();
  const values = [...tokens].map((k) => k.slice(k.indexOf(':') + 1).split('/'));
  /** Moves to t; the objects changed since the last move (key → snapshot before); those that mention a token are remembered. */
  const move = (t: number) => {
    const w = cursor.moveTo(t).replay.world;
    const c = w.takeChanges();
    for (const [key, was] of c) if (!changed.has(key) && (mentions(key, w.byKey(key), values) || mentions(key, was, values))) changed.add(key);
    return { w, c };
  };
  const out: HistoryItem[] = [];
  for (const t of touched) {
    const e = tl.entry(t);
    const r = e.record;
    const { w: wb } = move(t - 1);
    const { w: wa, c } = move(t);
    // Why: a one-record step changes the same world (its changes hold the snapshots before it); a seek leaves the earlier world as it was.
    const beforeOf = (key: string) => (wa === wb && c.has(key) ? c.get(key) : wb.byKey(key));
    const before = subView(wb.profile, changed, beforeOf, wa);
    const after = subView(wa.profile, changed, (key) => wa.byKey(key), wa);
    out.push({
      seq: r.seq,
      line: e.line,
      tid: r.tid,
      fn: r.fn,
      parent: r.parent ?? null,
      ...(r.caller !== undefined ? { caller: r.caller } : {}),
      args: r.args,
      ret: r.ret,
      facts: tl.factsOf(t),
      findings: findings.get(r.seq) ?? [],
      before: selected(before, tokens),
      after: selected(after, tokens),
      changes: diffViews(before, after).filter((c) => c.refs.some((k) => tokens.has(k))),
    });
    onItem?.(out.length, touched.length);
  }
  return out;
}

/** Every finding of the full run, end-of-trace ones last (the numbering `--finding CODE:N` uses). */
export function allFindings(index: TravelIndex | Timeline): Finding[] {
  return [...index.findings, ...index.endFindings];
}

/** The Nth (1-based) finding with a code, or an error listing the codes the trace has. */
export function nthFinding(index: TravelIndex | Timeline, code: string, n: number, file = 'trace'): Result<Finding, LedgerError> {
  const all = allFindings(index);
  const same = all.filter((f) => f.code === code);
  if (n >= 1 && n <= same.length) return ok(same[n - 1]);
  const counts = new Map<string, number>();
  for (const f of all) counts.set(f.code, (counts.get(f.code) ?? 0) + 1);
  const have = [...counts].map(([c, k]) => `${c} (${k})`).join(', ') || 'none';
  return err(ledgerError('FINDING_NOT_FOUND', `--finding ${code}:${n}: the trace has ${same.length} ${code} finding(s)`, {
    file,
    field: '--finding',
    fix: `pick one of its findings: ${have}`,
  }));
}

/** The record index up to which a finding's chain runs: its record, or the end for an end-of-trace finding. */
export function chainEnd(index: TravelIndex | Timeline, f: Finding): number {
  const tl = asTimeline(index);
  if (f.atEnd || f.seq === null) return tl.length - 1;
  return tl.indexOf(f.seq) ?? tl.length - 1;
}

/**
 * The objects a finding's chain follows: the ones it names, where a device is narrowed to the PASID
 * slot the raising record names (a device alone would pull in all its records); an end-of-trace
 * finding names none, so the objects of the record that created the leaked object.
 */
export function chainTokens(index: TravelIndex | Timeline, f: Finding): Set<string> {
  const tl = asTimeline(index);
  const named = findingTokens(f);
  const t = f.seq === null ? undefined : tl.indexOf(f.seq);
  if (t === undefined) return named;
  const r = tl.entry(t).record;
  const own = recordTokens(r, tl.factsOf(t));
  const slots = [...own].filter((k) => k.startsWith('slot:'));
  if (named.size === 0) return new Set(slots.length > 0 ? slots : own);
  if (slots.length === 0) return named;
  return new Set([...[...named].filter((k) => !k.startsWith('dev:') && !k.startsWith('pasid:')), ...slots]);
}
