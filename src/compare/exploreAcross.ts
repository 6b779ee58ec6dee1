/**
 * `explore --kernel A --kernel B`: the race explorer run once per kernel on the same scenario, and
 * per finding code which racy orderings become bad (raised on B, not on A) or good (the reverse)
 * between consecutive kernels. The witness schedule of each such code is replayed on the other
 * kernel to show what that very ordering does there. Uses the explorer only through exploreBuilt.
 */
import type { CallRecord } from '../../events/records.js';
import type { Profile } from '../../machines/profile.js';
import { exploreBuilt, type ExploreOptions, type ExploreResult } from '../explore/explore.js';
import { buildScenario, type Scenario } from '../explore/scenario.js';
import { parseSchedule } from '../explore/schedule.js';
import { compareVersions, parseKernelVersion, type KernelVersion } from '../../machines/kit/version.js';
import { profileFor } from '../../machines/profile.js';
import { boundariesIn, boundaryName, changeName, changesBetween, profileBefore, versionKernel, type Change } from './boundaries.js';

export interface KernelExploration {
  readonly kernel: string;
  readonly era: string;
  readonly result: ExploreResult;
}

export interface CodeChange {
  readonly code: string;
  /** The shortest schedule raising it on the kernel where it is raised. */
  readonly schedule: string;
  /** The finding codes the same schedule raises on the other kernel (null when it cannot run there). */
  readonly otherCodes: readonly string[] | null;
}

export interface ExplorePair {
  readonly from: string;
  readonly to: string;
  /** The era boundaries between the two kernels and what changes at each (see compare's boundaries). */
  readonly boundaries: readonly { readonly boundary: string; readonly changes: readonly Change[] }[];
  readonly verdicts: readonly [string, string];
  /** Raised on `to` and not on `from`. */
  readonly becomeBad: readonly CodeChange[];
  /** Raised on `from` and not on `to`. */
  readonly becomeGood: readonly CodeChange[];
  /** Outcome classes (the set of finding codes of an execution) only on one side. */
  readonly outcomesOnlyFrom: readonly string[];
  readonly outcomesOnlyTo: readonly string[];
}

export interface ExploreAcross {
  readonly kernels: readonly KernelExploration[];
  readonly pairs: readonly ExplorePair[];
}

/** Each era boundary from a to b, with the changes it makes (in the direction of the comparison). */
function boundariesBetween(a: Profile, b: Profile): { boundary: string; changes: Change[] }[] {
  const va = parseKernelVersion(a.kernel) as KernelVersion;
  const vb = parseKernelVersion(b.kernel) as KernelVersion;
  const up = compareVersions(va, vb) <= 0;
  const crossed = up ? boundariesIn(va, vb) : boundariesIn(vb, va).reverse();
  return crossed.map((bv) => {
    const at = profileFor(versionKernel(bv)) as Profile;
    const below = profileBefore(bv);
    return { boundary: boundaryName(bv), changes: up ? changesBetween(below, at) : changesBetween(at, below) };
  });
}

function boundaryText(b: { boundary: string; changes: readonly Change[] }): string {
  const flags = b.changes.flatMap((c) => (c.kind === 'call' ? [] : [changeName(c)]));
  const calls = b.changes.filter((c) => c.kind === 'call').length;
  return `v${b.boundary} (${[...flags, ...(calls > 0 ? [`${calls} call range${calls === 1 ? '' : 's'}`] : [])].join(', ')})`;
}

const outcomeClass = (codes: readonly string[]) => (codes.length === 0 ? '(no findings)' : [...codes].sort().join(' '));

/** The codes one schedule raises on a scenario (the explorer's replay strategy), null if it does not fit. */
function codesOf(s: Scenario, schedule: string): string[] | null {
  const tasks = parseSchedule(s, schedule);
  if (!tasks.ok) return null;
  return exploreBuilt(s, { strategy: 'replay', schedule: tasks.value }).violations.map((v) => v.code);
}

export function exploreAcross(records: readonly CallRecord[], profiles: readonly Profile[], options: ExploreOptions = {}): ExploreAcross {
  const scenarios = profiles.map((p) => buildScenario(records, p));
  const kernels = scenarios.map((s, i) => ({ kernel: profiles[i].kernel, era: profiles[i].era, result: exploreBuilt(s, options) }));
  const pairs: ExplorePair[] = [];
  for (let i = 0; i + 1 < kernels.length; i++) {
    const [a, b] = [kernels[i], kernels[i + 1]];
    const codesA = new Map(a.result.violations.map((v) => [v.code, v.schedule]));
    const codesB = new Map(b.result.violations.map((v) => [v.code, v.schedule]));
    const only = (mine: Map<string, string>, other: Map<string, string>, otherScenario: Scenario): CodeChange[] =>
      [...mine].filter(([code]) => !other.has(code)).map(([code, schedule]) => ({ code, schedule, otherCodes: codesOf(otherScenario, schedule) }));
    const classesA = new Set(a.result.outcomes.map((o) => outcomeClass(o.codes)));
    const classesB = new Set(b.result.outcomes.map((o) => outcomeClass(o.codes)));
    pairs.push({
      from: a.kernel,
      to: b.kernel,
      boundaries: boundariesBetween(profiles[i], profiles[i + 1]),
      verdicts: [a.result.verdict, b.result.verdict],
      becomeBad: only(codesB, codesA, scenarios[i]),
      becomeGood: only(codesA, codesB, scenarios[i + 1]),
      outcomesOnlyFrom: [...classesA].filter((c) => !classesB.has(c)).sort(),
      outcomesOnlyTo: [...classesB].filter((c) => !classesA.has(c)).sort(),
    });
  }
  return { kernels, pairs };
}

export function exploreAcrossText(r: ExploreAcross, file: string): string {
  const out: string[] = [];
  for (const k of r.kernels) {
    const codes = k.result.violations.map((v) => v.code);
    out.push(`${file} on ${k.kernel} (era ${k.era}): ${k.result.executions} executions, ${k.result.outcomes.length} outcome(s), verdict ${k.result.verdict}${codes.length > 0 ? `: ${codes.join(' ')}` : ''}`);
  }
  for (const p of r.pairs) {
    out.push('', `${p.from} → ${p.to}: verdict ${p.verdicts[0]} → ${p.verdicts[1]}`);
    if (p.boundaries.length > 0) out.push(`  era boundaries crossed: ${p.boundaries.map(boundaryText).join('; ')}`);
    const line = (c: CodeChange, other: string) =>
      `    ${c.code.padEnd(34)} ${c.schedule}  (on ${other} this ordering raises ${c.otherCodes === null ? 'nothing: it does not fit that kernel' : c.otherCodes.length === 0 ? 'nothing' : c.otherCodes.join(' ')})`;
    if (p.becomeBad.length > 0) out.push(`  orderings that become bad on ${p.to}:`, ...p.becomeBad.map((c) => line(c, p.from)));
    if (p.becomeGood.length > 0) out.push(`  orderings that become good on ${p.to}:`, ...p.becomeGood.map((c) => line(c, p.to)));
    if (p.outcomesOnlyFrom.length > 0) out.push(`  outcomes only on ${p.from}: ${p.outcomesOnlyFrom.join(' | ')}`);
    if (p.outcomesOnlyTo.length > 0) out.push(`  outcomes only on ${p.to}: ${p.outcomesOnlyTo.join(' | ')}`);
    if (p.becomeBad.length + p.becomeGood.length + p.outcomesOnlyFrom.length + p.outcomesOnlyTo.length === 0) out.push('  the same finding codes and outcomes on both kernels');
  }
  return out.join('\n');
}

export function exploreAcrossJson(r: ExploreAcross): unknown {
  return {
    schema: 'pasid-ledger-explore-compare/1',
    kernels: r.kernels.map((k) => ({
      kernel: k.kernel,
      era: k.era,
      executions: k.result.executions,
      verdict: k.result.verdict,
      bounds: k.result.bounds,
      outcomes: k.result.outcomes.map((o) => ({ codes: o.codes, count: o.count, schedule: o.schedule })),
      violations: k.result.violations.map((v) => ({ code: v.code, schedule: v.schedule, steps: v.steps, atEnd: v.atEnd })),
    })),
    pairs: r.pairs,
  };
}

export const exploreAcrossChanged = (r: ExploreAcross) =>
  r.pairs.some((p) => p.becomeBad.length + p.becomeGood.length + p.outcomesOnlyFrom.length + p.outcomesOnlyTo.length > 0);
