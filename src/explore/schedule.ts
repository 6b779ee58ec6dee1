/**
 * Schedule strings: the task that runs each step, in order, e.g. `t1,t1,t2,t1`; a run may be
 * written `t1*2`. A task's calls whose condition is false are not steps. Formatting always writes the plain form, so parse(format(x)) = x. Pure.
 */
import { ledgerError, type LedgerError, type Result, ok, err } from '../core/result.js';
import type { Scenario } from './scenario.js';

/** Task indices → `t1,t1,t2`. */
export function formatSchedule(s: Scenario, tasks: readonly number[]): string {
  return tasks.map((t) => s.tasks[t].name).join(',');
}

/** `t1,t2*3` → task indices; a prefix of a full schedule is allowed, more steps than a task has are not. */
export function parseSchedule(s: Scenario, text: string): Result<number[], LedgerError> {
  const byName = new Map(s.tasks.map((t, i) => [t.name, i]));
  const used = new Array<number>(s.tasks.length).fill(0);
  const out: number[] = [];
  const words = text.trim() === '' ? [] : text.split(',').map((w) => w.trim());
  for (const word of words) {
    const m = /^([A-Za-z][A-Za-z0-9_-]*)(?:\*(\d+))?$/.exec(word);
    const t = m ? byName.get(m[1]) : undefined;
    if (!m || t === undefined) {
      const known = s.tasks.map((x) => x.name).join(', ');
      return err(ledgerError('BAD_SCHEDULE', `schedule word "${word}" is not a task of this scenario`, { field: '--schedule', fix: `use task names (${known}), comma-separated, optionally tN*K for K steps` }));
    }
    const times = m[2] === undefined ? 1 : Number(m[2]);
    for (let k = 0; k < times; k++) {
      used[t]++;
      if (used[t] > s.tasks[t].calls.length) {
        return err(ledgerError('BAD_SCHEDULE', `task ${s.tasks[t].name} has only ${s.tasks[t].calls.length} calls`, { field: '--schedule', fix: 'give each task at most as many steps as it has records' }));
      }
      out.push(t);
    }
  }
  return ok(out);
}

/** How many times the schedule switches away from a task that still had steps to run. */
export function preemptions(s: Scenario, tasks: readonly number[]): number {
  const left = s.tasks.map((t) => t.calls.length);
  let n = 0;
  for (let i = 0; i < tasks.length; i++) {
    if (i > 0 && tasks[i] !== tasks[i - 1] && left[tasks[i - 1]] > 0) n++;
    left[tasks[i]]--;
  }
  return n;
}
