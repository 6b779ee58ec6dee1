/**
 * Kernel versions and the release ranges rules and functions live in. A range is `[since, until)`:
 * `since: '6.2'` holds from v6.2-rc1 on; `until: '6.4'` stops before v6.4-rc1; `-rcN` narrows either
 * end to a release candidate (`until: '6.8'` with `since: '6.8-rc6'` on the next range). Pure.
 */

export interface KernelVersion {
  readonly major: number;
  readonly minor: number;
  /** Release candidate number, or null for a release. */
  readonly rc: number | null;
}

/** Parses "6.8.0", "v6.2-rc3", "5.15.0-91-generic"; null when it is not a version. */
export function parseKernelVersion(kernel: string): KernelVersion | null {
  const m = /^v?(\d+)\.(\d+)(?:\.\d+)?(?:-rc(\d+))?/.exec(kernel);
  if (!m) return null;
  return { major: Number(m[1]), minor: Number(m[2]), rc: m[3] === undefined ? null : Number(m[3]) };
}

/** Orders versions: 6.8-rc1 < 6.8-rc5 < 6.8 < 6.9-rc1. */
export function compareVersions(a: KernelVersion, b: KernelVersion): number {
  if (a.major !== b.major) return a.major - b.major;
  if (a.minor !== b.minor) return a.minor - b.minor;
  // A release sorts after all of its release candidates.
  const ra = a.rc ?? Number.POSITIVE_INFINITY;
  const rb = b.rc ?? Number.POSITIVE_INFINITY;
  return ra === rb ? 0 : ra < rb ? -1 : 1;
}

/** A bound as written in a range: '6.2' means the first -rc of 6.2. */
function bound(text: string): KernelVersion {
  const v = parseKernelVersion(text);
  if (v === null) throw new Error(`bad version bound "${text}" (a pasid-ledger bug)`);
  return v.rc === null && !/-rc/.test(text) ? { ...v, rc: 0 } : v;
}

export interface VersionRange {
  /** First version (inclusive); absent = since the oldest modelled kernel. */
  readonly since?: string;
  /** First version no longer in the range (exclusive); absent = still in the newest kernel. */
  readonly until?: string;
}

export function inRange(v: KernelVersion, r: VersionRange): boolean {
  if (r.since !== undefined && compareVersions(v, bound(r.since)) < 0) return false;
  if (r.until !== undefined && compareVersions(v, bound(r.until)) >= 0) return false;
  return true;
}

export function inAnyRange(v: KernelVersion, ranges: readonly VersionRange[]): boolean {
  return ranges.some((r) => inRange(v, r));
}

export function formatRanges(ranges: readonly VersionRange[]): string {
  return ranges.map((r) => (r.until === undefined ? `v${r.since ?? '5.5'}+` : `v${r.since ?? '5.5'}–before v${r.until}`)).join(', ');
}
