/**
 * Running a scenario: resolves each call when its task reaches it (conditions, references to
 * earlier returns, the host's pinned answers), applies it to a world through the replay's step,
 * and gives every executed call its footprint, interned so dependence is one table lookup. Under
 * value symmetry the footprint names an ID of the global PASID IDA by the call that allocated it
 * (its provenance) instead of by its number. Pure apart from the world it steps.
 */
import type { FactBody } from '../../events/facts.js';
import { IOMMU_PASID_INVALID, INVALID_IOASID } from '../../events/fields.js';
import { RECORD_SPECS, type CallRecord, type Ret } from '../../events/records.js';
import { footprint } from '../../machines/calls/index.js';
import { conflicts, type Footprint } from '../../machines/kit/footprint.js';
import { isFailure } from '../../events/ret.js';
import { listOf, spaceOf, ioasidKey } from '../../machines/calls/reads.js';
import { DEFAULT_SPACE } from '../../machines/ioasid/allocatorList.machine.js';
import { ioasidKind } from '../../machines/ioasid/ioasid.machine.js';
import { World, type RawFinding } from '../../machines/kit/world.js';
import { applyRecord, endFindings, fnvText, stateHash } from './execute.js';
import { SETUP_TASK, TEARDOWN_TASK, type Call, type Scenario } from './scenario.js';

export interface StepRun {
  readonly call: number;
  /** Task index (SETUP_TASK / TEARDOWN_TASK for those sections). */
  readonly task: number;
  /** The record as it ran (arguments resolved, seq of the scenario). */
  readonly record: CallRecord;
  /** The model's return (undefined when it cannot know it). */
  readonly ret: Ret | undefined;
  readonly facts: readonly FactBody[];
  readonly findings: readonly RawFinding[];
  /** Interned footprint (Engine.dependent). */
  readonly fp: number;
}

interface Result {
  readonly ran: boolean;
  /** When it ran (a counter that only grows, so later on the current path means larger). */
  readonly at?: number;
  readonly ret?: Ret;
  readonly facts?: readonly FactBody[];
}

/** What one task's next call is: resolved once its task reaches it. */
interface Pending {
  readonly call: number;
  readonly record: CallRecord;
  readonly fp: number;
}

export interface TaskCursor {
  readonly pos: number;
  readonly pending: Pending | null;
}

/** Argument kinds that accept a failed return as a value (a driver passing IOMMU_PASID_INVALID on). */
function accepts(kind: string, v: Ret | undefined): boolean {
  if (v === undefined) return false;
  const k = kind.endsWith('?') ? kind.slice(0, -1) : kind;
  if (typeof v === 'number') return k === 'pasid' || k === 'pasidOrInvalid' || k === 'ioasid' || k === 'count';
  if (v === IOMMU_PASID_INVALID) return k === 'pasidOrInvalid';
  if (v === INVALID_IOASID) return k === 'ioasid';
  if (v === null) return k === 'nameOrNull';
  if (typeof v === 'string') return !v.startsWith('-E') && (k === 'name' || k === 'nameOrNull' || k === 'dev');
  return false;
}

/**
 * Findings that say one number went to two holders (freed while attached, freed twice, freed by an
 * earlier holder, a second owner, a collision, #21 B1–B8): which task got which number then matters.
 */
const NUMBER_SHARED: ReadonlySet<string> = new Set([
  'GLOBAL_PASID_FREE_ATTACHED', 'GLOBAL_PASID_DOUBLE_FREE', 'GLOBAL_PASID_STALE_FREE', 'GLOBAL_PASID_FREE_BY_OTHER', 'GLOBAL_PASID_SECOND_OWNER', 'GLOBAL_PASID_COLLISION',
]);

export class Engine {
  readonly #fpIds = new Map<string, number>();
  readonly #fps: Footprint[] = [];
  readonly #dep = new Map<number, boolean>();
  /** Per call id: what it did in the current execution (only calls on the current path are read). */
  readonly results: (Result | undefined)[];
  readonly cursors: TaskCursor[];
  /** Why value symmetry's premise broke in some execution (null: it held so far). */
  breaker: string | null = null;
  #clock = 0;

  constructor(
    readonly s: Scenario,
    /** Name IDs of the global PASID IDA by provenance (s.symmetry.applies must hold). */
    readonly symmetric: boolean,
  ) {
    this.results = new Array(s.calls.length);
    this.cursors = s.tasks.map(() => ({ pos: 0, pending: null }));
  }

  /** A fresh world after the set-up calls; every task at its first call. */
  begin(): { world: World; setup: StepRun[] } {
    const world = new World(this.s.profile);
    const setup: StepRun[] = [];
    for (const id of this.s.setup) {
      const r = this.#resolve(this.s.calls[id]);
      if (r === null) this.results[id] = { ran: false };
      else setup.push(this.#apply(world, this.s.calls[id], r, SETUP_TASK));
    }
    this.s.tasks.forEach((_, t) => (this.cursors[t] = this.#advance(t, 0)));
    return { world, setup };
  }

  enabled(t: number): boolean {
    return this.cursors[t].pending !== null;
  }

  /** The call id and footprint of task t's next call (t must be enabled). */
  next(t: number): Pending {
    return this.cursors[t].pending as Pending;
  }

  /** Runs task t's next call on w and moves the task on (past calls whose condition is false). */
  step(w: World, t: number): StepRun {
    const cur = this.cursors[t];
    const p = cur.pending as Pending;
    const run = this.#apply(w, this.s.calls[p.call], p.record, t, p.fp);
    this.cursors[t] = this.#advance(t, cur.pos + 1);
    return run;
  }

  /** Teardown on w (after every task ended), then the end-of-trace findings. */
  finish(w: World): { teardown: StepRun[]; end: RawFinding[] } {
    const teardown: StepRun[] = [];
    for (const id of this.s.teardown) {
      const r = this.#resolve(this.s.calls[id]);
      if (r === null) this.results[id] = { ran: false };
      else teardown.push(this.#apply(w, this.s.calls[id], r, TEARDOWN_TASK));
    }
    return { teardown, end: endFindings(w) };
  }

  /** The end-of-trace findings of a world some tasks have not finished (a schedule prefix; no teardown). */
  finishPrefix(w: World): RawFinding[] {
    return endFindings(w);
  }

  /** Steps a and b (interned footprints) do not commute. */
  dependent(a: number, b: number): boolean {
    const key = a < b ? a * 1048576 + b : b * 1048576 + a;
    let d = this.#dep.get(key);
    if (d === undefined) this.#dep.set(key, (d = conflicts(this.#fps[a], this.#fps[b])));
    return d;
  }

  footprintOf(id: number): Footprint {
    return this.#fps[id];
  }

  #advance(t: number, from: number): TaskCursor {
    const ids = this.s.tasks[t].calls;
    for (let pos = from; pos < ids.length; pos++) {
      const c = this.s.calls[ids[pos]];
      const r = this.#resolve(c);
      if (r === null) {
        this.results[c.id] = { ran: false };
        continue;
      }
      return { pos, pending: { call: c.id, record: r, fp: this.#intern(this.#footprint(c, r)) } };
    }
    return { pos: ids.length, pending: null };
  }

  /** The record a call runs as, or null when it does not run (condition false, or a value it needs is missing). */
  #resolve(c: Call): CallRecord | null {
    if (c.ifOk !== undefined) {
      const r = this.results[c.ifOk];
      if (!r?.ran || isFailure(r.ret)) return null;
    }
    if (c.ifFailed !== undefined) {
      const r = this.results[c.ifFailed];
      if (!r?.ran || !isFailure(r.ret)) return null;
    }
    let args = c.args as Record<string, unknown>;
    if (c.refs.length > 0) {
      args = { ...args };
      const kinds = RECORD_SPECS[c.fn].args as Record<string, string>;
      for (const ref of c.refs) {
        const r = this.results[ref.call];
        if (!r?.ran) return null;
        let v: Ret | undefined = r.ret;
        if (ref.field === 'pasid') {
          const bound = r.facts?.find((f) => f.type === 'SvaBound') as { pasid: number } | undefined;
          v = bound?.pasid;
        }
        // Why: a driver that passes an error pointer on would oops; one that passes IOMMU_PASID_INVALID on is the A38 bug.
        if (!accepts(kinds[ref.arg], v)) return null;
        args[ref.arg] = v;
      }
    }
    return { seq: c.seq, ts: c.seq, cpu: Math.max(0, c.task), tid: c.tid, fn: c.fn, args, ...(c.name !== undefined ? { ret: c.name } : {}) } as CallRecord;
  }

  /** The host's answer to a custom-allocator ioasid_alloc (pinned per call, or by the allocator's policy). */
  #hostAnswer(w: World, c: Call, rec: CallRecord): Ret | undefined {
    if (rec.fn !== 'ioasid_alloc' || !this.s.profile.calls.has('ioasid_alloc')) return undefined;
    const space = listOf(w).active;
    if (space === DEFAULT_SPACE) return undefined;
    if (c.host !== undefined) return c.host;
    const policy = this.s.hosts[spaceOf(w, space).alloc];
    if (policy === undefined) return undefined;
    if (policy.refuse) return INVALID_IOASID;
    if (policy.first === undefined) return undefined;
    const max = rec.args.max === INVALID_IOASID ? 0xfffffffe : rec.args.max;
    for (let id = Math.max(policy.first, typeof rec.args.min === 'number' ? rec.args.min : 0); id <= max; id++) {
      if (!w.has(ioasidKind.id, ioasidKey(space, id))) return id;
    }
    return INVALID_IOASID;
  }

  #apply(w: World, c: Call, record: CallRecord, task: number, fp?: number): StepRun {
    const host = this.#hostAnswer(w, c, record);
    const rec = host === undefined ? record : ({ ...record, ret: host } as CallRecord);
    const d = applyRecord(w, rec, c.descendants);
    this.results[c.id] = { ran: true, ret: d.ret, facts: d.facts, at: ++this.#clock };
    if (this.symmetric && this.breaker === null) this.#checkPremise(c, d.ret, d.findings);
    return { call: c.id, task, record: rec, ret: d.ret, facts: d.facts, findings: d.findings, fp: fp ?? -1 };
  }

  /** Value symmetry holds while no ID is used after its free, none is freed attached, and the IDA never runs out. */
  #checkPremise(c: Call, ret: Ret | undefined, findings: readonly RawFinding[]): void {
    if (c.fn === 'iommu_alloc_global_pasid' && ret === IOMMU_PASID_INVALID) this.breaker = `${c.label}: the IDA ran out`;
    else if (this.s.symmetry.staleFrees.has(c.id)) this.breaker = `${c.label} frees a PASID that a later call may still use`;
    else if (c.refs.some((r) => this.s.symmetry.allocs.has(r.call))) {
      // A literal PASID no allocation hands out (the plan checked) cannot alias an allocated one.
      const f = findings.find((x) => NUMBER_SHARED.has(x.code));
      if (f) this.breaker = `${c.label}: ${f.code}`;
    }
  }

  #footprint(c: Call, rec: CallRecord): Footprint {
    const p = this.s.profile;
    const fps = [rec, ...c.descendants].map((x) => footprint(x, p, this.s.scope));
    const fp: Footprint = fps.length === 1 ? fps[0] : { reads: fps.flatMap((f) => f.reads), writes: fps.flatMap((f) => f.writes) };
    if (!this.symmetric) return fp;
    if (this.s.symmetry.allocs.has(c.id) && rec.fn === 'iommu_alloc_global_pasid') {
      // Which free ID it gets is a renaming (docs/explore.md, "Value symmetry"): it owns its provenance
      // only, and reads the device's max_pasids, which only a probe or release changes.
      const dev = rec.args.dev;
      return { reads: this.s.symmetry.devicesChanged.has(dev) ? [`dev:${dev}`] : [], writes: [`gpasid:@${c.id}`] };
    }
    let out = fp;
    for (const ref of c.refs) {
      if (!this.s.symmetry.allocs.has(ref.call)) continue;
      const n = (rec.args as Record<string, unknown>)[ref.arg];
      if (typeof n !== 'number') continue;
      const num = String(n);
      const rename = (r: string): string => {
        if (r === `gpasid:${num}`) return `gpasid:@${ref.call}`;
        if (r.startsWith('slot:') && r.endsWith(`/${num}`)) return `${r.slice(0, r.length - num.length)}@${ref.call}`;
        return r;
      };
      out = { reads: out.reads.map(rename), writes: out.writes.map(rename) };
    }
    return out;
  }

  #intern(fp: Footprint): number {
    const key = `${[...fp.reads].sort().join(' ')}|${[...fp.writes].sort().join(' ')}`;
    let id = this.#fpIds.get(key);
    if (id === undefined) {
      id = this.#fps.length;
      this.#fps.push(fp);
      this.#fpIds.set(key, id);
    }
    return id;
  }

  /** IDs of the global IDA in the current execution → the label of the call that (last) allocated them. */
  provenance(): Map<number, string> {
    const m = new Map<number, string>();
    const ran = [...this.s.symmetry.allocs].filter((id) => this.results[id]?.ran).sort((a, b) => (this.results[a]?.at ?? 0) - (this.results[b]?.at ?? 0));
    // A number handed out again belongs to its latest allocation.
    for (const id of ran) {
      const r = this.results[id] as Result;
      if (typeof r.ret === 'number') m.set(r.ret, this.s.calls[id].label);
    }
    return m;
  }
}

/** Runs a whole execution with a chooser: setup, the tasks as chosen, teardown. */
export function runOnce(
  s: Scenario,
  choose: (enabled: readonly number[], history: readonly number[]) => number,
  engine = new Engine(s, false),
): { tasks: number[]; setup: StepRun[]; runs: StepRun[]; teardown: StepRun[]; end: RawFinding[]; world: World; engine: Engine } {
  const { world, setup } = engine.begin();
  const tasks: number[] = [];
  const runs: StepRun[] = [];
  for (;;) {
    const enabled: number[] = [];
    for (let t = 0; t < s.tasks.length; t++) if (engine.enabled(t)) enabled.push(t);
    if (enabled.length === 0) break;
    const t = choose(enabled, tasks);
    tasks.push(t);
    runs.push(engine.step(world, t));
  }
  const { teardown, end } = engine.finish(world);
  return { tasks, setup, runs, teardown, end, world, engine };
}

/**
 * The outcome's state hash. Under value symmetry's plan, IDs of the global IDA are renamed to the
 * call that allocated them (`@t1:1`), so two executions that differ only in which task got which
 * ID have one outcome, with the reduction on or off.
 */
export function outcomeHash(s: Scenario, engine: Engine, w: World): string {
  if (!s.symmetry.applies) return stateHash(w);
  const names = engine.provenance();
  const rename = (n: number) => (names.has(n) ? `@${names.get(n) as string}` : String(n));
  const lines: string[] = [];
  for (const [key, snap] of w.objects) {
    // Why: the audit's memory of who held a number (#21 B1–B3, B7) is not kernel state; findings carry what it decides.
    if (key.startsWith('globalPasidHistory:') || key.startsWith('globalPasidHolder:')) continue;
    let k = key;
    const m = /^(globalPasid:|pasidSlot:.*\/)(\d+)$/.exec(key);
    if (m) k = `${m[1]}${rename(Number(m[2]))}`;
    lines.push(`${k}=${JSON.stringify(snap, (field, v: unknown) => (field === 'pasid' && typeof v === 'number' ? rename(v) : v))}`);
  }
  return fnvText(lines.sort().join('\n'));
}
