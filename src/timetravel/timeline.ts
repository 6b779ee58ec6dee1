/**
 * What the time-travel commands walk: a trace's records, positions in it and the full run's
 * findings, whether the records are in memory (`memoryTimeline` over a TravelIndex) or read on
 * demand from the trace through its binary index (sidecar.ts). Pure.
 */
import type { Fact } from '../../events/facts.js';
import type { Profile } from '../../machines/profile.js';
import { err, ledgerError, ok, type LedgerError, type Result } from '../core/result.js';
import type { Finding } from '../replay/finding.js';
import type { Entry } from '../replay/replayTrace.js';
import type { Replay } from '../replay/replay.js';
import { seekIndex, type Position, type TravelIndex } from './index.js';
import { factsBySeq, recordTokens } from './refs.js';

/** Called with a seek's replay right after its checkpoint is restored, before it steps (history tracks changes from there). */
export type OnRestore = (replay: Replay) => void;

export interface Timeline {
  readonly profile: Profile;
  /** Number of records. */
  readonly length: number;
  /** Distance between checkpoints (Infinity: only the start). */
  readonly k: number;
  entry(t: number): Entry;
  /** Records t in [from, to] (inclusive, clamped). */
  range(from: number, to: number): readonly Entry[];
  /** The record index of a seq, or undefined. */
  indexOf(seq: number): number | undefined;
  /**
   * The position right after record t (-1: the start): the replay of the trace cut there. With
   * `notAfter`, the checkpoint it restores is at or before that record, so the replay's log holds
   * the facts of every record from it on.
   */
  seek(t: number, notAfter?: number, onRestore?: OnRestore): Position;
  /** Findings of the full run (without the end-of-trace checks) and the end-of-trace ones. */
  readonly findings: readonly Finding[];
  readonly endFindings: readonly Finding[];
  /** The facts the full run derived from record t. */
  factsOf(t: number): readonly Fact[];
  /** Record indices up to `until` whose args, return or facts name one of the tokens, in order. */
  touching(tokens: ReadonlySet<string>, until: number): number[];
}

const CACHE = new WeakMap<TravelIndex, Timeline>();

/** A timeline over an in-memory index (every record and fact of the full run in memory). */
export function memoryTimeline(index: TravelIndex): Timeline {
  const cached = CACHE.get(index);
  if (cached !== undefined) return cached;
  let bySeq: Map<number, Fact[]> | undefined;
  const facts = (t: number) => (bySeq ??= factsBySeq(index.facts)).get(index.entries[t].record.seq) ?? [];
  const tl: Timeline = {
    profile: index.profile,
    length: index.entries.length,
    k: index.k,
    entry: (t) => index.entries[t],
    range: (from, to) => index.entries.slice(Math.max(0, from), Math.max(0, to + 1)),
    indexOf: (seq) => index.indexOfSeq.get(seq),
    seek: (t, _notAfter, onRestore) => seekIndex(index, t, onRestore),
    findings: index.findings,
    endFindings: index.endFindings,
    factsOf: facts,
    touching(tokens, until) {
      const out: number[] = [];
      for (let t = 0; t <= until && t < index.entries.length; t++) {
        const touched = recordTokens(index.entries[t].record, facts(t));
        for (const k of tokens) {
          if (touched.has(k)) {
            out.push(t);
            break;
          }
        }
      }
      return out;
    },
  };
  CACHE.set(index, tl);
  return tl;
}

export function asTimeline(x: TravelIndex | Timeline): Timeline {
  return 'entries' in x ? memoryTimeline(x) : x;
}

/** The record index of a seq, or an error naming the nearest seqs of the trace. 0 is the start. */
export function timelineIndexOf(tl: Timeline, seq: number, option = '--at', file = 'trace'): Result<number, LedgerError> {
  if (seq === 0) return ok(-1);
  const i = tl.indexOf(seq);
  if (i !== undefined) return ok(i);
  const n = tl.length;
  if (n === 0) return err(ledgerError('SEQ_NOT_IN_TRACE', `${option} ${seq}: no record has seq ${seq} (the trace has no records)`, { file, field: option, seq, fix: 'capture or write records first' }));
  const first = tl.entry(0).record.seq;
  const last = tl.entry(n - 1).record.seq;
  // Seqs increase (the reader checks it): binary search the first record after seq.
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (tl.entry(mid).record.seq > seq) hi = mid;
    else lo = mid + 1;
  }
  const near = [lo > 0 ? tl.entry(lo - 1).record.seq : undefined, lo < n ? tl.entry(lo).record.seq : undefined].filter((s) => s !== undefined);
  return err(ledgerError('SEQ_NOT_IN_TRACE', `${option} ${seq}: no record has seq ${seq} (the trace has seqs ${first}..${last})`, {
    file,
    field: option,
    seq,
    fix: `the nearest seqs are ${near.join(' and ')}`,
  }));
}
