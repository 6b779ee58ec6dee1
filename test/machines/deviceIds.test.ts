/**
 * The group walk of attach and detach (machines/calls/reads.ts groupDevices) reads a device's name
 * from its snapshot (`context.dev`) instead of from the world's key, to walk without an [id, snapshot]
 * pair per device. That holds only while every device is stored under its own name: this property
 * says so over random traces of every era, with devices probed into shared groups, and a generated
 * trace.
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import type { DeviceContext } from '../../machines/device/device.machine.js';
import { deviceKind } from '../../machines/device/device.machine.js';
import type { World } from '../../machines/kit/world.js';
import { replayEntries } from '../../src/replay/replayTrace.js';
import { generateTrace } from '../../src/generate/generateTrace.js';
import { anyTrace } from '../support/arbitraries.js';
import { profile, records, type CallSpec } from '../support/calls.js';

const grouped = (calls: readonly CallSpec[]): CallSpec[] =>
  calls.map((c) => (c.fn === 'iommu_probe_device' ? { ...c, args: { ...c.args, group: 'g1' } } : c));

function misnamed(w: World): string[] {
  const out: string[] = [];
  for (const [id, snap] of w.entriesOf<DeviceContext>(deviceKind.id)) if (snap.context.dev !== id) out.push(`${id} holds ${snap.context.dev}`);
  return out;
}

describe('devices in the world (seed 4242)', () => {
  it('are stored under the name their snapshot carries, whatever the trace', () => {
    fc.assert(
      fc.property(anyTrace(60), fc.boolean(), ([kernel, calls], shareGroup) => {
        const entries = records(shareGroup ? grouped(calls) : calls).map((record, i) => ({ record, line: i + 2 }));
        const replay = replayEntries(entries, profile(kernel));
        expect(misnamed(replay.world)).toEqual([]);
      }),
      { seed: 4242, numRuns: 200 },
    );
  });

  it('are stored under the name their snapshot carries in a generated trace', () => {
    const g = generateTrace({ records: 5000, kernel: '6.12.0', seed: 3 });
    if (!g.ok) throw new Error(g.error.message);
    const entries = [...g.value.records()].map((record, i) => ({ record, line: i + 2 }));
    const replay = replayEntries(entries, g.value.profile);
    expect([...replay.world.entriesOf(deviceKind.id)].length).toBeGreaterThan(1);
    expect(misnamed(replay.world)).toEqual([]);
  });
});
