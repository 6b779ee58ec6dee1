/**
 * A schedule as a trace: the steps' records in schedule order, renumbered from seq 1 (nested records
 * follow their parent, parents remapped), each top-level `ret` filled in from the model's decision,
 * so `pasid-ledger audit` on it raises what the explorer saw. Pure.
 */
import type { CallRecord, TraceHeader } from '../../events/records.js';
import { TRACE_FORMAT, TRACE_FORMAT_VERSION } from '../../events/records.js';
import type { Scenario } from './scenario.js';
import { runSchedule } from './replay.js';

export function emittedHeader(s: Scenario, description: string): TraceHeader {
  return { type: 'header', format: TRACE_FORMAT, version: TRACE_FORMAT_VERSION, kernel: s.profile.kernel, source: 'explored', description };
}

/** The records of a schedule, renumbered, rets from the model. */
export function emitRecords(s: Scenario, tasks: readonly number[]): CallRecord[] {
  const { runs, steps } = runSchedule(s, tasks);
  const out: CallRecord[] = [];
  let seq = 0;
  steps.forEach((id, i) => {
    const step = s.steps[id];
    const renumber = new Map<number, number>();
    const top = ++seq;
    renumber.set(step.record.seq, top);
    const ret = runs[i].ret;
    const { ret: _scenarioRet, ...rest } = step.record;
    out.push({ ...rest, seq: top, ts: top * 1000, ...(ret === undefined ? {} : { ret }) } as CallRecord);
    for (const d of step.descendants) {
      const mine = ++seq;
      renumber.set(d.seq, mine);
      out.push({ ...d, seq: mine, ts: mine * 1000, parent: renumber.get(d.parent as number) ?? top } as CallRecord);
    }
  });
  return out;
}
