/**
 * Runs a replay over a stream of reader items: the header selects the profile (or --kernel
 * overrides it), records stream through a bounded look-ahead, a reader error stops with that error.
 * The core of `audit`, `state` and `replay`; no IO of its own.
 */
import type { TraceHeader } from '../../events/records.js';
import type { StepMode } from '../../machines/kit/world.js';
import { ledgerError, type LedgerError, type Result, ok, err } from '../core/result.js';
import type { ReadItem } from '../log/readItem.js';
import { Replay } from '../replay/replay.js';
import { profileOf, replayStream, type Entry } from '../replay/replayTrace.js';

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
}

export interface RunResult {
  readonly header: TraceHeader;
  readonly replay: Replay;
  readonly warnings: readonly LedgerError[];
  /** False when `untilSeq` cut the trace short. */
  readonly complete: boolean;
}

export async function runReplay(items: AsyncIterable<ReadItem | IdleItem>, options: RunOptions): Promise<Result<RunResult, LedgerError>> {
  const it = items[Symbol.asyncIterator]();
  const warnings: LedgerError[] = [];
  let header: TraceHeader | undefined;
  let failure: LedgerError | undefined;
  let replay: Replay | undefined;
  let cut = false;

  // The header comes first (the reader guarantees it or yields an error).
  for (let n = await it.next(); !n.done; n = await it.next()) {
    const item = n.value;
    if (item.kind === 'header') {
      header = item.header;
      break;
    }
    if (item.kind === 'error') return err(item.error);
    if (item.kind === 'idle') continue;
    if (item.kind === 'warning') warnings.push(item.warning);
    else return err(ledgerError('HEADER_MISSING', 'a derived-event log was given where a trace is expected', { file: options.file, line: 1, fix: 'pass the trace, not the log' }));
  }
  if (header === undefined) return err(ledgerError('EMPTY_FILE', 'no header and no records', { file: options.file, fix: 'capture or write a trace first' }));
  const profile = profileOf(header, options.kernel, options.file);
  if (!profile.ok) return profile;
  replay = new Replay({ profile: profile.value, mode: options.mode, validateFacts: options.validateFacts, retainFacts: options.retainFacts ?? false });
  options.onStart?.(replay);

  async function* entries(): AsyncGenerator<Entry | 'idle' | 'sealed'> {
    for (let n = await it.next(); !n.done; n = await it.next()) {
      const item = n.value;
      if (item.kind === 'idle') yield item.sealed === true ? 'sealed' : 'idle';
      else if (item.kind === 'record') {
        if (options.untilSeq !== undefined && item.entry.record.seq > options.untilSeq) {
          cut = true;
          return;
        }
        yield { record: item.entry.record, line: item.entry.line };
      } else if (item.kind === 'warning') warnings.push(item.warning);
      else if (item.kind === 'error') {
        failure = item.error;
        return;
      }
    }
  }
  await replayStream(entries(), replay);
  if (failure) return err(failure);
  if (!cut) replay.end();
  return ok({ header, replay, warnings, complete: !cut });
}
