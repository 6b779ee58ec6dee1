/** fastPathAgrees: the compiled tables give the same findings, facts and final state as XState's transition(). */
import type { Profile } from '../machines/profile.js';
import type { Replay } from '../src/replay/replay.js';
import type { Entry } from '../src/replay/replayTrace.js';
import { replayOnly } from './phases.js';

function stateOf(r: Replay): string {
  const objects = [...r.world.objects.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify(objects);
}

export interface Agreement {
  readonly agrees: boolean;
  readonly records: number;
  /** What differs first, when it does. */
  readonly difference: string | null;
}

export function fastPathAgrees(entries: readonly Entry[], profile: Profile): Agreement {
  const fast = replayOnly(entries, profile, 'fast');
  const xstate = replayOnly(entries, profile, 'xstate');
  const checks: [string, string, string][] = [
    ['findings', JSON.stringify(fast.findings), JSON.stringify(xstate.findings)],
    ['facts', JSON.stringify(fast.log.all()), JSON.stringify(xstate.log.all())],
    ['final state', stateOf(fast), stateOf(xstate)],
  ];
  const differs = checks.find(([, a, b]) => a !== b);
  return { agrees: differs === undefined, records: entries.length, difference: differs ? `${differs[0]} differ` : null };
}
