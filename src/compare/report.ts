/**
 * The compare report: every kernel pair (consecutive in the order given, or the two ends of a
 * --kernel-range), the recording checked on its own kernel, and the text and JSON forms. The JSON
 * schema is versioned ("pasid-ledger-compare/1") and documented in docs/compare.md. Pure.
 */
import type { Profile } from '../../machines/profile.js';
import type { Entry } from '../replay/replayTrace.js';
import { describeChange, type Change } from './boundaries.js';
import { CAUSES, CAUSE_TITLES, comparePair, RunCache, type Cause, type Difference, type PairComparison } from './compare.js';
import { checkRecording, retSeenText, type RecordingCheck, type RetSeen } from './run.js';

export const COMPARE_SCHEMA = 'pasid-ledger-compare/1';

export interface CompareReport {
  readonly schema: typeof COMPARE_SCHEMA;
  readonly file: string;
  readonly mode: 'kernels' | 'range';
  readonly kernels: readonly { readonly kernel: string; readonly era: string }[];
  /** The recording on the kernel it was recorded on (the header's): recorded returns the model disagrees with. */
  readonly recording: RecordingCheck;
  readonly pairs: readonly PairComparison[];
  /** Distinct kernels replayed in all (memoised by rules). */
  readonly replays: number;
}

/**
 * Compares the trace across `kernels` (consecutive pairs) or, in range mode, between the two ends.
 * `recorded` is the profile of the kernel the trace was recorded on.
 */
export function compareTrace(file: string, entries: readonly Entry[], recorded: Profile, kernels: readonly Profile[], mode: 'kernels' | 'range'): CompareReport {
  const cache = new RunCache(entries);
  const pairs: PairComparison[] = [];
  for (let i = 0; i + 1 < kernels.length; i++) pairs.push(comparePair(cache, kernels[i], kernels[i + 1]));
  return {
    schema: COMPARE_SCHEMA,
    file,
    mode,
    kernels: kernels.map((p) => ({ kernel: p.kernel, era: p.era })),
    recording: checkRecording(entries, recorded),
    pairs,
    replays: cache.replays,
  };
}

export const hasDifferences = (r: CompareReport) => r.pairs.some((p) => p.differences.length > 0);

/** The JSON form: plain data, keys in a fixed order. */
export function reportJson(r: CompareReport): unknown {
  const change = (c: Change) =>
    c.kind === 'flag' ? { kind: c.kind, flag: c.flag, from: c.from, to: c.to, commit: c.commit, doc: c.doc }
    : c.kind === 'backport' ? { kind: c.kind, name: c.name, from: c.from, to: c.to, commit: c.commit, doc: c.doc }
    : { kind: c.kind, fn: c.fn, from: c.from, to: c.to, exists: c.exists, where: c.where };
  return {
    schema: r.schema,
    file: r.file,
    mode: r.mode,
    kernels: r.kernels,
    recording: r.recording,
    pairs: r.pairs.map((p) => ({
      from: p.from,
      to: p.to,
      fromEra: p.fromEra,
      toEra: p.toEra,
      boundaries: p.boundaries.map((b) => ({ boundary: b.boundary, changes: b.changes.map(change), differences: b.differences })),
      differences: p.differences.map((d) => ({
        cause: d.cause,
        seq: d.seq,
        line: d.line,
        fn: d.fn,
        atEnd: d.atEnd,
        subject: d.subject,
        from: d.from,
        to: d.to,
        detail: d.detail,
        boundary: d.blame.boundary,
        attribution: d.blame.attribution,
        responsible: d.blame.responsible.map(change),
        alongside: d.blame.alongside.map(change),
      })),
      summary: p.summary,
    })),
    replays: r.replays,
  };
}

function where(file: string, d: Difference): string {
  const at = d.line !== null ? `${file}:${d.line}` : file;
  const seq = d.seq === null ? '' : ` [seq ${d.seq}]`;
  return `${at}${seq}${d.atEnd ? ' at end of trace' : ''}`;
}

function blameLine(d: Difference): string {
  const b = d.blame;
  const how = b.attribution === 'jointly' ? ' (together)' : '';
  return `      v${b.boundary}: ${b.responsible.map(describeChange).join('; ')}${how}`;
}

function differenceLines(file: string, d: Difference, a: string, b: string): string[] {
  const head = `  ${where(file, d)} ${d.cause === 'finding' ? d.subject : d.fn ?? d.subject}`;
  switch (d.detail.cause) {
    case 'call': {
      const on = d.detail.existsFrom ? a : b;
      const off = d.detail.existsFrom ? b : a;
      const ret = (d.detail.existsFrom ? d.detail.retFrom : d.detail.retTo) as RetSeen;
      const fs = d.detail.existsFrom ? d.detail.findingsFrom : d.detail.findingsTo;
      const what = 'value' in ret ? `returns ${retSeenText(ret)}` : ret.undecided === 'nested' ? 'nested: checked against its enclosing call' : 'return not decided by the model';
      return [`${head}: exists in ${on} (${what}${fs.length > 0 ? `, raises ${fs.join(', ')}` : ''}), not in ${off}`, blameLine(d)];
    }
    case 'return':
      return [`${head}: returns ${d.from} on ${a}, ${d.to} on ${b}`, blameLine(d)];
    case 'state':
    case 'nested':
      return [
        `${head}:`,
        ...(d.detail.onlyFrom.length > 0 ? [`      only on ${a}: ${d.detail.onlyFrom.join('; ')}`] : []),
        ...(d.detail.onlyTo.length > 0 ? [`      only on ${b}: ${d.detail.onlyTo.join('; ')}`] : []),
        blameLine(d),
      ];
    case 'finding': {
      const f = d.detail;
      const text =
        f.change === 'appears' ? `appears on ${b}: ${f.message}` : f.change === 'vanishes' ? `vanishes on ${b} (on ${a}: ${f.message})` : `kernel reaction ${f.reactionFrom} on ${a}, ${f.reactionTo} on ${b}`;
      return [`${head} ${text}`, blameLine(d)];
    }
  }
}

const CAUSE_WORDS: Record<Cause, string> = { call: 'call(s) missing', return: 'return(s)', state: 'state change(s)', nested: 'nested call(s)', finding: 'finding(s)' };

function summaryLine(p: PairComparison): string {
  const s = p.summary;
  const crossed = `${p.boundaries.length} era boundar${p.boundaries.length === 1 ? 'y' : 'ies'}`;
  if (s.total === 0) return `${p.from} → ${p.to}: no difference (${crossed} crossed)`;
  const f = s.findings;
  const findings = [f.appear > 0 ? `${f.appear} appear` : '', f.vanish > 0 ? `${f.vanish} vanish` : '', f.reaction > 0 ? `${f.reaction} change reaction` : ''].filter(Boolean).join(', ');
  const causes = CAUSES.filter((c) => s.byCause[c] > 0).map((c) => `${s.byCause[c]} ${CAUSE_WORDS[c]}${c === 'finding' ? ` (${findings})` : ''}`);
  const by = p.boundaries.filter((b) => b.differences > 0).map((b) => `v${b.boundary} (${b.differences})`);
  return `${p.from} → ${p.to}: ${s.total} difference(s): ${causes.join(', ')}; from ${by.join(', ')}; ${s.replays} replay(s) for ${crossed}`;
}

/** Appends the differences grouped by cause, at most `limit` per cause (the rest counted). */
function byCause(out: string[], file: string, diffs: readonly Difference[], a: string, b: string, limit: number, indent = ''): void {
  for (const cause of CAUSES) {
    const group = diffs.filter((d) => d.cause === cause);
    if (group.length === 0) continue;
    out.push(`${indent}${CAUSE_TITLES[cause]} (${group.length}):`);
    for (const d of group.slice(0, limit)) for (const l of differenceLines(file, d, a, b)) out.push(indent + l);
    if (group.length > limit) out.push(`${indent}  … ${group.length - limit} more (--all or --json lists every one)`);
  }
}

/** The text report; `limit` differences per cause (per boundary with --kernel-range) at most. */
export function reportText(r: CompareReport, limit = Number.POSITIVE_INFINITY): string {
  const out: string[] = [];
  const rec = r.recording;
  out.push(`${r.file}: recorded on ${rec.kernel}; compared ${r.kernels.map((k) => `${k.kernel} (era ${k.era})`).join(r.mode === 'range' ? ' .. ' : ', ')}`);
  if (rec.mismatches.length === 0) out.push(`recording: every recorded return agrees with the model on ${rec.kernel}`);
  else {
    out.push(`recording: ${rec.mismatches.length} recorded return(s) differ from the model on ${rec.kernel} (below, every kernel's returns are the model's):`);
    for (const m of rec.mismatches.slice(0, 5)) out.push(`  ${r.file}${m.line !== null ? `:${m.line}` : ''} [seq ${m.seq}] ${m.message}`);
    if (rec.mismatches.length > 5) out.push(`  … ${rec.mismatches.length - 5} more (audit ${r.file} lists them all)`);
  }
  for (const p of r.pairs) {
    out.push('', `${p.from} → ${p.to}`);
    if (r.mode === 'range') {
      for (const b of p.boundaries) {
        out.push(`v${b.boundary}: ${b.changes.map(describeChange).join('; ')}`);
        const here = p.differences.filter((d) => d.blame.boundary === b.boundary);
        if (here.length === 0) out.push('  no difference on this trace first appears here');
        else byCause(out, r.file, here, p.from, p.to, limit, '  ');
      }
    } else byCause(out, r.file, p.differences, p.from, p.to, limit);
  }
  out.push('', 'summary:');
  for (const p of r.pairs) out.push(`  ${summaryLine(p)}`);
  return out.join('\n');
}
