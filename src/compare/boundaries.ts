/**
 * The era boundaries: the versions at which the profile changes (a flag of the era table `FLAGS`,
 * or which calls exist, each call's `exists`), and what changes at each. `compare` walks these,
 * never every release. Derived from the tables, so a new flag or call range is a new boundary. Pure.
 */
import { CALL_NAMES, type CallName } from '../../events/records.js';
import { CALLS } from '../../machines/calls/index.js';
import { compareVersions, formatRanges, parseKernelVersion, type KernelVersion, type VersionRange } from '../../machines/kit/version.js';
import { FLAGS, OLDEST_SUPPORTED, profileFor, type Profile, type SvaDisabled } from '../../machines/profile.js';

export type FlagName = keyof typeof FLAGS;
export const FLAG_NAMES = Object.keys(FLAGS) as FlagName[];

/** One thing that differs between two profiles: a flag of the era table, or whether a call exists. */
export type Change =
  | { readonly kind: 'flag'; readonly flag: FlagName; readonly from: boolean; readonly to: boolean; readonly commit: string; readonly doc: string }
  | { readonly kind: 'call'; readonly fn: CallName; readonly from: boolean; readonly to: boolean; readonly exists: string; readonly where: string }
  /** A stable-only backport the era table cannot hold: the x86 SVA disable (72f98ef9a4be, stable series only). */
  | { readonly kind: 'backport'; readonly name: 'x86SvaDisabled'; readonly from: SvaDisabled; readonly to: SvaDisabled; readonly commit: string; readonly doc: string };

/** The name of a change: its flag, call or backport. */
export const changeName = (c: Change): string => (c.kind === 'flag' ? c.flag : c.kind === 'call' ? c.fn : c.name);

/** A version bound as the tables write it: '6.2' is the first release candidate of 6.2 (rc 0). */
function boundOf(text: string): KernelVersion {
  const v = parseKernelVersion(text) as KernelVersion;
  return v.rc === null && !/-rc/.test(text) ? { ...v, rc: 0 } : v;
}

/** The kernel string that stands for a boundary: "6.2" for the first -rc of 6.2, "6.8-rc6". */
export function boundaryName(v: KernelVersion): string {
  return v.rc === null || v.rc === 0 ? `${v.major}.${v.minor}` : `${v.major}.${v.minor}-rc${v.rc}`;
}

const key = (v: KernelVersion) => `${v.major}.${v.minor}-${v.rc ?? 'final'}`;

/** What differs between two profiles, flags first (in the era table's order), then the x86 SVA disable, then calls. */
export function changesBetween(a: Profile, b: Profile): Change[] {
  const out: Change[] = [];
  for (const flag of FLAG_NAMES) {
    if (a[flag] !== b[flag]) out.push({ kind: 'flag', flag, from: a[flag], to: b[flag], commit: FLAGS[flag].commit, doc: FLAGS[flag].doc });
  }
  if (a.x86SvaDisabled !== b.x86SvaDisabled) {
    out.push({ kind: 'backport', name: 'x86SvaDisabled', from: a.x86SvaDisabled, to: b.x86SvaDisabled, commit: '72f98ef9a4be iommu: disable SVA when CONFIG_X86 is set (stable only)', doc: '§3.4' });
  }
  for (const fn of CALL_NAMES) {
    const from = a.calls.has(fn);
    const to = b.calls.has(fn);
    if (from !== to) out.push({ kind: 'call', fn, from, to, exists: formatRanges(CALLS[fn].exists), where: `machines/calls/${fn}.ts` });
  }
  return out;
}

export const sameProfile = (a: Profile, b: Profile) => changesBetween(a, b).length === 0;

/**
 * Every version at which the profile changes, oldest first: each bound of the era table and of the
 * calls' ranges, plus any release candidate at which a profile changes inside a bound's release
 * (v6.8-rc6, where the handle-sharing fix landed). Only bounds that really change the profile count.
 */
export function boundaries(): readonly KernelVersion[] {
  // Why on first use: computing them builds a profile per candidate version, which every command's start-up paid for.
  return (known ??= findBoundaries());
}
let known: readonly KernelVersion[] | undefined;

function findBoundaries(): readonly KernelVersion[] {
  const ranges: VersionRange[] = [...FLAG_NAMES.flatMap((f) => FLAGS[f].in), ...CALL_NAMES.flatMap((fn) => CALLS[fn].exists)];
  const candidates = new Map<string, KernelVersion>();
  const add = (v: KernelVersion) => candidates.set(key(v), v);
  for (const r of ranges) {
    for (const text of [r.since, r.until]) {
      if (text === undefined) continue;
      const v = boundOf(text);
      add(v);
      // Why: a flag may be narrowed to part of a release outside the table (profileFor's rc cases).
      for (let rc = 1; rc <= 10; rc++) add({ ...v, rc });
      add({ ...v, rc: null });
    }
  }
  const sorted = [...candidates.values()].sort(compareVersions);
  const out: KernelVersion[] = [];
  let prev = profileFor(versionKernel(OLDEST_SUPPORTED)) as Profile;
  for (const v of sorted) {
    if (compareVersions(v, { ...OLDEST_SUPPORTED, rc: 0 }) <= 0) continue;
    const p = profileFor(versionKernel(v)) as Profile;
    if (!sameProfile(prev, p)) {
      out.push(v);
      prev = p;
    }
  }
  return out;
}

/** A kernel string for any version, as profileFor reads it (rc 0, "from the first -rc", is -rc1). */
export function versionKernel(v: KernelVersion): string {
  return v.rc === null ? `${v.major}.${v.minor}.0` : v.rc === 0 ? `${v.major}.${v.minor}.0-rc1` : `${v.major}.${v.minor}.0-rc${v.rc}`;
}

/** The boundaries strictly after `lo` and at or before `hi` (lo < hi). */
export function boundariesIn(lo: KernelVersion, hi: KernelVersion): KernelVersion[] {
  return boundaries().filter((b) => compareVersions(b, lo) > 0 && compareVersions(b, hi) <= 0);
}

/** The boundary whose segment holds `v` (null in the oldest segment). */
export function segmentStart(v: KernelVersion): KernelVersion | null {
  let at: KernelVersion | null = null;
  for (const b of boundaries()) if (compareVersions(b, v) <= 0) at = b;
  return at;
}

/** "ioasidRefcount (cb4789b0d19f …, §1.7)" or "ioasid_free exists v5.5–before v5.11 (machines/calls/ioasid_free.ts)". */
export function describeChange(c: Change): string {
  if (c.kind === 'flag') return `${c.flag} ${c.from ? 'on' : 'off'} → ${c.to ? 'on' : 'off'} (${c.commit}, ${c.doc})`;
  if (c.kind === 'backport') return `${c.name} ${c.from} → ${c.to} (${c.commit}, ${c.doc})`;
  return `${c.fn} ${c.to ? 'appears' : 'is gone'} (exists ${c.exists}; ${c.where})`;
}

/** The profile `base` with one change applied (a counterfactual: which change alone makes a difference). */
export function withChange(base: Profile, c: Change): Profile {
  if (c.kind === 'flag') return { ...base, [c.flag]: c.to };
  if (c.kind === 'backport') return { ...base, [c.name]: c.to };
  const calls = new Set(base.calls);
  if (c.to) calls.add(c.fn);
  else calls.delete(c.fn);
  return { ...base, calls };
}

/**
 * The era-table flags that stand for a call's range at a boundary (their commit and section): those
 * among the flags changing there that the call's definition says its range follows (`existsFollows`).
 * `ioasid` for the ioasid_* calls at v6.4, `ioasidRefcount` for ioasid_free at v5.11.
 */
export function flagsOfCall(fn: CallName, candidates: readonly FlagName[]): FlagName[] {
  const follows: readonly string[] = CALLS[fn].existsFollows ?? [];
  return candidates.filter((f) => follows.includes(f));
}

/** The profile of the segment just before a boundary (the oldest kernel's for the first boundary). */
export function profileBefore(boundary: KernelVersion): Profile {
  let before: KernelVersion = OLDEST_SUPPORTED;
  for (const b of boundaries()) if (compareVersions(b, boundary) < 0) before = b;
  return profileFor(versionKernel(before)) as Profile;
}
