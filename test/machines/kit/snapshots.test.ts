/**
 * Snapshots are plain JSON, and a world restored from its JSON continues exactly like the original:
 * the same future facts, findings and final world (persist → restore → continue).
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { anyTrace } from '../../support/arbitraries.js';
import { profile, records, type CallSpec } from '../../support/calls.js';
import { Replay } from '../../../src/replay/replay.js';
import { World } from '../../../machines/kit/world.js';
import type { Snap } from '../../../machines/kit/lifecycle.js';
import type { Finding } from '../../../src/replay/finding.js';

function replayInto(replay: Replay, calls: readonly CallSpec[], firstSeq: number): void {
  records(calls).forEach((r, i) => replay.step({ ...r, seq: firstSeq + i }, null));
}

// End-of-trace findings are dated by the record that created the object: Replay bookkeeping, not
// world state, so a restored world cannot know it; everything else must match exactly.
const undated = (f: Finding) => (f.atEnd ? { ...f, seq: null, line: null } : f);

const observe = (r: Replay, fromFact: number, fromFinding: number) => ({
  facts: r.log.all().slice(fromFact),
  findings: r.findings.slice(fromFinding).map(undated),
  world: [...r.world.objects],
});

describe('snapshots (seed 21)', () => {
  it('every stored snapshot is plain JSON: JSON round-trip gives an equal value', () => {
    fc.assert(
      fc.property(anyTrace(60), ([kernel, calls]) => {
        const r = new Replay({ profile: profile(kernel) });
        replayInto(r, calls, 1);
        for (const [key, snap] of r.world.objects) {
          expect(JSON.parse(JSON.stringify(snap)), key).toEqual(snap);
          expect(Object.keys(snap).sort(), key).toEqual(['context', 'value']);
          expect(typeof snap.value, key).toBe('string');
        }
      }),
      { seed: 21, numRuns: 200 },
    );
  });

  it('persisting world.objects and restoring a World, then continuing, gives the same future facts, findings and world', () => {
    fc.assert(
      fc.property(anyTrace(60), fc.nat(), ([kernel, calls], cut) => {
        const at = calls.length === 0 ? 0 : cut % (calls.length + 1);
        const before = calls.slice(0, at);
        const after = calls.slice(at);
        const original = new Replay({ profile: profile(kernel) });
        replayInto(original, before, 1);

        const persisted = JSON.stringify([...original.world.objects]);
        const restored = new Replay({ profile: profile(kernel) });
        restored.world = new World(restored.profile, 'fast', new Map(JSON.parse(persisted) as [string, Snap<unknown>][]));

        const facts0 = original.log.length;
        const findings0 = original.findings.length;
        replayInto(original, after, at + 1);
        replayInto(restored, after, at + 1);
        original.end();
        restored.end();
        expect(observe(restored, 0, 0)).toEqual(observe(original, facts0, findings0));
      }),
      { seed: 22, numRuns: 200 },
    );
  });
});
