/**
 * A schedule as a trace: the set-up calls, the schedule's calls and (when the schedule is complete)
 * the teardown calls, as they ran (arguments resolved), renumbered from seq 1 (nested records follow
 * their parent, parents remapped), each top-level `ret` filled in from the model's decision, so
 * `pasid-ledger audit` on it raises what the explorer saw. Pure.
 */
import type { CallRecord, TraceHeader } from '../../events/records.js';
import { TRACE_FORMAT, TRACE_FORMAT_VERSION } from '../../events/records.js';
import type { Scenario } from './scenario.js';
import { runSchedule } from './replay.js';
import type { StepRun } from './run.js';

export function emittedHeader(s: Scenario, description: string): TraceHeader {
  return { type: 'header', format: TRACE_FORMAT, version: TRACE_FORMAT_VERSION, kernel: s.profile.kernel, source: 'explored', description };
}

/** The records of steps as they ran, renumbered, rets from the model. */
export function recordsOf(s: Scenario, steps: readonly StepRun[]): CallRecord[] {
  const out: CallRecord[] = [];
  let seq = 0;
  for (const run of steps) {
    const call = s.calls[run.call];
    const renumber = new Map<number, number>();
    const top = ++seq;
    renumber.set(call.seq, top);
    const { ret: _given, ...rest } = run.record;
    out.push({ ...rest, seq: top, ts: top * 1000, ...(run.ret === undefined ? {} : { ret: run.ret }) } as CallRecord);
    for (const d of call.descendants) {
      const mine = ++seq;
      renumber.set(d.seq, mine);
      out.push({ ...d, seq: mine, ts: mine * 1000, parent: renumber.get(d.parent as number) ?? top } as CallRecord);
    }
  }
  return out;
}

/** The records of a schedule (a prefix stops after its last step: no teardown). */
export function emitRecords(s: Scenario, tasks: readonly number[]): CallRecord[] {
  const r = runSchedule(s, tasks);
  return recordsOf(s, [...r.setup, ...r.runs, ...(r.teardown ?? [])]);
}
