/**
 * Replays a whole trace (an array, or a stream of reader items) with a bounded look-ahead, so each
 * top-level call sees the records nested inside it. Deterministic.
 */
import type { CallRecord, TraceHeader } from '../../events/records.js';
import type { StepMode } from '../../machines/kit/world.js';
import { profileFor, type Profile } from '../../machines/profile.js';
import { ledgerError, type LedgerError, type Result, ok, err } from '../core/result.js';
import { Replay } from './replay.js';
import { independentPrefix } from './idleFlush.js';

/** How far ahead nested records of a call are looked for (they follow their parent closely). */
export const LOOKAHEAD = 256;

export interface Entry {
  readonly record: CallRecord;
  readonly line: number | null;
}

/** The profile of a header's kernel, or --kernel's override; an error value names the fix. */
export function profileOf(header: TraceHeader, override?: string, file = 'trace'): Result<Profile, LedgerError> {
  const kernel = override ?? header.kernel;
  const p = profileFor(kernel, header.host);
  if (p === null) {
    return err(ledgerError('KERNEL_UNSUPPORTED', `kernel version "${kernel}" is not one pasid-ledger models (5.5 or later)`, {
      file,
      line: override === undefined ? 1 : undefined,
      field: override === undefined ? 'kernel' : '--kernel',
      fix: 'give the version the trace was captured on, e.g. --kernel 6.8.0',
    }));
  }
  return ok(p);
}

const NO_DESCENDANTS: { records: CallRecord[]; lines: ReadonlyMap<number, number> } = { records: [], lines: new Map() };

/** Records nested (transitively) inside `entries[i]` within the look-ahead window, and their lines. */
export function descendantsOf(entries: readonly Entry[], i: number): { records: CallRecord[]; lines: ReadonlyMap<number, number> } {
  const root = entries[i].record.seq;
  let inside: Set<number> | null = null;
  let out: CallRecord[] | null = null;
  let lines: Map<number, number> | null = null;
  const end = Math.min(entries.length, i + 1 + LOOKAHEAD);
  for (let j = i + 1; j < end; j++) {
    const e = entries[j];
    const parent = e.record.parent;
    if (parent === undefined || (parent !== root && !inside?.has(parent))) continue;
    inside ??= new Set([root]);
    out ??= [];
    lines ??= new Map();
    inside.add(e.record.seq);
    out.push(e.record);
    if (e.line !== null) lines.set(e.record.seq, e.line);
  }
  return out === null ? NO_DESCENDANTS : { records: out, lines: lines as Map<number, number> };
}

/**
 * The lines of a call's descendants (seq → line), built as a Map only when read: the replay reads it
 * only for a finding raised in a nested record, so most steps never pay for the Map.
 */
class DescendantLines implements ReadonlyMap<number, number> {
  readonly #found: readonly Child[];
  #map: Map<number, number> | undefined;

  constructor(found: readonly Child[]) {
    this.#found = found;
  }

  #lines(): Map<number, number> {
    if (this.#map === undefined) {
      this.#map = new Map();
      for (const f of this.#found) if (f.entry.line !== null) this.#map.set(f.entry.record.seq, f.entry.line);
    }
    return this.#map;
  }

  get size(): number {
    return this.#lines().size;
  }
  get(seq: number): number | undefined {
    return this.#lines().get(seq);
  }
  has(seq: number): boolean {
    return this.#lines().has(seq);
  }
  forEach(fn: (line: number, seq: number, map: ReadonlyMap<number, number>) => void, self?: unknown): void {
    this.#lines().forEach((line, seq) => fn.call(self, line, seq, this));
  }
  entries(): MapIterator<[number, number]> {
    return this.#lines().entries();
  }
  keys(): MapIterator<number> {
    return this.#lines().keys();
  }
  values(): MapIterator<number> {
    return this.#lines().values();
  }
  [Symbol.iterator](): MapIterator<[number, number]> {
    return this.#lines().entries();
  }
}

interface Child {
  readonly entry: Entry;
  readonly pos: number;
}

/**
 * The records nested in each call, indexed as entries arrive, so a call's descendants cost what it
 * has, not a scan of the look-ahead window per record. Gives what descendantsOf gives.
 */
export class ChildIndex {
  readonly #children = new Map<number, Child[]>();
  /** Entries are taken in trace order, so every seq up to this one has been taken already. */
  #lastTaken = -1;

  /** Notes an entry at position `pos` of the trace. */
  add(entry: Entry, pos: number): void {
    const parent = entry.record.parent;
    // Why: a child arriving after its parent was taken (a live input flushed while idle) is no one's to look up.
    if (parent === undefined || parent <= this.#lastTaken) return;
    const list = this.#children.get(parent);
    if (list === undefined) this.#children.set(parent, [{ entry, pos }]);
    else list.push({ entry, pos });
  }

  /** The descendants of the entry at `pos` within LOOKAHEAD positions after it, in trace order; forgets its own children. */
  take(entry: Entry, pos: number): { records: CallRecord[]; lines: ReadonlyMap<number, number> } {
    const seq = entry.record.seq;
    this.#lastTaken = seq;
    const direct = this.#children.get(seq);
    if (direct === undefined) return NO_DESCENDANTS;
    this.#children.delete(seq);
    const limit = pos + LOOKAHEAD;
    // Why: most calls have only direct children, already in trace order: no walk, no sort (the common case).
    let deeper = false;
    for (let i = 0; i < direct.length && !deeper; i++) deeper = this.#children.has(direct[i].entry.record.seq);
    let found: Child[];
    if (!deeper) {
      found = direct;
      for (let i = 0; i < direct.length; i++) {
        if (direct[i].pos <= limit) continue;
        found = direct.filter((c) => c.pos <= limit);
        break;
      }
    } else {
      found = [];
      const queue = [seq];
      while (queue.length > 0) {
        const at = queue.pop() as number;
        for (const c of (at === seq ? direct : this.#children.get(at)) ?? []) {
          if (c.pos > limit) continue;
          found.push(c);
          queue.push(c.entry.record.seq);
        }
      }
    }
    if (found.length === 0) return NO_DESCENDANTS;
    let sorted = true;
    for (let i = 1; i < found.length && sorted; i++) sorted = found[i - 1].pos < found[i].pos;
    if (!sorted) found.sort((a, b) => a.pos - b.pos);
    const records: CallRecord[] = new Array(found.length);
    for (let i = 0; i < found.length; i++) records[i] = found[i].entry.record;
    return { records, lines: new DescendantLines(found) };
  }
}

/** Steps a replay through entries (each sees its nested records); `after(i)` runs after entry i. */
export function stepEntries(replay: Replay, entries: readonly Entry[], after?: (i: number) => void): void {
  const index = new ChildIndex();
  entries.forEach((e, pos) => index.add(e, pos));
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i];
    const d = index.take(e, i);
    replay.step(e.record, e.line, d.records, d.lines);
    after?.(i);
  }
}

/** Replays every entry and runs the end-of-trace checks. */
export function replayEntries(entries: readonly Entry[], profile: Profile, mode: StepMode = 'fast', validateFacts = true): Replay {
  const replay = new Replay({ profile, mode, validateFacts });
  stepEntries(replay, entries);
  replay.end();
  return replay;
}

/**
 * The look-ahead window of a streamed replay, driven synchronously: `push` an entry as it is read,
 * `idle` or `sealed` on a live input's pause, `finish` at the end. A reader hands it a whole
 * chunk's entries in one synchronous loop, so no promise is made per record. On `idle` (a live
 * input paused) the head of the window whose steps cannot depend on records still to come is
 * stepped (idleFlush.ts); `sealed` says every record so far has all its nested records (an
 * importer releases a call only after the calls nested in it), so the whole window is stepped.
 */
export class StreamReplay {
  readonly #replay: Replay;
  // Why: a queue with a head index; window.shift() moved LOOKAHEAD entries per record.
  #window: Entry[] = [];
  #head = 0;
  // Positions count from the start of the stream, so the index survives compacting the window.
  #base = 0;
  readonly #index = new ChildIndex();
  // The head entry found to read its nested records: no early step until it is stepped normally.
  #blocked: Entry | undefined;

  constructor(replay: Replay) {
    this.#replay = replay;
  }

  /** One entry, in trace order; steps the entry that leaves the window. */
  push(e: Entry): void {
    this.#index.add(e, this.#base + this.#window.length);
    this.#window.push(e);
    if (this.#window.length - this.#head > LOOKAHEAD) this.#flush(1);
  }

  /** A live input paused: steps what no later record can change. */
  idle(): void {
    const window = this.#window;
    if (this.#head < window.length && window[this.#head] !== this.#blocked) {
      const n = independentPrefix(this.#replay, window, this.#head);
      this.#flush(n);
      // Why: the flush may have compacted the window; read the head from the current one.
      this.#blocked = this.#window[this.#head];
    }
  }

  /** Every record so far has its nested records: steps the whole window. */
  sealed(): void {
    this.#flush(this.#window.length - this.#head);
  }

  /** The end of the input: steps what is left (the end-of-trace checks are the caller's). */
  finish(): void {
    this.#flush(this.#window.length - this.#head);
  }

  #flush(n: number): void {
    const replay = this.#replay;
    const index = this.#index;
    for (let k = 0; k < n && this.#head < this.#window.length; k++) {
      const e = this.#window[this.#head];
      const d = index.take(e, this.#base + this.#head);
      this.#head++;
      replay.step(e.record, e.line, d.records, d.lines);
    }
    if (this.#head >= 4096) {
      this.#window = this.#window.slice(this.#head);
      this.#base += this.#head;
      this.#head = 0;
    }
  }
}

/** Streams entries through a replay with a look-ahead window of LOOKAHEAD records (see StreamReplay). */
export async function replayStream(entries: AsyncIterable<Entry | 'idle' | 'sealed'>, replay: Replay): Promise<void> {
  const stream = new StreamReplay(replay);
  for await (const e of entries) {
    if (e === 'sealed') stream.sealed();
    else if (e === 'idle') stream.idle();
    else stream.push(e);
  }
  stream.finish();
}
