/**
 * Pairs entries with returns per task: a stack per (tid, symbol), never per CPU (a task that sleeps
 * on group->mutex or iommu_sva_lock may return on another CPU). Assigns seq at entry, so a call's
 * seq is smaller than the seqs of the probed calls nested in it, and records that nesting as `parent`.
 */
import type { ProbeHit } from './captureEvent.js';
import type { CallName } from '../../events/records.js';

/** A call whose entry was seen and whose return was not (yet). */
export interface InFlightCall {
  readonly seq: number;
  readonly fn: CallName;
  readonly entry: ProbeHit;
  readonly parent?: number;
  /** Names resolved at entry, so a pointer is named where it first appears. */
  readonly args: Map<string, string | number | boolean | null>;
  /** Decode failures by argument, reported when the call completes. */
  readonly failures: Map<string, string>;
}

export class CallPairing {
  readonly #byKey = new Map<string, InFlightCall[]>();
  readonly #byTid = new Map<number, InFlightCall[]>();
  /** Every in-flight call by seq; Map keeps insertion (= seq) order, so the first is the oldest. */
  readonly #bySeq = new Map<number, InFlightCall>();
  #lastSeq = 0;

  /** The largest seq handed out so far (0 before the first call). */
  get lastSeq(): number {
    return this.#lastSeq;
  }

  get inFlightCount(): number {
    return this.#bySeq.size;
  }

  /** Opens a call at its entry. */
  enter(fn: CallName, entry: ProbeHit): InFlightCall {
    const parent = this.innermost(entry.tid);
    const call: InFlightCall = { seq: ++this.#lastSeq, fn, entry, ...(parent !== undefined ? { parent } : {}), args: new Map(), failures: new Map() };
    push(this.#byKey, key(entry.tid, entry.symbol), call);
    push(this.#byTid, entry.tid, call);
    this.#bySeq.set(call.seq, call);
    return call;
  }

  /** Hands out a seq for a call seen as one record (fexit), nested in whatever the task is inside. */
  single(tid: number): { seq: number; parent?: number } {
    const parent = this.innermost(tid);
    return { seq: ++this.#lastSeq, ...(parent !== undefined ? { parent } : {}) };
  }

  /** Closes the latest open call of `symbol` on `tid` (a kretprobe names only `<- SYM`). */
  leave(tid: number, symbol: string): InFlightCall | undefined {
    const stack = this.#byKey.get(key(tid, symbol));
    const call = stack?.pop();
    if (call === undefined) return undefined;
    if (stack !== undefined && stack.length === 0) this.#byKey.delete(key(tid, symbol));
    this.#forget(call);
    return call;
  }

  /** The oldest open call, the one holding back every later record. */
  oldest(): InFlightCall | undefined {
    for (const call of this.#bySeq.values()) return call;
    return undefined;
  }

  /** Every open call, oldest first. */
  open(): IterableIterator<InFlightCall> {
    return this.#bySeq.values();
  }

  /** Gives up on an open call: its return, if it ever comes, will have no entry. */
  abandon(call: InFlightCall): void {
    const k = key(call.entry.tid, call.entry.symbol);
    const stack = this.#byKey.get(k);
    if (stack !== undefined) {
      stack.splice(stack.indexOf(call), 1);
      if (stack.length === 0) this.#byKey.delete(k);
    }
    this.#forget(call);
  }

  /** The open calls of a task, outermost first. */
  stack(tid: number): readonly InFlightCall[] {
    return [...(this.#byTid.get(tid) ?? [])];
  }

  /** The innermost open call on a task: the parent of whatever that task calls next. */
  innermost(tid: number): number | undefined {
    const calls = this.#byTid.get(tid);
    return calls === undefined ? undefined : calls[calls.length - 1]?.seq;
  }

  #forget(call: InFlightCall): void {
    const calls = this.#byTid.get(call.entry.tid);
    if (calls !== undefined) {
      const i = calls.lastIndexOf(call);
      if (i >= 0) calls.splice(i, 1);
      if (calls.length === 0) this.#byTid.delete(call.entry.tid);
    }
    this.#bySeq.delete(call.seq);
  }
}

function key(tid: number, symbol: string): string {
  return `${tid}/${symbol}`;
}

function push<K, V>(map: Map<K, V[]>, k: K, v: V): void {
  const list = map.get(k);
  if (list === undefined) map.set(k, [v]);
  else list.push(v);
}
