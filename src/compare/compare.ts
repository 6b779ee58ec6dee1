/**
 * What changes on another kernel: one trace replayed under two kernels' rules (the model deciding
 * every return on both), the differences per record grouped by cause, and each difference tied to
 * the era boundary responsible. The boundary is found by bisection over the era boundaries between
 * the two kernels (never over every release): the first boundary at which the record's outcome is no
 * longer what it is on the first kernel. When several flags or calls change at that boundary, each
 * is applied alone to the profile before it (a counterfactual replay) to name the one responsible.
 * Pure and deterministic; replays are memoised per profile.
 */
import { compareVersions, parseKernelVersion, type KernelVersion } from '../../machines/kit/version.js';
import { profileOnHostOf, stableSteps, type Profile } from '../../machines/profile.js';
import type { Entry } from '../replay/replayTrace.js';
import type { CallName } from '../../events/records.js';
import { boundariesIn, boundaryName, changeName, changesBetween, flagsOfCall, versionKernel, withChange, type Change } from './boundaries.js';
import { retKey, retSeenText, runKernel, type FindingSeen, type FullRun, type KernelRun, type RetSeen } from './run.js';

export const CAUSES = ['call', 'return', 'state', 'nested', 'finding'] as const;
export type Cause = (typeof CAUSES)[number];

export const CAUSE_TITLES: Record<Cause, string> = {
  call: 'calls that do not exist in one of the kernels',
  return: 'different returns',
  state: 'different state changes (refcounts, lifetimes: what is allocated, freed, bound, attached)',
  nested: 'different calls made inside a call (what nested kernel calls and driver callbacks are given)',
  finding: 'findings that appear, vanish or change the kernel reaction',
};

/** How the responsible changes were told apart from the others at their boundary. */
export type Attribution =
  /** The only change at that boundary. */
  | 'only-change'
  /** Whether the call exists is the call's own version range. */
  | 'version-map'
  /** Applied alone to the kernel before the boundary, this change (and no other) makes the difference. */
  | 'counterfactual'
  /** No single change makes it alone: the changes of the boundary together. */
  | 'jointly';

export interface Blame {
  /** The boundary, e.g. "6.9" (from its first -rc) or "6.8-rc6". */
  readonly boundary: string;
  readonly responsible: readonly Change[];
  /** The other changes at the same boundary. */
  readonly alongside: readonly Change[];
  readonly attribution: Attribution;
}

export interface Difference {
  readonly cause: Cause;
  /** The record (for end-of-trace findings: the record that created the object, or null). */
  readonly seq: number | null;
  readonly line: number | null;
  readonly fn: string | null;
  readonly atEnd: boolean;
  /** For findings: the finding's code and the objects it names; for the other causes, the function. */
  readonly subject: string;
  /** What it is on each kernel, in words. */
  readonly from: string;
  readonly to: string;
  /** What it is on each kernel, as data (stable: see docs/compare.md). */
  readonly detail: DifferenceDetail;
  readonly blame: Blame;
}

export type DifferenceDetail =
  | { readonly cause: 'call'; readonly existsFrom: boolean; readonly existsTo: boolean; readonly retFrom: RetSeen | null; readonly retTo: RetSeen | null; readonly findingsFrom: readonly string[]; readonly findingsTo: readonly string[] }
  | { readonly cause: 'return'; readonly retFrom: RetSeen; readonly retTo: RetSeen }
  | { readonly cause: 'state'; readonly onlyFrom: readonly string[]; readonly onlyTo: readonly string[] }
  | { readonly cause: 'nested'; readonly onlyFrom: readonly string[]; readonly onlyTo: readonly string[] }
  | { readonly cause: 'finding'; readonly code: string; readonly change: 'appears' | 'vanishes' | 'reaction'; readonly reactionFrom: string | null; readonly reactionTo: string | null; readonly message: string };

export interface BoundaryCrossed {
  readonly boundary: string;
  readonly changes: readonly Change[];
  /** How many of the pair's differences first appear at this boundary. */
  readonly differences: number;
}

export interface PairSummary {
  readonly total: number;
  readonly byCause: Readonly<Record<Cause, number>>;
  readonly findings: { readonly appear: number; readonly vanish: number; readonly reaction: number };
  /** Replays run for this pair (the two kernels, bisection probes and counterfactuals). */
  readonly replays: number;
}

export interface PairComparison {
  readonly from: string;
  readonly to: string;
  readonly fromEra: string;
  readonly toEra: string;
  /** Every era boundary between the two kernels, in the direction of the comparison. */
  readonly boundaries: readonly BoundaryCrossed[];
  readonly differences: readonly Difference[];
  readonly summary: PairSummary;
}

/** Memoised replays of one trace: one per distinct profile (the same rules give the same run). */
export class RunCache {
  readonly #runs = new Map<string, KernelRun>();
  replays = 0;
  constructor(readonly entries: readonly Entry[]) {}

  readonly #variants = new Map<string, Profile>();

  /** `before` with one change applied, the same object every time (so its run is found again). */
  variant(before: Profile, c: Change): Profile {
    const key = `${profileKey(before)}|${changeName(c)}`;
    let p = this.#variants.get(key);
    if (p === undefined) this.#variants.set(key, (p = withChange(before, c)));
    return p;
  }

  /** The run of a profile if it was replayed already (no replay). */
  peek(p: Profile): KernelRun | undefined {
    return this.#runs.get(profileKey(p));
  }

  /** The run of a profile, digests only unless it was replayed in full already (bisection needs no more). */
  run(p: Profile): KernelRun {
    const key = profileKey(p);
    let r = this.#runs.get(key);
    if (r === undefined) {
      this.replays++;
      r = runKernel(this.entries, p, false);
      this.#runs.set(key, r);
    }
    return r;
  }

  /** The run of a profile with the texts per record (the two kernels a comparison reports). */
  full(p: Profile): FullRun {
    const key = profileKey(p);
    let r = this.#runs.get(key);
    if (r === undefined || r.records === null) {
      this.replays++;
      r = runKernel(this.entries, p, true);
      this.#runs.set(key, r);
    }
    return r as FullRun;
  }
}

const KEYS = new WeakMap<Profile, string>();

/**
 * Profiles with the same rules give the same run: the flags, the host facts the rules read (vendor,
 * arch, the x86 SVA disable) and the calls; the kernel string only names it in messages.
 */
function profileKey(p: Profile): string {
  const known = KEYS.get(p);
  if (known !== undefined) return known;
  const key = computeKey(p);
  KEYS.set(p, key);
  return key;
}

const NAMING_ONLY = new Set(['kernel', 'era', 'major', 'minor', 'sublevel', 'calls']);

function computeKey(p: Profile): string {
  const rules = Object.entries(p)
    .filter(([k]) => !NAMING_ONLY.has(k))
    .map(([k, v]) => `${k}:${String(v)}`)
    .sort()
    .join(',');
  return `${rules}|${[...p.calls].sort().join(',')}`;
}

const retText = retSeenText;

/** Multiset difference of fact lines: those in `a` not matched in `b`. */
function minus(a: readonly string[], b: readonly string[]): string[] {
  const left = new Map<string, number>();
  for (const x of b) left.set(x, (left.get(x) ?? 0) + 1);
  const out: string[] = [];
  for (const x of a) {
    const n = left.get(x) ?? 0;
    if (n > 0) left.set(x, n - 1);
    else out.push(x);
  }
  return out;
}

/** What decides a difference on one kernel: two runs with the same probe value agree on it (a run's digests suffice). */
type Probe = (run: KernelRun) => string | number;

/** A difference before it is dated: what blame needs to find its boundary. */
interface Found extends Omit<Difference, 'blame'> {
  readonly probe: Probe;
  /** For a call difference: the call (its own range decides it). */
  readonly call?: string;
}

const findingProbe = (seq: number | null, pos: number | undefined, key: string, atEnd: boolean): Probe => (run) =>
  (atEnd ? run.digests.end.get(`${seq ?? '-'} ${key}`) : pos === undefined ? undefined : run.digests.findings.get(pos)?.get(key)) ?? '-';

function findingDiffs(
  seq: number | null, pos: number | undefined, line: number | null, fn: string | null, atEnd: boolean,
  a: ReadonlyMap<string, FindingSeen>, b: ReadonlyMap<string, FindingSeen>, ka: string, kb: string,
): Found[] {
  const out: Found[] = [];
  const keys = [...new Set([...a.keys(), ...b.keys()])];
  for (const key of keys) {
    const fa = a.get(key);
    const fb = b.get(key);
    const any = (fa ?? fb) as FindingSeen;
    const probeKey = atEnd ? key.slice(key.indexOf(' ') + 1) : key;
    const base = { cause: 'finding' as const, seq, line: any.line ?? line, fn: any.fn ?? fn, atEnd, subject: probeKey, probe: findingProbe(seq, pos, probeKey, atEnd) };
    if (fa !== undefined && fb === undefined) {
      out.push({ ...base, from: `${fa.code}: ${fa.message}`, to: 'not raised', detail: { cause: 'finding', code: fa.code, change: 'vanishes', reactionFrom: fa.reaction, reactionTo: null, message: fa.message } });
    } else if (fa === undefined && fb !== undefined) {
      out.push({ ...base, from: 'not raised', to: `${fb.code}: ${fb.message}`, detail: { cause: 'finding', code: fb.code, change: 'appears', reactionFrom: null, reactionTo: fb.reaction, message: fb.message } });
    } else if (fa !== undefined && fb !== undefined && fa.reaction !== fb.reaction) {
      out.push({ ...base, from: `${fa.code} (${fa.reaction} on ${ka})`, to: `${fb.code} (${fb.reaction} on ${kb})`, detail: { cause: 'finding', code: fa.code, change: 'reaction', reactionFrom: fa.reaction, reactionTo: fb.reaction, message: fb.message } });
    }
  }
  return out;
}

/** The differences between two runs of the same entries (no blame), in trace order, end-of-trace findings last. */
export function compareRuns(entries: readonly Entry[], ra: FullRun, rb: FullRun): { cause: Cause; seq: number | null; subject: string; from: string; to: string }[] {
  return differencesOf(entries, ra, rb).map(({ cause, seq, subject, from, to }) => ({ cause, seq, subject, from, to }));
}

function differencesOf(entries: readonly Entry[], ra: FullRun, rb: FullRun): Found[] {
  const ka = ra.profile.kernel;
  const kb = rb.profile.kernel;
  const out: Found[] = [];
  for (const [pos, e] of entries.entries()) {
    const { seq, fn } = e.record;
    const a = ra.records.get(seq)!;
    const b = rb.records.get(seq)!;
    const where = { seq, line: e.line, fn, atEnd: false, subject: fn };
    if (a.exists !== b.exists) {
      const on = a.exists ? a : b;
      const findings = [...on.findings.values()].map((f) => f.code);
      out.push({
        ...where, cause: 'call', call: fn,
        from: a.exists ? `exists (returns ${retText(a.ret)})` : `does not exist in ${ka}`,
        to: b.exists ? `exists (returns ${retText(b.ret)})` : `does not exist in ${kb}`,
        detail: { cause: 'call', existsFrom: a.exists, existsTo: b.exists, retFrom: a.exists ? a.ret : null, retTo: b.exists ? b.ret : null, findingsFrom: a.exists ? findings : [], findingsTo: b.exists ? findings : [] },
        probe: (run) => String(run.profile.calls.has(fn)),
      });
      // Why: a call that is not there has no return, facts or findings of its own to compare.
      continue;
    }
    if (retKey(a.ret) !== retKey(b.ret)) {
      out.push({ ...where, cause: 'return', from: retText(a.ret), to: retText(b.ret), detail: { cause: 'return', retFrom: a.ret, retTo: b.ret }, probe: (run) => run.digests.ret[pos] });
    }
    const lines = (cause: 'state' | 'nested', la: readonly string[], lb: readonly string[]) => {
      const onlyA = minus(la, lb);
      const onlyB = minus(lb, la);
      if (onlyA.length === 0 && onlyB.length === 0) return;
      out.push({
        ...where, cause,
        from: onlyA.length === 0 ? '(nothing else)' : onlyA.join('; '),
        to: onlyB.length === 0 ? '(nothing else)' : onlyB.join('; '),
        detail: { cause, onlyFrom: onlyA, onlyTo: onlyB },
        probe: (run) => (cause === 'state' ? run.digests.facts : run.digests.nested)[pos],
      });
    };
    lines('state', a.facts, b.facts);
    lines('nested', a.nested, b.nested);
    out.push(...findingDiffs(seq, pos, e.line, fn, false, a.findings, b.findings, ka, kb));
  }
  // End-of-trace findings (leaks) point at the record that created the object.
  const lineOf = new Map(entries.map((e) => [e.record.seq, e]));
  const seqOf = (k: string) => (k.startsWith('- ') ? null : Number(k.slice(0, k.indexOf(' '))));
  const keys = [...new Set([...ra.end.keys(), ...rb.end.keys()])].sort((x, y) => (seqOf(x) ?? Infinity) - (seqOf(y) ?? Infinity) || (x < y ? -1 : x > y ? 1 : 0));
  for (const k of keys) {
    const seq = seqOf(k);
    const e = seq === null ? undefined : lineOf.get(seq);
    const pick = (m: KernelRun['end']) => new Map(m.has(k) ? [[k, m.get(k) as FindingSeen]] : []);
    out.push(...findingDiffs(seq, undefined, e?.line ?? null, e?.record.fn ?? null, true, pick(ra.end), pick(rb.end), ka, kb));
  }
  return out;
}

/** A point of the walk from the first kernel to the second: a profile, and the boundary crossed to reach it (null for the first). */
interface Point {
  readonly profile: Profile;
  /** "6.9-rc2" for an era boundary, "6.12.64" for a stable backport. */
  readonly boundary: string | null;
}

/** The stable point of a series at which a backport lands, as a kernel string ("6.12.64"). */
const stableKernel = (v: KernelVersion, sublevel: number) => `${v.major}.${v.minor}.${sublevel}`;

/**
 * The kernels to replay from `a` to `b`: `a`, one kernel per era boundary between them, `b` (in b's
 * segment). Two kernels of one stable series cross no era boundary but may cross backports (the
 * x86 SVA disable at 6.12.64, the skip of devices without PASIDs at 6.12.93): one point each.
 */
function walk(a: Profile, b: Profile): Point[] {
  const va = parseKernelVersion(a.kernel) as KernelVersion;
  const vb = parseKernelVersion(b.kernel) as KernelVersion;
  const up = compareVersions(va, vb) <= 0 && (compareVersions(va, vb) !== 0 || (a.sublevel ?? 0) <= (b.sublevel ?? 0));
  const [lo, hi] = up ? [va, vb] : [vb, va];
  const crossed = boundariesIn(lo, hi);
  const points: Point[] = [{ profile: a, boundary: null }];
  if (crossed.length === 0 && compareVersions(va, vb) === 0 && va.rc === null && a.sublevel !== null && b.sublevel !== null) {
    const [sLo, sHi] = up ? [a.sublevel, b.sublevel] : [b.sublevel, a.sublevel];
    const steps = stableSteps(`${va.major}.${va.minor}`).filter((s) => s > sLo && s <= sHi);
    const ordered = up ? steps : [...steps].reverse();
    // Going down, crossing the backport at s lands just below it (s - 1), or on b for the last one.
    ordered.forEach((s, i) => {
      const last = i === ordered.length - 1;
      points.push({ profile: last ? b : (profileOnHostOf(a, stableKernel(va, up ? s : s - 1)) as Profile), boundary: stableKernel(va, s) });
    });
    if (ordered.length === 0 && profileKey(a) !== profileKey(b)) points.push({ profile: b, boundary: b.kernel });
    return points;
  }
  if (up) {
    crossed.forEach((bv, i) => points.push({ profile: i === crossed.length - 1 ? b : (profileOnHostOf(a, versionKernel(bv)) as Profile), boundary: boundaryName(bv) }));
  } else {
    // Going down, crossing boundary bv lands in the segment below it: the next boundary down's, or b's.
    const down = [...crossed].reverse();
    down.forEach((bv, i) => points.push({ profile: i === down.length - 1 ? b : (profileOnHostOf(a, versionKernel(down[i + 1])) as Profile), boundary: boundaryName(bv) }));
  }
  return points;
}

/** Which of the boundary's changes, applied alone to the profile before it, changes what the probe sees. */
function blame(cache: RunCache, before: Profile, after: Profile, name: string, d: Found): Blame {
  const changes = changesBetween(before, after);
  const flagNames = changes.flatMap((c) => (c.kind === 'flag' ? [c.flag] : []));
  // A call range carries no commit: the flag that tracks it at this boundary names the commit and section.
  const withFlags = (chosen: readonly Change[]): Change[] => {
    const flags = new Set(chosen.flatMap((c) => (c.kind === 'call' ? flagsOfCall(c.fn, flagNames) : [])));
    return changes.filter((c) => chosen.includes(c) || (c.kind === 'flag' && flags.has(c.flag)));
  };
  if (d.call !== undefined) {
    const own = withFlags(changes.filter((c) => c.kind === 'call' && c.fn === (d.call as CallName)));
    return { boundary: name, responsible: own, alongside: changes.filter((c) => !own.includes(c)), attribution: 'version-map' };
  }
  if (changes.length === 1) return { boundary: name, responsible: changes, alongside: [], attribution: 'only-change' };
  const seenBefore = d.probe(cache.run(before));
  const seenAfter = d.probe(cache.run(after));
  const alone = changes.map((c) => {
    try {
      return { c, seen: d.probe(cache.run(cache.variant(before, c))) };
    } catch {
      // Why: one flag flipped alone can be a combination no kernel had; the model may refuse it.
      return { c, seen: seenBefore };
    }
  });
  // The changes that alone give what the kernel after the boundary gives; else those that alone change anything.
  const exact = alone.filter((x) => x.seen === seenAfter).map((x) => x.c);
  const some = exact.length > 0 ? exact : alone.filter((x) => x.seen !== seenBefore).map((x) => x.c);
  if (some.length === 0) return { boundary: name, responsible: changes, alongside: [], attribution: 'jointly' };
  const responsible = withFlags(some);
  return { boundary: name, responsible, alongside: changes.filter((c) => !responsible.includes(c)), attribution: 'counterfactual' };
}

/**
 * Compares the trace on kernel `a` with kernel `b`. Each difference is found on the two kernels,
 * then bisected over the era boundaries between them to the first one at which it appears.
 */
export function comparePair(cache: RunCache, a: Profile, b: Profile): PairComparison {
  const before = cache.replays;
  const points = walk(a, b);
  const runAt = (i: number) => cache.run(points[i].profile);
  const ra = cache.full(points[0].profile);
  const rb = cache.full(points[points.length - 1].profile);
  const found = differencesOf(cache.entries, ra, rb);
  const differences: Difference[] = found.map((d) => {
    const seenA = d.probe(ra);
    const differs = (i: number) => d.probe(runAt(i)) !== seenA;
    let hi: number;
    if (d.call !== undefined) {
      // Whether a call exists needs no replay: the first kernel without (or with) it, exactly.
      hi = points.findIndex((p) => String(p.profile.calls.has(d.call as CallName)) !== seenA);
    } else {
      // Bisection: points[lo] agrees with a, points[hi] does not.
      const bisect = (lo: number, top: number) => {
        let h = top;
        while (h - lo > 1) {
          const mid = (lo + h) >> 1;
          if (differs(mid)) h = mid;
          else lo = mid;
        }
        return h;
      };
      hi = bisect(0, points.length - 1);
      // Why: a rule can come and go (ioasid_free: gone in v5.11, back in v5.18); an earlier kernel
      // already replayed that differs from a moves the search below it, at no extra replay.
      for (;;) {
        const earlier = points.slice(1, hi).findIndex((p) => {
          const r = cache.peek(p.profile);
          return r !== undefined && d.probe(r) !== seenA;
        });
        if (earlier < 0) break;
        hi = bisect(0, earlier + 1);
      }
    }
    const { probe: _probe, call: _call, ...rest } = d;
    return { ...rest, blame: blame(cache, points[hi - 1].profile, points[hi].profile, points[hi].boundary as string, d) };
  });
  const boundaries = points.slice(1).map((p, i) => {
    const name = p.boundary as string;
    return { boundary: name, changes: changesBetween(points[i].profile, p.profile), differences: differences.filter((d) => d.blame.boundary === name).length };
  });
  const byCause = { call: 0, return: 0, state: 0, nested: 0, finding: 0 };
  const findings = { appear: 0, vanish: 0, reaction: 0 };
  for (const d of differences) {
    byCause[d.cause]++;
    if (d.detail.cause === 'finding') findings[d.detail.change === 'appears' ? 'appear' : d.detail.change === 'vanishes' ? 'vanish' : 'reaction']++;
  }
  return {
    from: a.kernel,
    to: b.kernel,
    fromEra: a.era,
    toEra: b.era,
    boundaries,
    differences,
    summary: { total: differences.length, byCause, findings, replays: cache.replays - before },
  };
}
