/**
 * A trace as Chrome Trace Event JSON (what ui.perfetto.dev and chrome://tracing open): one process
 * for the tasks with a track per tid and every call as a slice (nested calls inside their parent),
 * one process per kind of object with a track per object and its lifecycle states as slices,
 * findings as instant events on the task's and the objects' tracks, and flow arrows along each
 * finding's chain. Pure: returns the events; the CLI writes them.
 */
import type { Finding } from '../replay/finding.js';
import { findingTracks, objectTracks, type Analysis, type ObjectTrack } from './analysis.js';

/** One Trace Event (the fields this export uses). */
export interface TraceEvent {
  readonly name: string;
  readonly ph: 'B' | 'E' | 'i' | 's' | 't' | 'f' | 'M';
  readonly pid: number;
  readonly tid: number;
  readonly ts?: number;
  readonly cat?: string;
  readonly s?: 't' | 'p' | 'g';
  readonly id?: number;
  readonly bp?: 'e';
  readonly args?: Readonly<Record<string, unknown>>;
}

export const TASKS_PID = 1;

/** Process names per object kind, in the order the processes are shown. */
export const KIND_PROCESS: readonly (readonly [string, string])[] = [
  ['slot', 'PASID slots (device x PASID)'],
  ['domain', 'domains'],
  ['bond', 'SVA bonds'],
  ['handle', 'SVA handles'],
  ['mm', 'mms'],
  ['globalPasid', 'global PASIDs'],
  ['ioasid', 'IOASIDs'],
  ['registration', 'IOASID allocators'],
  ['allocatorEntry', 'IOASID allocator entries'],
  ['allocator', 'IOASID allocator'],
  ['device', 'devices'],
  ['rootTable', 'VT-d root tables'],
  ['vtd', 'VT-d'],
];

/** Object tracks get thread ids of their own, far from any kernel tid. */
const OBJECT_TID_BASE = 1_000_000_000;

function findingArgs(f: Finding): Record<string, unknown> {
  return {
    code: f.code, severity: f.severity, reaction: f.reaction, reference: f.ref, fix: f.fix, message: f.message,
    seq: f.seq, line: f.line, fn: f.fn, objects: f.objects, at_end: f.atEnd, rule: f.rule,
  };
}

export interface PerfettoResult {
  readonly events: TraceEvent[];
  /** Counts for the command's one-line summary. */
  readonly tasks: number;
  readonly objects: number;
  readonly flows: number;
}

export function perfettoEvents(a: Analysis): PerfettoResult {
  const { entries } = a.input;
  const spans = a.spans;
  let last = 0;
  for (const s of spans) if (s.end > last) last = s.end;
  const end = last + a.defaultDuration;
  const start = spans.length === 0 ? 0 : spans[0].start;
  // Objects as the audit's replay sees them (each call with its nested records): a timeline's natural reading.
  const { tracks } = objectTracks(a.input, { exactBudget: 0 });
  const meta: TraceEvent[] = [];
  const timed: { ev: TraceEvent; order: number }[] = [];
  const push = (ev: TraceEvent, order: number) => timed.push({ ev, order });

  meta.push({ name: 'process_name', ph: 'M', pid: TASKS_PID, tid: 0, args: { name: `tasks (${a.input.file}, Linux ${a.input.profile.kernel})` } });
  meta.push({ name: 'process_sort_index', ph: 'M', pid: TASKS_PID, tid: 0, args: { sort_index: 0 } });
  const comm = new Map<number, string | undefined>();
  for (const e of entries) if (!comm.has(e.record.tid) || (comm.get(e.record.tid) === undefined && e.record.comm !== undefined)) comm.set(e.record.tid, e.record.comm);
  for (const [tid, c] of comm) meta.push({ name: 'thread_name', ph: 'M', pid: TASKS_PID, tid, args: { name: c === undefined ? `tid ${tid}` : `${c} (tid ${tid})` } });

  // Calls: B/E per task in nesting order (a parent's end is never before its children's).
  const stacks = new Map<number, { i: number; seq: number }[]>();
  const closeTop = (stack: { i: number; seq: number }[], tid: number) => {
    const f = stack.pop() as { i: number; seq: number };
    push({ name: entries[f.i].record.fn, ph: 'E', pid: TASKS_PID, tid, ts: spans[f.i].end }, 1);
  };
  entries.forEach((e, i) => {
    const r = e.record;
    let stack = stacks.get(r.tid);
    if (stack === undefined) stacks.set(r.tid, (stack = []));
    const onStack = r.parent !== undefined && stack.some((f) => f.seq === r.parent);
    while (stack.length > 0 && (!onStack || stack[stack.length - 1].seq !== r.parent)) closeTop(stack, r.tid);
    push({
      name: r.fn, ph: 'B', pid: TASKS_PID, tid: r.tid, ts: spans[i].start, cat: 'call',
      args: { seq: r.seq, line: e.line, cpu: r.cpu, ...(r.parent === undefined ? {} : { parent: r.parent }), args: r.args, ret: r.ret === undefined ? '(not recorded)' : r.ret },
    }, 1);
    stack.push({ i, seq: r.seq });
  });
  for (const [tid, stack] of stacks) while (stack.length > 0) closeTop(stack, tid);

  // Objects: one process per kind, one track per object, its states end to end.
  const kindPid = new Map(KIND_PROCESS.map(([k], n) => [k, TASKS_PID + 1 + n]));
  const trackTid = new Map<string, { pid: number; tid: number }>();
  KIND_PROCESS.forEach(([kind, name], n) => {
    const pid = TASKS_PID + 1 + n;
    if (![...tracks.values()].some((t) => t.kind === kind)) return;
    meta.push({ name: 'process_name', ph: 'M', pid, tid: 0, args: { name } });
    meta.push({ name: 'process_sort_index', ph: 'M', pid, tid: 0, args: { sort_index: n + 1 } });
  });
  let nextTid = OBJECT_TID_BASE;
  const at = (t: number) => (t < 0 ? start : spans[t].start);
  const seqAt = (t: number | null) => (t === null ? null : t < 0 ? 0 : entries[t].record.seq);
  for (const tr of tracks.values()) {
    const pid = kindPid.get(tr.kind) ?? TASKS_PID + 1 + KIND_PROCESS.length;
    const tid = nextTid++;
    trackTid.set(tr.key, { pid, tid });
    meta.push({ name: 'thread_name', ph: 'M', pid, tid, args: { name: tr.label } });
    for (const iv of tr.intervals) {
      const name = iv.summary;
      push({ name, ph: 'B', pid, tid, ts: at(iv.from), cat: 'state', args: { object: tr.label, state: iv.summary, entered_at_seq: seqAt(iv.from), left_at_seq: seqAt(iv.to) } }, 1);
      push({ name, ph: 'E', pid, tid, ts: iv.to === null ? end : at(iv.to) }, 1);
    }
  }

  // Findings: an instant on the task's track and on each object's track; a flow along the chain.
  let flows = 0;
  a.findings.forEach((f, k) => {
    const pos = f.seq === null ? undefined : a.positionOf.get(f.seq);
    const ts = f.atEnd || pos === undefined ? end : spans[pos].start;
    const args = findingArgs(f);
    if (pos !== undefined) push({ name: f.code, ph: 'i', s: 't', pid: TASKS_PID, tid: entries[pos].record.tid, ts, cat: 'finding', args }, 2);
    for (const key of findingTracks(f, a.chains[k], tracks)) {
      const t = trackTid.get(key) as { pid: number; tid: number };
      push({ name: f.code, ph: 'i', s: 't', pid: t.pid, tid: t.tid, ts, cat: 'finding', args }, 2);
    }
    const path = [...new Set([...a.chains[k].positions, ...(pos !== undefined && !f.atEnd ? [pos] : [])])].sort((x, y) => x - y);
    if (path.length < 2) return;
    // The flow id is the finding's number (1-based, the audit's order), so a viewer can pair them.
    const id = k + 1;
    flows++;
    path.forEach((p, n) => {
      const ph = n === 0 ? 's' : n === path.length - 1 ? 'f' : 't';
      push({ name: `chain of ${f.code}`, ph, id, pid: TASKS_PID, tid: entries[p].record.tid, ts: spans[p].start, cat: 'chain', ...(ph === 'f' ? { bp: 'e' as const } : {}) }, 3);
    });
  });

  // Sorted by time; at one instant slices first (per track in the order built), then instants and flows.
  const order = timed.map((x, n) => ({ ...x, n }));
  order.sort((x, y) => (x.ev.ts as number) - (y.ev.ts as number) || x.order - y.order || x.n - y.n);
  return { events: [...meta, ...order.map((x) => x.ev)], tasks: comm.size, objects: tracks.size, flows };
}

/** The JSON document, as lines (a long trace's export does not fit one string comfortably). */
export function* perfettoJson(r: PerfettoResult, otherData: Record<string, unknown>): Generator<string> {
  yield '{"displayTimeUnit":"ns","otherData":' + JSON.stringify(otherData) + ',"traceEvents":[\n';
  const n = r.events.length;
  for (let i = 0; i < n; i++) yield JSON.stringify(r.events[i]) + (i + 1 < n ? ',\n' : '\n');
  yield ']}\n';
}

export type { ObjectTrack };
