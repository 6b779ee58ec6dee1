/**
 * Minimizing a trace for one finding: the fewest records whose replay still raises it (same code,
 * same objects). A subset always keeps each task's order (records stay in trace order), every
 * nested record with its parent (removing a record removes the calls made inside it), the header,
 * and the records that create the objects the finding names. After quick cuts (the prefix up to
 * the finding; the finding's chain) and ddmin over top-level calls, one record at a time is tried
 * until none can go: the result is 1-minimal unless the time bound stopped it. Pure (the clock is
 * a parameter).
 */
import type { Profile } from '../../machines/profile.js';
import type { Finding } from '../replay/finding.js';
import { replayEntries, type Entry } from '../replay/replayTrace.js';
import { buildIndex } from '../timetravel/index.js';
import { chainTokens } from '../timetravel/history.js';
import { factsBySeq, recordTokens } from '../timetravel/refs.js';
import { chainsOf } from '../batch/chains.js';
import { ddmin } from './ddmin.js';

export interface MinimizeOptions {
  /** Stop searching when now() passes this (same unit as now). */
  readonly deadline?: number;
  readonly now?: () => number;
  /** Called after each replay with the number so far and the size of the smallest subset yet. */
  readonly onReplay?: (replays: number, kept: number) => void;
}

export interface Minimized {
  readonly entries: Entry[];
  readonly replays: number;
  /** True when no single kept record (other than the fixed ones) can be removed: 1-minimal. */
  readonly minimal: boolean;
  /** Records kept however the search goes: creators of the finding's objects and their ancestors. */
  readonly fixed: readonly number[];
}

const sameObjects = (a: Finding['objects'], b: Finding['objects']) => {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
};

/** Whether a replay of these entries raises the target finding (same code, same objects). */
export function raises(entries: readonly Entry[], profile: Profile, target: Pick<Finding, 'code' | 'objects'>): boolean {
  return replayEntries(entries, profile, 'fast', false).findings.some((f) => f.code === target.code && sameObjects(f.objects, target.objects));
}

export function minimizeTrace(entries: readonly Entry[], profile: Profile, target: Finding, options: MinimizeOptions = {}): Minimized {
  const n = entries.length;
  const indexOf = new Map(entries.map((e, i) => [e.record.seq, i]));
  const parentOf = entries.map((e) => (e.record.parent === undefined ? -1 : (indexOf.get(e.record.parent) ?? -1)));
  const children: number[][] = entries.map(() => []);
  parentOf.forEach((p, i) => p >= 0 && children[p].push(i));
  const rootOf = (i: number): number => (parentOf[i] < 0 ? i : rootOf(parentOf[i]));
  const subtree = (i: number): number[] => [i, ...children[i].flatMap(subtree)];

  // The records creating the objects the finding follows: the first record naming each of its tokens.
  const index = buildIndex(entries, profile, Number.MAX_SAFE_INTEGER);
  const facts = factsBySeq(index.facts);
  const tokens = chainTokens(index, target);
  const fixed = new Set<number>();
  const seen = new Set<string>();
  entries.forEach((e, i) => {
    for (const t of recordTokens(e.record, facts.get(e.record.seq) ?? [])) {
      if (!tokens.has(t) || seen.has(t)) continue;
      seen.add(t);
      for (let a = i; a >= 0; a = parentOf[a]) fixed.add(a);
    }
  });

  let replays = 0;
  let stopped = false;
  let best = n;
  const test = (keep: ReadonlySet<number>): boolean | 'stop' => {
    if (options.deadline !== undefined && options.now !== undefined && options.now() >= options.deadline) {
      stopped = true;
      return 'stop';
    }
    replays++;
    const ok = raises(entries.filter((_, i) => keep.has(i)), profile, target);
    if (ok) best = Math.min(best, keep.size);
    options.onReplay?.(replays, best);
    return ok;
  };
  const closure = (roots: Iterable<number>) => {
    const s = new Set<number>(fixed);
    for (const r of roots) for (const i of subtree(r)) s.add(i);
    return s;
  };

  let kept = new Set<number>(entries.map((_, i) => i));
  const tryKeep = (candidate: Set<number>) => {
    if (candidate.size >= kept.size) return false;
    const v = test(candidate);
    if (v === true) kept = candidate;
    return v === true;
  };

  // Quick cuts: a call-site finding needs nothing after its call; its chain may be all it needs.
  const at = target.seq === null ? undefined : indexOf.get(target.seq);
  if (!target.atEnd && at !== undefined) {
    const last = Math.max(...subtree(rootOf(at)));
    tryKeep(closure(entries.map((_, i) => i).filter((i) => parentOf[i] < 0 && i <= last)));
  }
  if (!stopped) {
    const chain = chainsOf(index, [target])[0].map((c) => indexOf.get(c.seq) as number);
    const roots = new Set([...chain, ...(at === undefined ? [] : [at])].map(rootOf));
    tryKeep(closure([...roots].filter((r) => kept.has(r))));
  }

  // ddmin over the top-level calls that hold no fixed record.
  if (!stopped) {
    const roots = [...kept].filter((i) => parentOf[i] < 0 && !subtree(i).some((j) => fixed.has(j))).sort((a, b) => a - b);
    const fixedRoots = [...kept].filter((i) => parentOf[i] < 0 && !roots.includes(i));
    const r = ddmin(roots, (subset) => test(closure([...fixedRoots, ...subset])));
    if (!r.stopped || r.items.length < roots.length) kept = closure([...fixedRoots, ...r.items]);
  }

  // One record (with the calls nested in it) at a time, until none can go: 1-minimal.
  let changed = true;
  while (changed && !stopped) {
    changed = false;
    for (const i of [...kept].sort((a, b) => a - b)) {
      if (!kept.has(i) || fixed.has(i)) continue;
      const drop = new Set(subtree(i));
      const candidate = new Set([...kept].filter((j) => !drop.has(j)));
      const v = test(candidate);
      if (v === 'stop') break;
      if (v) {
        kept = candidate;
        changed = true;
      }
    }
  }
  return { entries: entries.filter((_, i) => kept.has(i)), replays, minimal: !stopped, fixed: [...fixed].sort((a, b) => a - b) };
}
