/**
 * The sidecar form of a time-travel index (JSON Lines, `TRACE.idx`): a header naming the trace's
 * fingerprint, then one line per checkpoint, fact and finding. Pure: the IO lives in src/cli.
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

export const INDEX_FORMAT = 'pasid-ledger-index';
export const INDEX_VERSION = 1;

/** What identifies the trace an index was built from: size and hashes of its head and tail. */
export interface Fingerprint {
  readonly size: number;
  readonly head: string;
  readonly tail: string;
}

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

/** The index as lines (each without its newline). */
export function* encodeIndex(index: TravelIndex, trace: Fingerprint): Generator<string> {
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

/**
 * Reads an index back for these entries and profile; any mismatch (another trace, kernel, version,
 * a torn file) is an error value: the caller rebuilds the index.
 */
export function decodeIndex(lines: readonly string[], entries: readonly Entry[], profile: Profile, trace: Fingerprint, file = 'index'): Result<TravelIndex, LedgerError> {
  const stale = (what: string) => err(ledgerError('INDEX_STALE', what, { file, line: 1, fix: 'it is rebuilt from the trace; delete it to stop this warning' }));
  try {
    const h = JSON.parse(lines[0] ?? 'null') as Header | null;
    if (h === null || h.format !== INDEX_FORMAT || h.version !== INDEX_VERSION) return stale('not a pasid-ledger index of this version');
    if (h.trace.size !== trace.size || h.trace.head !== trace.head || h.trace.tail !== trace.tail) return stale('the trace changed since the index was written');
    if (h.kernel !== profile.kernel || h.records !== entries.length) return stale(`the index is for kernel ${h.kernel} and ${h.records} records`);
    if (lines.length !== 1 + h.checkpoints + h.facts + h.findings + h.endFindings) return stale('the index is truncated');
    let n = 1;
    const checkpoints: Checkpoint[] = [];
    for (let i = 0; i < h.checkpoints; i++) {
      const c = JSON.parse(lines[n++]) as CheckpointLine;
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
