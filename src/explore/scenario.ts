/**
 * A scenario for the race explorer: set-up calls (run first, in order), tasks (each a list of calls
 * in program order, interleaved with each other), teardown calls (run after every task ended). A
 * call may be conditional on an earlier call of its own task (or of setup) and may take arguments
 * from earlier returns, so a call's record is only known when its task reaches it (src/explore/
 * run.ts resolves it). Built from a scenario file (scenarioFile.ts) or from a trace's records
 * grouped by tid (each top-level call one step, nested records moving with it, semantics §B.1).
 * Pure.
 */
import { retKind } from '../../events/ret.js';
import type { CallName, CallRecord } from '../../events/records.js';
import { RECORD_SPECS } from '../../events/records.js';
import { PASID_MAX } from '../../events/fields.js';
import type { HostPolicy } from '../../events/scenario.js';
import { SETUP, TEARDOWN } from '../../events/scenario.js';
import type { Profile } from '../../machines/profile.js';
import { scenarioScope, type FootprintScope } from '../../machines/kit/footprint.js';
import { modelName } from '../../machines/kit/call.js';
import type { ScenarioSpec } from './scenarioFile.js';

/** Task index of set-up and teardown calls. */
export const SETUP_TASK = -1;
export const TEARDOWN_TASK = -2;

export interface CallRefArg {
  readonly ref: number;
  readonly field?: 'pasid';
}

/** What a scenario says of one call, as the file gives it and as the explorer runs it. */
export interface CallBody {
  readonly fn: CallName;
  /** Literal arguments, and `{ref, field?}` for a return of call `ref`. */
  readonly args: Readonly<Record<string, unknown>>;
  readonly refs: readonly { readonly arg: string; readonly call: number; readonly field?: 'pasid' }[];
  readonly ifOk?: number;
  readonly ifFailed?: number;
  /** The host's answer pinned for this call (custom-allocator ioasid_alloc). */
  readonly host?: number | 'INVALID_IOASID';
  /** A returned object's name, kept (recorded or given by the scenario). */
  readonly name?: string;
}

export interface Call extends CallBody {
  /** Index in `Scenario.calls`. */
  readonly id: number;
  /** Task index, or SETUP_TASK / TEARDOWN_TASK. */
  readonly task: number;
  /** `t1:2`, `setup:1`: the section and the 1-based position in it. */
  readonly label: string;
  /** The line of the scenario file (or trace) it comes from. */
  readonly line: number | null;
  /** The seq the call runs under (the model names objects after it: `sva@<seq>`). */
  readonly seq: number;
  readonly tid: number;
  /** Records nested inside it in a trace; they move with it. */
  readonly descendants: readonly CallRecord[];
}

export interface Task {
  /** The name schedule strings use (`t<tid>` for traces). */
  readonly name: string;
  readonly tid: number;
  /** Call ids in program order. */
  readonly calls: readonly number[];
}

/**
 * Value symmetry of the global PASID IDA: when nothing but equality tells its IDs apart, which task
 * got which ID does not matter. `null` reason = it applies.
 */
export interface SymmetryPlan {
  readonly applies: boolean;
  /** Why it does not apply (when `applies` is false). */
  readonly reason: string;
  /** iommu_alloc_global_pasid calls whose IDs are interchangeable. */
  readonly allocs: ReadonlySet<number>;
  /** Frees after which a call may still use the freed ID: running one breaks the symmetry. */
  readonly staleFrees: ReadonlySet<number>;
  /** Devices a task probes or releases (their max_pasids may change while the tasks run). */
  readonly devicesChanged: ReadonlySet<string>;
}

export interface Scenario {
  readonly profile: Profile;
  readonly calls: readonly Call[];
  readonly setup: readonly number[];
  readonly tasks: readonly Task[];
  readonly teardown: readonly number[];
  readonly hosts: Readonly<Record<string, HostPolicy>>;
  readonly scope: FootprintScope;
  readonly symmetry: SymmetryPlan;
  /** Some call has a condition or a reference (so a task's step count may differ per ordering). */
  readonly dynamic: boolean;
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
 * A trace (or an old-style scenario: records with tids) as a scenario: one task per tid, one call
 * per top-level record, nested records moving with their parent. A nested record whose parent is
 * not an earlier record cannot move with anything; it is left out and named in `warnings`.
 */
export function buildScenario(records: readonly CallRecord[], profile: Profile, lines?: ReadonlyMap<number, number>): Scenario {
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
  const tasks: { name: string; tid: number; calls: number[] }[] = [];
  const calls: Call[] = roots.map((r0, id) => {
    let t = taskOf.get(r0.tid);
    if (t === undefined) {
      t = tasks.length;
      taskOf.set(r0.tid, t);
      tasks.push({ name: `t${r0.tid}`, tid: r0.tid, calls: [] });
    }
    tasks[t].calls.push(id);
    const r = forExploration(r0);
    const name = typeof r.ret === 'string' ? r.ret : undefined;
    return {
      id, task: t, label: `${tasks[t].name}:${tasks[t].calls.length}`, line: lines?.get(r.seq) ?? null, seq: r.seq, tid: r.tid, fn: r.fn,
      args: r.args as Record<string, unknown>, refs: [], ...(name !== undefined ? { name } : {}), descendants: children.get(r.seq) ?? [],
    };
  });
  return finish(profile, calls, [], tasks, [], {}, sorted, warnings);
}

/** A scenario file as a scenario: set-up and teardown tid 0, tasks tid 1.. in order of appearance; seq = line. */
export function scenarioFromSpec(spec: ScenarioSpec, profile: Profile): Scenario {
  const tasks = spec.tasks.map((name, i) => ({ name, tid: i + 1, calls: [] as number[] }));
  const setup: number[] = [];
  const teardown: number[] = [];
  const calls: Call[] = spec.calls.map((c, id) => {
    const t = c.section === SETUP ? SETUP_TASK : c.section === TEARDOWN ? TEARDOWN_TASK : spec.tasks.indexOf(c.section);
    (t === SETUP_TASK ? setup : t === TEARDOWN_TASK ? teardown : tasks[t].calls).push(id);
    return {
      id, task: t, label: `${c.section}:${c.index}`, line: c.line, seq: c.line, tid: t >= 0 ? tasks[t].tid : 0, fn: c.fn, args: c.args, refs: c.refs,
      ...(c.ifOk !== undefined ? { ifOk: c.ifOk } : {}), ...(c.ifFailed !== undefined ? { ifFailed: c.ifFailed } : {}),
      ...(c.host !== undefined ? { host: c.host } : {}), ...(c.name !== undefined ? { name: c.name } : {}), descendants: [],
    };
  });
  const literal = calls.map((c) => staticRecord(c, calls)).filter((r): r is CallRecord => r !== null);
  return finish(profile, calls, setup, tasks, teardown, spec.header.hosts ?? {}, literal, []);
}

/** The name a call returns when it succeeds (known before running: names come from the seq). */
function staticName(c: Call): string | null {
  if (c.name !== undefined) return c.name;
  switch (c.fn) {
    case 'iommu_domain_alloc':
      return modelName('dom', c.seq);
    case 'iommu_sva_domain_alloc':
      return modelName('sva-dom', c.seq);
    case 'iommu_sva_bind_device':
      return modelName('sva', c.seq);
    default:
      return null;
  }
}

/** The call's record as far as it is known statically: references to names filled in; null when a number is not known. */
function staticRecord(c: Call, calls: readonly Call[]): CallRecord | null {
  const args: Record<string, unknown> = { ...c.args };
  for (const r of c.refs) {
    const name = r.field === undefined ? staticName(calls[r.call]) : null;
    if (name === null) return null;
    args[r.arg] = name;
  }
  return { seq: c.seq, ts: c.seq, cpu: 0, tid: c.tid, fn: c.fn, args, ...(c.name !== undefined ? { ret: c.name } : {}) } as CallRecord;
}

/**
 * The footprint scope (machines/calls/footprints.ts) of a scenario whose PASIDs may come from
 * returns: a slot may also hold what an attach or replace with a PASID known only at run time puts
 * on that group (any PASID of the group), and a domain known only at run time widens to any.
 */
function dynamicScope(calls: readonly Call[], literal: readonly CallRecord[]): FootprintScope {
  const base = scenarioScope(literal);
  const extra = new Map<string, Set<string> | null>();
  for (const c of calls) {
    if ((c.fn !== 'iommu_attach_device_pasid' && c.fn !== 'iommu_replace_device_pasid') || c.refs.length === 0) continue;
    const dev = c.args.dev;
    const g = typeof dev === 'string' ? base.groupOf(dev) : null;
    const key = g ?? '*';
    const dom = c.args.domain;
    const name = typeof dom === 'string' ? dom : dom !== null && typeof dom === 'object' ? staticName(calls[(dom as { ref: number }).ref]) : null;
    const cur = extra.has(key) ? extra.get(key) : new Set<string>();
    if (cur === null || cur === undefined || name === null) extra.set(key, null);
    else extra.set(key, cur.add(name));
  }
  return {
    groupOf: (dev) => base.groupOf(dev),
    handleOwner: (h) => base.handleOwner(h),
    slotDomains(group, pasid) {
      const b = base.slotDomains(group, pasid);
      if (b === null) return null;
      const mine = extra.get(group);
      const any = extra.get('*');
      if (mine === null || any === null) return null;
      return [...new Set([...b, ...(mine ?? []), ...(any ?? [])])];
    },
  };
}

const GLOBAL_PASID_USERS = new Set<CallName>(['iommu_attach_device_pasid', 'iommu_detach_device_pasid', 'iommu_replace_device_pasid', 'iommu_free_global_pasid']);
const IDA_SVA = new Set<CallName>(['iommu_sva_bind_device', 'iommu_sva_unbind_device', 'mm_pasid_drop']);

/** Whether call b may run after call a in some execution (program order, sections, tasks). */
function mayFollow(a: Call, b: Call, calls: readonly Call[]): boolean {
  if (a.task === b.task) return calls.indexOf(b) > calls.indexOf(a);
  if (a.task === SETUP_TASK) return true;
  if (b.task === SETUP_TASK) return false;
  if (a.task === TEARDOWN_TASK) return false;
  return true;
}

/**
 * When value symmetry of the global PASID IDA applies (docs/explore.md, "Value symmetry"): every
 * ID of the IDA reaches a call only through a reference (no literal PASID a allocation could hand
 * out), no range bounds a choice (every device that allocates or attaches such an ID has more
 * PASIDs than the scenario allocates), and SVA does not draw from the same IDA. Frees after which
 * the freed ID may still be used are noted: running one breaks the symmetry.
 */
function symmetryPlan(profile: Profile, calls: readonly Call[]): SymmetryPlan {
  const none = (reason: string): SymmetryPlan => ({ applies: false, reason, allocs: new Set(), staleFrees: new Set(), devicesChanged: new Set() });
  const allocs = calls.filter((c) => c.fn === 'iommu_alloc_global_pasid');
  if (allocs.length === 0) return none('no iommu_alloc_global_pasid');
  if (!profile.calls.has('iommu_alloc_global_pasid')) return none(`no global PASID allocator in this kernel`);
  const sva = calls.find((c) => IDA_SVA.has(c.fn));
  if (sva) return none(`${sva.label} (${sva.fn}) draws from the same IDA`);
  const n = allocs.length;
  const maxPasids = new Map<string, number>();
  for (const c of calls) {
    if (c.fn === 'iommu_probe_device' && typeof c.args.dev === 'string' && typeof c.args.max_pasids === 'number') {
      maxPasids.set(c.args.dev, Math.min(maxPasids.get(c.args.dev) ?? PASID_MAX + 1, c.args.max_pasids));
    }
  }
  const idaIds = new Set(allocs.map((a) => a.id));
  for (const c of calls) {
    const pasidRef = c.refs.find((r) => r.arg === 'pasid' && idaIds.has(r.call));
    if (c.fn === 'iommu_alloc_global_pasid' || (pasidRef && c.fn !== 'iommu_free_global_pasid')) {
      const dev = c.args.dev;
      const max = typeof dev === 'string' ? (maxPasids.get(dev) ?? PASID_MAX + 1) : 0;
      if (max <= n) return none(`${c.label}: device ${String(dev)} has max_pasids ${max}, and the scenario allocates ${n} global PASID(s): the range can decide`);
    }
    if (GLOBAL_PASID_USERS.has(c.fn)) {
      const p = c.args.pasid;
      if (typeof p === 'number' && p >= 1 && p <= n) return none(`${c.label} names PASID ${p}, which an allocation can hand out`);
      if (p !== null && typeof p === 'object' && !pasidRef) return none(`${c.label} takes its PASID from a call that is not a global PASID allocation`);
    }
  }
  // Why: the audit remembers who held a number (#21 B2): a task that frees another task's ID after it
  // held an ID itself may be freeing a number it once held (a stale free) in some orders only, so
  // which task got which ID decides findings. Set-up and teardown run as one task (one tid).
  const holder = (task: number) => (task === TEARDOWN_TASK ? SETUP_TASK : task);
  for (const f of calls) {
    if (f.fn !== 'iommu_free_global_pasid') continue;
    for (const r of f.refs) {
      const a = allocs.find((x) => x.id === r.call);
      if (a === undefined || holder(a.task) === holder(f.task)) continue;
      const own = allocs.find((x) => holder(x.task) === holder(f.task));
      if (own) return none(`${f.label} frees the PASID of ${a.label} after ${own.label} gave its task one: whether it is a number that task held before depends on the order`);
    }
  }
  const staleFrees = new Set<number>();
  for (const a of allocs) {
    const users = calls.filter((c) => c.refs.some((r) => r.call === a.id));
    for (const f of users) {
      if (f.fn !== 'iommu_free_global_pasid') continue;
      if (users.some((u) => u !== f && mayFollow(f, u, calls))) staleFrees.add(f.id);
    }
  }
  const devicesChanged = new Set<string>();
  for (const c of calls) {
    if (c.task !== SETUP_TASK && (c.fn === 'iommu_probe_device' || c.fn === 'iommu_release_device') && typeof c.args.dev === 'string') devicesChanged.add(c.args.dev);
  }
  return { applies: true, reason: '', allocs: new Set(allocs.map((a) => a.id)), staleFrees, devicesChanged };
}

function finish(
  profile: Profile, calls: Call[], setup: number[], tasks: { name: string; tid: number; calls: number[] }[], teardown: number[],
  hosts: Readonly<Record<string, HostPolicy>>, literal: readonly CallRecord[], warnings: string[],
): Scenario {
  const dynamic = calls.some((c) => c.refs.length > 0 || c.ifOk !== undefined || c.ifFailed !== undefined);
  return { profile, calls, setup, tasks, teardown, hosts, scope: dynamicScope(calls, literal), symmetry: symmetryPlan(profile, calls), dynamic, warnings };
}

/**
 * The number of interleavings a brute-force enumeration runs: (Σnᵢ)! / Π nᵢ!, exactly, for the
 * per-task call counts nᵢ (an upper bound when conditions skip calls).
 */
export function interleavings(s: Scenario): bigint {
  let total = 0n;
  let result = 1n;
  for (const t of s.tasks) {
    // Multiply in C(total + n, n) one factor at a time; each partial product is an integer.
    for (let k = 1n; k <= BigInt(t.calls.length); k++) {
      total++;
      result = (result * total) / k;
    }
  }
  return result;
}
