/**
 * A scenario for the race explorer: the records of a trace or scenario file grouped into tasks (by
 * `tid`, program order by seq) of atomic steps (a top-level call with the records nested inside it,
 * semantics §B.1), each with its footprint (machines/calls/footprints.ts). Pure.
 */
import { retKind } from '../../events/ret.js';
import type { CallName, CallRecord } from '../../events/records.js';
import { RECORD_SPECS } from '../../events/records.js';
import type { Profile } from '../../machines/profile.js';
import { footprint } from '../../machines/calls/index.js';
import { conflicts, scenarioScope, type Footprint } from '../../machines/kit/footprint.js';

export interface Step {
  /** Index in `Scenario.steps`. */
  readonly id: number;
  /** Index in `Scenario.tasks`. */
  readonly task: number;
  /** Position in its task's program order. */
  readonly index: number;
  /** The top-level record as the explorer runs it (only returns that name objects kept). */
  readonly record: CallRecord;
  /** Records nested (transitively) inside it, in seq order; they move with it. */
  readonly descendants: readonly CallRecord[];
  readonly footprint: Footprint;
}

export interface Task {
  /** `t<tid>`, the name schedule strings use. */
  readonly name: string;
  readonly tid: number;
  /** Step ids in program order. */
  readonly steps: readonly number[];
}

export interface Scenario {
  readonly profile: Profile;
  readonly tasks: readonly Task[];
  readonly steps: readonly Step[];
  /** dependent[a][b]: steps a and b do not commute (symmetric; same task counts as dependent). */
  readonly dependent: readonly (readonly boolean[])[];
  readonly warnings: readonly string[];
}

const NAME_RETS = new Set(['retHandle', 'retDomain']);

/**
 * Recorded returns describe one ordering, so the explorer lets the model decide them; only a
 * returned NAME is kept (handles and domains are named by the capture, and later records use it).
 */
export function forExploration(rec: CallRecord): CallRecord {
  if (rec.ret === undefined) return rec;
  const keep = NAME_RETS.has(RECORD_SPECS[rec.fn as CallName].ret) && typeof rec.ret === 'string' && retKind(rec.ret) === 'name';
  if (keep) return rec;
  const { ret: _dropped, ...rest } = rec;
  return rest as CallRecord;
}

/**
 * Groups records into tasks and steps. A nested record whose parent is not an earlier record cannot
 * move with anything; it is left out and named in `warnings`.
 */
export function buildScenario(records: readonly CallRecord[], profile: Profile): Scenario {
  const sorted = [...records].sort((a, b) => a.seq - b.seq);
  const rootOf = new Map<number, number>();
  const children = new Map<number, CallRecord[]>();
  const roots: CallRecord[] = [];
  const warnings: string[] = [];
  for (const r of sorted) {
    if (r.parent === undefined) {
      rootOf.set(r.seq, r.seq);
      roots.push(r);
      continue;
    }
    const root = rootOf.get(r.parent);
    if (root === undefined) {
      warnings.push(`seq ${r.seq}: nested in seq ${r.parent}, which is not an earlier record; left out`);
      continue;
    }
    rootOf.set(r.seq, root);
    const list = children.get(root) ?? [];
    list.push(forExploration(r));
    children.set(root, list);
  }
  const taskOf = new Map<number, number>();
  const tasks: { name: string; tid: number; steps: number[] }[] = [];
  const scope = scenarioScope(sorted);
  const steps: Step[] = roots.map((r, id) => {
    let t = taskOf.get(r.tid);
    if (t === undefined) {
      t = tasks.length;
      taskOf.set(r.tid, t);
      tasks.push({ name: `t${r.tid}`, tid: r.tid, steps: [] });
    }
    const task = tasks[t];
    task.steps.push(id);
    const record = forExploration(r);
    const descendants = children.get(r.seq) ?? [];
    // A nested record the model does not make is applied too (Replay), so it counts in the footprint.
    const fp = [record, ...descendants].map((x) => footprint(x, profile, scope));
    return { id, task: t, index: task.steps.length - 1, record, descendants, footprint: { reads: fp.flatMap((f) => f.reads), writes: fp.flatMap((f) => f.writes) } };
  });
  const dependent = steps.map((a) => steps.map((b) => a.task === b.task || conflicts(a.footprint, b.footprint)));
  return { profile, tasks, steps, dependent, warnings };
}

/** The number of interleavings a brute-force enumeration runs: (Σnᵢ)! / Π nᵢ!, exactly. */
export function interleavings(s: Scenario): bigint {
  let total = 0n;
  let result = 1n;
  for (const t of s.tasks) {
    // Multiply in C(total + n, n) one factor at a time; each partial product is an integer.
    for (let k = 1n; k <= BigInt(t.steps.length); k++) {
      total++;
      result = (result * total) / k;
    }
  }
  return result;
}
