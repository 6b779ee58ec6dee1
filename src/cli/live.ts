/**
 * Live input from a pipe: an idle tick when no record has arrived for a while (so findings of a
 * slow capture show at once instead of waiting for the look-ahead window to fill), and a stop on
 * Ctrl-C that ends the input cleanly so the end-of-trace checks still print. IO lives here.
 */
import type { ReadItem } from '../log/readItem.js';
import type { IdleItem } from '../audit/runReplay.js';

/**
 * Yields the items, and `{ kind: 'idle' }` whenever the next one takes longer than `ms` (`sealed`
 * when the items come from an importer, which releases a call only with all its nested records).
 */
export async function* withIdleTicks<T extends ReadItem | readonly ReadItem[]>(items: AsyncIterable<T>, ms: number, stop: { stopped: boolean; wake?: () => void }, sealed = false): AsyncGenerator<T | IdleItem> {
  const idle: IdleItem = sealed ? { kind: 'idle', sealed: true } : { kind: 'idle' };
  const it = items[Symbol.asyncIterator]();
  let pending: Promise<IteratorResult<T>> | null = null;
  while (!stop.stopped) {
    pending ??= it.next();
    let timer: NodeJS.Timeout | undefined;
    const tick = new Promise<'idle'>((resolve) => {
      timer = setTimeout(() => resolve('idle'), ms);
      stop.wake = () => resolve('idle');
    });
    const next = await Promise.race([pending, tick]);
    clearTimeout(timer);
    if (next === 'idle') {
      yield idle;
      continue;
    }
    pending = null;
    if (next.done) return;
    yield next.value;
  }
}

/**
 * Lets the process end after a live input was stopped while its producer still holds the pipe open
 * (reliability F15): the pending read would keep stdin, and so the process, alive.
 */
export function releaseInput(stdin: NodeJS.ReadableStream): void {
  const s = stdin as NodeJS.ReadableStream & { destroy?: () => void };
  s.destroy?.();
}

/** Ends the stream on the first Ctrl-C (SIGINT) instead of dying; returns the uninstaller. */
export function stopOnInterrupt(stop: { stopped: boolean; wake?: () => void }): () => void {
  const onInt = () => {
    stop.stopped = true;
    stop.wake?.();
  };
  process.once('SIGINT', onInt);
  return () => process.removeListener('SIGINT', onInt);
}
