/**
 * The caller of the record a finding points at ("who leaked this bond"): captures keep where each
 * call returned to (the kretprobe `<- caller+off`), and the finding's message says it. Pure apart
 * from the bounded table it fills while records stream past.
 */
import type { Finding } from '../replay/finding.js';
import type { ReadItem } from '../log/readItem.js';
import type { CallRecord } from '../../events/records.js';

/** Callers remembered (oldest dropped first): bounds memory on long traces; a leak found at the end
 * of a long trace may point at a record older than this and is then printed without its caller. */
export const MAX_REMEMBERED_CALLERS = 200_000;

/** Distinct caller texts shared (interned): a capture has a few hundred call sites for millions of records. */
const MAX_INTERNED_CALLERS = 65_536;

export class CallerIndex {
  readonly #bySeq = new Map<number, string>();
  /** One string per distinct caller text, so the remembered records share them instead of one copy each (what the parser made). */
  readonly #texts = new Map<string, string>();

  constructor(private readonly limit = MAX_REMEMBERED_CALLERS) {}

  callerOf(seq: number | null): string | undefined {
    return seq === null ? undefined : this.#bySeq.get(seq);
  }

  /** Remembers one record's caller (runReplay's onRecord: as the replay takes the record). */
  add(r: CallRecord): void {
    if (r.caller !== undefined) {
      let text = this.#texts.get(r.caller);
      if (text === undefined) {
        text = r.caller;
        if (this.#texts.size < MAX_INTERNED_CALLERS) this.#texts.set(text, text);
      }
      this.#bySeq.set(r.seq, text);
      if (this.#bySeq.size > this.limit) this.#bySeq.delete(this.#bySeq.keys().next().value as number);
    }
  }

  async *watch<T extends ReadItem | { kind: 'idle' }>(items: AsyncIterable<T>): AsyncGenerator<T> {
    for await (const item of items) {
      if (item.kind === 'record') this.add((item as Extract<ReadItem, { kind: 'record' }>).entry.record);
      yield item;
    }
  }
}

/** The finding with the caller of its record in the message, when the trace has it. */
export function withCaller(f: Finding, callers: CallerIndex): Finding {
  const caller = callers.callerOf(f.seq);
  return caller === undefined || f.message.includes(' [called from ') ? f : { ...f, message: `${f.message} [called from ${caller}]` };
}
