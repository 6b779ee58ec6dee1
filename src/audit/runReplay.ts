/**
 * Runs a replay over a stream of reader items: the header selects the profile (or --kernel
 * overrides it), records stream through a bounded look-ahead, a reader error stops with that error.
 * The core of `audit`, `state` and `replay`; no IO of its own.
 */
import type { TraceHeader } from '../../events/records.js';
import type { StepMode } from '../../machines/kit/world.js';
import { ledgerError, type LedgerError, type Result, ok, err } from '../core/result.js';
import type { ReadChunk, ReadItem, TraceEntry } from '../log/readItem.js';
import { Replay } from '../replay/replay.js';
import { profileOf, StreamReplay } from '../replay/replayTrace.js';

/**
 * A live input's pause: step what can be stepped now, so findings so far are reported. `sealed`:
 * every record so far has all its nested records (an importer's output), so the whole window may go.
 */
export interface IdleItem {
  readonly kind: 'idle';
  readonly sealed?: boolean;
}

export interface RunOptions {
  readonly file: string;
  readonly kernel?: string;
  readonly mode?: StepMode;
  readonly validateFacts?: boolean;
  /** Keep every fact in memory (default false: subscribe in onStart to see them). */
  readonly retainFacts?: boolean;
  /** Called with the replay once the header is known, before any record (to subscribe to findings). */
  readonly onStart?: (replay: Replay) => void;
  /** Stop after this seq (time travel's `--at`); the end-of-trace checks are not run then. */
  readonly untilSeq?: number;
  /**
   * Called with each record as the run takes it from the input (before the `untilSeq` cut), in
   * trace order: what a per-record observer (a counter, the caller index) needs, without a stage
   * of its own between the reader and the replay.
   */
  readonly onRecord?: (entry: TraceEntry) => void;
}

export interface RunResult {
  readonly header: TraceHeader;
  readonly replay: Replay;
  readonly warnings: readonly LedgerError[];
  /** False when `untilSeq` cut the trace short. */
  readonly complete: boolean;
}

/**
 * What runReplay reads: single items, or whole chunks of them (readTraceChunks), which it steps in
 * one synchronous loop (the only await is for the next chunk).
 */
export type RunInput = AsyncIterable<ReadItem | IdleItem | ReadChunk>;

export async function runReplay(items: RunInput, options: RunOptions): Promise<Result<RunResult, LedgerError>> {
  const warnings: LedgerError[] = [];
  let header: TraceHeader | undefined;
  /** Set when the run ends before the input does: a reader error, a bad header, a bad profile. */
  let failure: LedgerError | undefined;
  let replay: Replay | undefined;
  let stream: StreamReplay | undefined;
  let cut = false;
  const { untilSeq, onRecord } = options;

  /** One item; false when the run stops here. */
  const take = (item: ReadItem | IdleItem): boolean => {
    if (stream === undefined) {
      // The header comes first (the reader guarantees it or yields an error).
      if (item.kind === 'header') {
        header = item.header;
        const profile = profileOf(header, options.kernel, options.file);
        if (!profile.ok) {
          failure = profile.error;
          return false;
        }
        replay = new Replay({ profile: profile.value, mode: options.mode, validateFacts: options.validateFacts, retainFacts: options.retainFacts ?? false });
        options.onStart?.(replay);
        stream = new StreamReplay(replay);
        return true;
      }
      if (item.kind === 'error') failure = item.error;
      else if (item.kind === 'idle') return true;
      else if (item.kind === 'warning') {
        warnings.push(item.warning);
        return true;
      } else failure = ledgerError('HEADER_MISSING', 'a derived-event log was given where a trace is expected', { file: options.file, line: 1, fix: 'pass the trace, not the log' });
      return false;
    }
    switch (item.kind) {
      case 'record': {
        onRecord?.(item.entry);
        if (untilSeq !== undefined && item.entry.record.seq > untilSeq) {
          cut = true;
          return false;
        }
        // Why: a TraceEntry is an Entry (record and line); no copy per record.
        stream.push(item.entry);
        return true;
      }
      case 'idle':
        if (item.sealed === true) stream.sealed();
        else stream.idle();
        return true;
      case 'warning':
        warnings.push(item.warning);
        return true;
      case 'error':
        failure = item.error;
        return false;
      default:
        return true;
    }
  };

  let going = true;
  for await (const x of items) {
    if (isChunk(x)) {
      for (let i = 0; i < x.length && going; i++) going = take(x[i]);
    } else going = take(x);
    if (!going) break;
  }
  if (stream === undefined || replay === undefined || header === undefined) {
    return err(failure ?? ledgerError('EMPTY_FILE', 'no header and no records', { file: options.file, fix: 'capture or write a trace first' }));
  }
  stream.finish();
  if (failure) return err(failure);
  if (!cut) replay.end();
  return ok({ header, replay, warnings, complete: !cut });
}

function isChunk(x: ReadItem | IdleItem | ReadChunk): x is ReadChunk {
  return Array.isArray(x);
}
