/**
 * The data of the HTML report, precomputed so the page needs no server: the header, the findings
 * with their chains, every call and every object state on the timeline, and for every record the
 * state right after it and what changed (the data of `state --at` and `diff`). Columnar and with
 * interned strings, so a 100 k-record trace stays a few tens of MB. Pure.
 */
import { FINDINGS } from '../../machines/findings.js';
import type { CallRecord } from '../../events/records.js';
import { formatFact, formatRecord } from '../timetravel/format.js';
import type { Finding } from '../replay/finding.js';
import { analyse, findingTracks, objectTracks, type TraceInput } from './analysis.js';
import { DEFAULT_EXACT_BUDGET, type Step } from './walk.js';

/** Records beyond this are left out of the timeline and the scrubber (findings are always complete). */
export const DEFAULT_MAX_RECORDS = 250_000;
/** Object lanes on the timeline: every object a finding names, then the busiest ones, up to this. */
export const MAX_OBJECT_LANES = 400;
/** Records listed per finding chain (the last ones, nearest the finding). */
export const MAX_CHAIN_ITEMS = 1_000;

export interface ReportOptions {
  readonly maxRecords?: number;
  readonly exactBudget?: number;
  /** What produced the report, shown in the header (e.g. "pasid-ledger report"). */
  readonly generator?: string;
  /** Marks findings after events a capture lost (the audit's markLost), as the audit prints them. */
  readonly mark?: (f: Finding) => Finding;
}

export interface ReportFinding {
  readonly code: string;
  readonly title: string;
  readonly severity: string;
  readonly reaction: string;
  readonly ref: string;
  readonly message: string;
  readonly fix: string;
  readonly rule: string;
  readonly seq: number | null;
  readonly line: number | null;
  readonly fn: string | null;
  readonly objects: Readonly<Record<string, string | number | boolean | null>>;
  readonly atEnd: boolean;
  readonly maybeLostEvents: boolean;
  /** Record index (-1: not in the trace's covered part). */
  readonly pos: number;
  readonly tid: number | null;
  /** Object indexes of the tracks it is drawn on. */
  readonly objs: readonly number[];
  readonly chain: {
    readonly tokens: readonly string[];
    /** [record index, change text ids, fact text ids] per chain record. */
    readonly items: readonly (readonly [number, readonly number[], readonly number[]])[];
    readonly omitted: number;
  };
}

export interface ReportData {
  readonly version: 1;
  readonly meta: {
    readonly file: string;
    readonly kernel: string;
    readonly era: string;
    readonly source: string;
    readonly description: string | null;
    readonly host: Readonly<Record<string, unknown>> | null;
    readonly generator: string;
    readonly records: number;
    readonly facts: number;
    readonly findings: number;
    readonly bySeverity: Readonly<Record<string, number>>;
    /** Records on the timeline and the scrubber (the first ones). */
    readonly covered: number;
    readonly mode: 'exact' | 'full-call';
    /** Records whose shown state is not exactly `state --at` (see walk.ts). */
    readonly inexact: number;
    /** The width of a call whose end the trace does not record (µs; see analysis.ts). */
    readonly sliceUs: number;
    /** What the report left out, in sentences. */
    readonly leftOut: readonly string[];
  };
  readonly strings: readonly string[];
  /** Covered records, columnar. `line` 0: unknown; `start`/`end` µs. */
  readonly rec: {
    readonly seq: number[];
    readonly line: number[];
    readonly tid: number[];
    readonly depth: number[];
    readonly start: number[];
    readonly end: number[];
    readonly fn: number[];
    readonly text: number[];
    readonly inexact: number[];
  };
  /** Changes of record t are [off[t], off[t+1]): object, new summary (-1 removed), change text. */
  readonly delta: { readonly off: number[]; readonly obj: number[]; readonly sum: number[]; readonly text: number[] };
  /** Facts of record t are [off[t], off[t+1]) of text. */
  readonly facts: { readonly off: number[]; readonly text: number[] };
  readonly objects: { readonly key: string[]; readonly kind: number[]; readonly label: number[] };
  /** [object, summary] before the first record. */
  readonly initial: readonly (readonly [number, number])[];
  readonly tasks: readonly { readonly tid: number; readonly comm: string | null }[];
  /** Objects drawn as timeline lanes, in order. */
  readonly lanes: readonly number[];
  readonly findings: readonly ReportFinding[];
}

class Strings {
  readonly list: string[] = [];
  readonly #ids = new Map<string, number>();
  id(s: string): number {
    let id = this.#ids.get(s);
    if (id === undefined) {
      id = this.list.length;
      this.list.push(s);
      this.#ids.set(s, id);
    }
    return id;
  }
}

export function buildReportData(input: TraceInput, options: ReportOptions = {}): ReportData {
  const a = analyse(input);
  const { entries, header } = input;
  const covered = Math.min(entries.length, options.maxRecords ?? DEFAULT_MAX_RECORDS);
  const str = new Strings();
  const objIndex = new Map<string, number>();
  const objects = { key: [] as string[], kind: [] as number[], label: [] as number[] };
  const objectOf = (key: string, kind: string, label: string) => {
    let i = objIndex.get(key);
    if (i === undefined) {
      i = objects.key.length;
      objIndex.set(key, i);
      objects.key.push(key);
      objects.kind.push(str.id(kind));
      objects.label.push(str.id(label));
    }
    return i;
  };
  const delta = { off: [0], obj: [] as number[], sum: [] as number[], text: [] as number[] };
  const facts = { off: [0], text: [] as number[] };
  const inexact: number[] = [];
  const stepChanges: number[][] = [];
  const stepRefs: string[][][] = [];
  const onStep = (s: Step) => {
    const ids: number[] = [];
    const refs: string[][] = [];
    for (const c of s.changes) {
      const o = s.after.get(c.key);
      const i = objectOf(c.key, c.kind, c.label);
      delta.obj.push(i);
      delta.sum.push(o === undefined ? -1 : str.id(o.summary));
      const t = str.id(c.text);
      delta.text.push(t);
      ids.push(t);
      refs.push([...c.refs]);
    }
    delta.off.push(delta.obj.length);
    for (const f of s.facts) facts.text.push(str.id(formatFact(f)));
    facts.off.push(facts.text.length);
    if (!s.exact) inexact.push(s.at);
    stepChanges.push(ids);
    stepRefs.push(refs);
  };
  const { tracks, walk } = objectTracks(input, { exactBudget: options.exactBudget ?? DEFAULT_EXACT_BUDGET, limit: covered }, onStep);
  const initial = walk.initial.map((o) => [objectOf(o.key, o.kind, o.label), str.id(o.summary)] as const);

  const rec = { seq: [] as number[], line: [] as number[], tid: [] as number[], depth: [] as number[], start: [] as number[], end: [] as number[], fn: [] as number[], text: [] as number[], inexact };
  for (let t = 0; t < covered; t++) {
    const e = entries[t];
    rec.seq.push(e.record.seq);
    rec.line.push(e.line ?? 0);
    rec.tid.push(e.record.tid);
    rec.depth.push(a.spans[t].depth);
    rec.start.push(round(a.spans[t].start));
    rec.end.push(round(a.spans[t].end));
    rec.fn.push(str.id(e.record.fn));
    rec.text.push(str.id(formatRecord(e.record as CallRecord, e.line)));
  }
  const comm = new Map<number, string | null>();
  for (let t = 0; t < covered; t++) {
    const r = entries[t].record;
    if (!comm.has(r.tid) || (comm.get(r.tid) === null && r.comm !== undefined)) comm.set(r.tid, r.comm ?? null);
  }

  const findingFacts = (pos: number) => {
    if (pos < covered) return facts.text.slice(facts.off[pos], facts.off[pos + 1]);
    return a.index.facts.filter((f) => f.seq === entries[pos].record.seq).map((f) => str.id(formatFact(f)));
  };
  const mark = options.mark ?? ((f: Finding) => f);
  const findings: ReportFinding[] = a.findings.map((raw, k) => {
    const f = mark(raw);
    const chain = a.chains[k];
    const tokens = new Set(chain.tokens);
    const kept = chain.positions.slice(-MAX_CHAIN_ITEMS);
    const items = kept.map((p) => {
      const changes = p < covered ? stepChanges[p].filter((_, n) => stepRefs[p][n].some((r) => tokens.has(r))) : [];
      return [p, changes, findingFacts(p)] as const;
    });
    const pos = f.seq === null ? -1 : a.positionOf.get(f.seq) ?? -1;
    return {
      code: f.code, title: FINDINGS[f.code].title, severity: f.severity, reaction: f.reaction, ref: f.ref, message: f.message, fix: f.fix, rule: f.rule,
      seq: f.seq, line: f.line, fn: f.fn, objects: f.objects, atEnd: f.atEnd, maybeLostEvents: f.maybeLostEvents === true,
      pos: pos < covered ? pos : -1,
      tid: pos >= 0 ? entries[pos].record.tid : null,
      objs: findingTracks(f, chain, tracks).map((key) => objIndex.get(key)).filter((i): i is number => i !== undefined),
      chain: { tokens: chain.tokens, items, omitted: chain.positions.length - kept.length },
    };
  });

  // Lanes: what the findings name first, then the objects that changed most often.
  const lanes: number[] = [];
  const inLanes = new Set<number>();
  for (const f of findings) for (const o of f.objs) if (!inLanes.has(o) && lanes.length < MAX_OBJECT_LANES) (inLanes.add(o), lanes.push(o));
  const busy = [...tracks.values()].map((tr) => [objIndex.get(tr.key) as number, tr.intervals.length] as const).filter(([i]) => i !== undefined && !inLanes.has(i));
  busy.sort((x, y) => y[1] - x[1] || x[0] - y[0]);
  for (const [i] of busy) if (lanes.length < MAX_OBJECT_LANES) lanes.push(i);
  lanes.sort((x, y) => kindRank(objects.key[x]) - kindRank(objects.key[y]) || (objects.key[x] < objects.key[y] ? -1 : 1));

  const leftOut: string[] = [];
  if (covered < entries.length) {
    leftOut.push(`The timeline and the scrubber show the first ${covered} of ${entries.length} records (up to seq ${entries[covered - 1].record.seq}); the findings list is complete, and chain records past seq ${entries[covered - 1].record.seq} show without their changes. Use \`state --at\` and \`diff\` for the rest, or --max-records.`);
  }
  if (objIndex.size > lanes.length) leftOut.push(`The timeline draws ${lanes.length} of ${objIndex.size} objects as lanes (every object a finding names, then the busiest); every object is in the state view and its history.`);
  if (walk.inexact > 0) {
    leftOut.push(`${walk.inexact} record(s) marked ≈ show the state with their calls' nested records already applied (as the audit replays them): the trace is too large to replay the cut after each nested record exactly (\`state --at SEQ\` does); raise the limit with --exact-budget.`);
  }
  const bySeverity: Record<string, number> = { bug: 0, misuse: 0, info: 0 };
  for (const f of a.findings) bySeverity[f.severity] = (bySeverity[f.severity] ?? 0) + 1;
  return {
    version: 1,
    meta: {
      file: input.file, kernel: input.profile.kernel, era: input.profile.era, source: header.source ?? 'unknown', description: header.description ?? null,
      host: (header.host as Record<string, unknown> | undefined) ?? null, generator: options.generator ?? 'pasid-ledger report',
      records: entries.length, facts: a.index.facts.length, sliceUs: a.defaultDuration, findings: a.findings.length, bySeverity, covered, mode: walk.mode, inexact: walk.inexact, leftOut,
    },
    strings: str.list,
    rec,
    delta,
    facts,
    objects,
    initial,
    tasks: [...comm].map(([tid, c]) => ({ tid, comm: c })).sort((x, y) => x.tid - y.tid),
    lanes,
    findings,
  };
}

const round = (x: number) => Math.round(x * 1000) / 1000;
const KIND_ORDER = ['slot', 'domain', 'bond', 'handle', 'mm', 'globalPasid', 'ioasid', 'registration', 'allocatorEntry', 'allocator', 'device', 'rootTable', 'vtd'];
function kindRank(key: string): number {
  const r = KIND_ORDER.indexOf(key.slice(0, key.indexOf(':')));
  return r < 0 ? KIND_ORDER.length : r;
}
