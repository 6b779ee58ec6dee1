/**
 * What a live input's pause may step early without changing any outcome (reliability F14).
 *
 * The look-ahead window exists because a call's step may read the records nested in it (a bind
 * lends the name of the SVA domain it allocated). A record whose nested records can still arrive
 * may be stepped early only if its step does not read them at all: then whatever arrives later
 * cannot change it. That is found out on a scratch copy of the replay, stepping the head of the
 * window with its nested records behind a proxy that notes any access; the first record whose step
 * looked stops the early flush, and it waits for its window to close as in a file. So the findings
 * of a slow pipe equal those of the file for any chunking and any pause. Deterministic.
 */
import type { CallRecord } from '../../events/records.js';
import { Replay } from './replay.js';
import { descendantsOf, type Entry } from './replayTrace.js';

/** How many entries from window[head] on can be stepped now (their steps do not read nested records). */
export function independentPrefix(replay: Replay, window: readonly Entry[], head: number): number {
  if (head >= window.length) return 0;
  const cp = replay.checkpoint();
  // Facts and findings of the scratch copy are thrown away: no prefix to copy.
  const scratch = Replay.restore({ profile: replay.profile, mode: replay.world.mode, validateFacts: false, retainFacts: false }, { ...cp, facts: 0, findings: 0 }, [], []);
  let n = 0;
  for (let i = head; i < window.length; i++) {
    const d = descendantsOf(window, i);
    let looked = false;
    const watched = new Proxy(d.records, {
      get(target, key, receiver) {
        looked = true;
        return Reflect.get(target, key, receiver) as unknown;
      },
    }) as readonly CallRecord[];
    scratch.step(window[i].record, window[i].line, watched, d.lines);
    if (looked) break;
    n++;
  }
  return n;
}
