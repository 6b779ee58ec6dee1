/** Test support for time travel: traces as entries, the `state --at` oracle (runReplay cut at a seq). */
import type { CallRecord, TraceHeader } from '../../events/records.js';
import type { ReadItem } from '../../src/log/readItem.js';
import { runReplay } from '../../src/audit/runReplay.js';
import type { Entry } from '../../src/replay/replayTrace.js';
import type { Replay } from '../../src/replay/replay.js';
import { call, records, type CallSpec } from '../support/calls.js';
import type { World } from '../../machines/kit/world.js';
import { DEAD_STATES, deadCountOf } from '../../src/timetravel/live.js';

export function header(kernel: string): TraceHeader {
  return { type: 'header', format: 'pasid-ledger-trace', version: 1, kernel, source: 'generated' };
}

export function entriesOf(calls: readonly CallSpec[]): Entry[] {
  return records(calls).map((record, i) => ({ record, line: i + 2 }));
}

async function* items(kernel: string, entries: readonly Entry[]): AsyncGenerator<ReadItem> {
  yield { kind: 'header', header: header(kernel), line: 1 };
  for (const e of entries) yield { kind: 'record', entry: { record: e.record as CallRecord, line: e.line ?? 0, offset: 0 } };
}

/** What `state --at SEQ` computed before time travel: the trace streamed and cut after SEQ. */
export async function cutReplay(kernel: string, entries: readonly Entry[], seq: number): Promise<Replay> {
  const r = await runReplay(items(kernel, entries), { file: 't.jsonl', untilSeq: seq, retainFacts: true });
  if (!r.ok) throw new Error(r.error.message);
  return r.value.replay;
}

/** Nests a driver call in every attach and detach (as a capture records them), so seeks cross nested records. */
export function withNested(calls: readonly CallSpec[]): CallSpec[] {
  const out: CallSpec[] = [];
  for (const c of calls) {
    out.push(c);
    const parent = out.length;
    const a = c.args as { domain?: string; dev?: string; pasid?: number };
    if (c.fn === 'iommu_attach_device_pasid' && a.domain && a.dev && a.pasid !== undefined) out.push(call('set_dev_pasid', { domain: a.domain, dev: a.dev, pasid: a.pasid }, 0, { parent }));
    if (c.fn === 'iommu_detach_device_pasid' && a.dev && a.pasid !== undefined) out.push(call('remove_dev_pasid', { dev: a.dev, pasid: a.pasid }, null, { parent }));
  }
  return out;
}

/** The dead objects of a world per kind with dead states (DEAD_STATES), counted by walking each kind. */
export function walkedDeadCounts(world: World): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [kindId, states] of Object.entries(DEAD_STATES)) {
    let n = 0;
    for (const [, s] of world.entriesOf(kindId)) if (states.includes(s.value)) n++;
    out[kindId] = n;
  }
  return out;
}

/** The same through `deadCountOf` (a restored world: its checkpoint's counts and what changed since). */
export function restoredDeadCounts(world: World): Record<string, number> {
  return Object.fromEntries(Object.keys(DEAD_STATES).map((kindId) => [kindId, deadCountOf(world, kindId)]));
}
