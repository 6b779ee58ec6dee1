/**
 * The sidecar form of a time-travel index (JSON Lines, `TRACE.idx`): a header naming the trace's
 * fingerprint (size and SHA-256 of the whole trace), one line per checkpoint, fact and finding, and
 * a checksum trailer over all of it (fingerprint.ts). Pure: the IO lives in src/cli.
 */
import type { Fact } from '../../events/facts.js';
import type { Snap } from '../../machines/kit/lifecycle.js';
import { World } from '../../machines/kit/world.js';
import type { Profile } from '../../machines/profile.js';
import { err, ledgerError, ok, type LedgerError, type Result } from '../core/result.js';
import type { Finding } from '../replay/finding.js';
import type { NestingState } from '../replay/nesting.js';
import type { ReplayCheckpoint } from '../replay/replay.js';
import type { Entry } from '../replay/replayTrace.js';
import type { Checkpoint, TravelIndex } from './index.js';
import { checksumProblem, fingerprintMismatch, withChecksum, type TraceFingerprint } from './fingerprint.js';

export const INDEX_FORMAT = 'pasid-ledger-index';
/** 2: the fingerprint hashes the whole trace and a checksum trailer ends the index (1 hashed 64 KiB at each end). */
export const INDEX_VERSION = 2;

/** What identifies the trace an index was built from. */
export type Fingerprint = TraceFingerprint;

interface Header {
  format: string;
  version: number;
  trace: Fingerprint;
  kernel: string;
  k: number;
  records: number;
  checkpoints: number;
  facts: number;
  findings: number;
  endFindings: number;
}

interface CheckpointLine {
  at: number;
  world: [string, Snap<unknown>][];
  hints: [string, number][];
  nesting: { order: number[]; rootOf: number[]; rootFn: NestingState['rootFn']; expected: NestingState['expected'] };
  origin: ReplayCheckpoint['origin'];
  records: number;
  lastSeq: number | null;
  facts: number;
  findings: number;
}

export function encodeCheckpoint(c: Checkpoint): string {
  const r = c.replay;
  const line: CheckpointLine = {
    at: c.at,
    world: [...r.world.objects],
    hints: [...r.world.lowestFreeHint],
    nesting: { order: Array.from(r.nesting.order), rootOf: Array.from(r.nesting.rootOf), rootFn: r.nesting.rootFn, expected: r.nesting.expected },
    origin: r.origin,
    records: r.records,
    lastSeq: r.lastSeq,
    facts: r.facts,
    findings: r.findings,
  };
  return JSON.stringify(line);
}

/** The index as lines (each without its newline), the checksum trailer last. */
export function encodeIndex(index: TravelIndex, trace: Fingerprint): Generator<string> {
  return withChecksum(indexLines(index, trace));
}

function* indexLines(index: TravelIndex, trace: Fingerprint): Generator<string> {
  const header: Header = {
    format: INDEX_FORMAT, version: INDEX_VERSION, trace, kernel: index.profile.kernel, k: index.k, records: index.entries.length,
    checkpoints: index.checkpoints.length, facts: index.facts.length, findings: index.findings.length, endFindings: index.endFindings.length,
  };
  yield JSON.stringify(header);
  for (const c of index.checkpoints) yield encodeCheckpoint(c);
  for (const f of index.facts) yield JSON.stringify(f);
  for (const f of index.findings) yield JSON.stringify(f);
  for (const f of index.endFindings) yield JSON.stringify(f);
}

/** A checkpoint line as parsed has the shape encodeCheckpoint gives it (a guard behind the checksum). */
function checkpointShapeOk(c: CheckpointLine, previous: number, records: number): boolean {
  return (
    typeof c === 'object' && c !== null && Number.isInteger(c.at) && c.at > previous && c.at <= records &&
    Array.isArray(c.world) && c.world.every((p) => Array.isArray(p) && p.length === 2 && typeof p[0] === 'string' && typeof p[1] === 'object' && p[1] !== null) &&
    Array.isArray(c.hints) && typeof c.nesting === 'object' && c.nesting !== null && Array.isArray(c.nesting.order) && Array.isArray(c.nesting.rootOf) &&
    Array.isArray(c.origin) && Number.isInteger(c.records) && Number.isInteger(c.facts) && Number.isInteger(c.findings)
  );
}

/**
 * Reads an index back for these entries and profile. The checksum is checked before anything is
 * parsed, then the trace fingerprint, kernel, counts and checkpoint shapes; any mismatch (a damaged
 * or edited index, another trace or a changed one, another kernel, an older format) is an error
 * value and nothing of the index is used: the caller rebuilds it or replays without it.
 */
export function decodeIndex(lines: readonly string[], entries: readonly Entry[], profile: Profile, trace: Fingerprint, file = 'index'): Result<TravelIndex, LedgerError> {
  const fix = 'it is not used; pass --write-index to rebuild it, or delete it';
  const stale = (what: string, line = 1) => err(ledgerError('INDEX_STALE', what, { file, line, fix }));
  const corrupt = (what: string, line?: number) => err(ledgerError('INDEX_CORRUPT', what, { file, line, fix }));
  try {
    const h = JSON.parse(lines[0] ?? 'null') as Header | null;
    if (h === null || typeof h !== 'object' || h.format !== INDEX_FORMAT) return stale('not a pasid-ledger index');
    if (h.version !== INDEX_VERSION) return stale(`an index of format version ${String(h.version)}, this pasid-ledger reads version ${INDEX_VERSION}`);
    const damaged = checksumProblem(lines);
    if (damaged !== undefined) return corrupt(damaged, lines.length);
    const changed = fingerprintMismatch(h.trace, trace);
    if (changed !== undefined) return stale(changed);
    if (h.kernel !== profile.kernel || h.records !== entries.length) return stale(`the index is for kernel ${h.kernel} and ${h.records} records`);
    if (lines.length !== 2 + h.checkpoints + h.facts + h.findings + h.endFindings) return corrupt('the index line counts disagree with its header', 1);
    let n = 1;
    const checkpoints: Checkpoint[] = [];
    for (let i = 0; i < h.checkpoints; i++) {
      const c = JSON.parse(lines[n++]) as CheckpointLine;
      if (!checkpointShapeOk(c, i === 0 ? -1 : checkpoints[i - 1].at, entries.length) || (i === 0 && c.at !== 0)) return corrupt('a checkpoint line is malformed', n);
      const world = new World(profile, 'fast', new Map(c.world), new Map(c.hints));
      checkpoints.push({ at: c.at, replay: { world, nesting: { order: Float64Array.from(c.nesting.order), rootOf: Float64Array.from(c.nesting.rootOf), rootFn: c.nesting.rootFn, expected: c.nesting.expected }, origin: c.origin, records: c.records, lastSeq: c.lastSeq, facts: c.facts, findings: c.findings } });
    }
    const take = <T>(count: number): T[] => {
      const out: T[] = [];
      for (let i = 0; i < count; i++) out.push(JSON.parse(lines[n++]) as T);
      return out;
    };
    const facts = take<Fact>(h.facts);
    const findings = take<Finding>(h.findings);
    const endFindings = take<Finding>(h.endFindings);
    const indexOfSeq = new Map<number, number>();
    entries.forEach((e, i) => indexOfSeq.set(e.record.seq, i));
    return ok({ entries, profile, mode: 'fast', k: h.k, checkpoints, facts, findings, endFindings, indexOfSeq });
  } catch (e) {
    return stale(`unreadable (${(e as Error).message})`);
  }
}
