/**
 * What every strategy reports into: executions (complete and sleep-set-blocked), the distinct
 * outcomes (final state hash + finding codes), per finding code the number of executions that
 * raise it and the shortest schedule prefix that raises it (ties: fewer preemptions, then the
 * smaller string), and the bounds that were hit. Pure: the clock, if any, is the caller's.
 */
import type { RawFinding } from '../../machines/kit/world.js';
import type { Engine, StepRun } from './run.js';
import type { Scenario } from './scenario.js';
import { formatSchedule, preemptions } from './schedule.js';

export type Bound = 'max-executions' | 'time' | 'preemptions' | 'sampling' | 'schedule';

export interface Outcome {
  readonly hash: string;
  readonly codes: readonly string[];
  /** Executions that ended here. */
  count: number;
  /** The first schedule that reached it. */
  readonly schedule: string;
}

export interface ViolationFound {
  readonly code: string;
  /** Task indices of the shortest prefix that raises the code. */
  tasks: number[];
  /** True when the code is raised by teardown or the end-of-trace checks of a complete execution. */
  atEnd: boolean;
  /** Executions that raise it. */
  executions: number;
}

export interface Limits {
  readonly maxExecutions?: number;
  /** Stop when `now() >= deadline` (both in the caller's unit). */
  readonly deadline?: number;
  readonly now?: () => number;
}

/** One complete execution. */
export interface Execution {
  readonly tasks: readonly number[];
  readonly setup: readonly StepRun[];
  readonly runs: readonly StepRun[];
  readonly teardown: readonly StepRun[];
  readonly end: readonly RawFinding[];
  readonly hash: string;
}

export class Collector {
  executions = 0;
  redundant = 0;
  readonly bounds = new Set<Bound>();
  readonly outcomes = new Map<string, Outcome>();
  readonly violations = new Map<string, ViolationFound>();

  constructor(
    readonly scenario: Scenario,
    readonly limits: Limits = {},
  ) {}

  /** True when a bound says to stop now (and notes which). */
  shouldStop(): boolean {
    const { maxExecutions, deadline, now } = this.limits;
    if (maxExecutions !== undefined && this.executions >= maxExecutions) {
      this.bounds.add('max-executions');
      return true;
    }
    if (deadline !== undefined && now !== undefined && now() >= deadline) {
      this.bounds.add('time');
      return true;
    }
    return false;
  }

  hit(bound: Bound): void {
    this.bounds.add(bound);
  }

  complete(engine: Engine, x: Execution): void {
    this.executions++;
    const codes = new Set<string>();
    const offer = (code: string, tasks: number[], atEnd: boolean) => {
      codes.add(code);
      const cur = this.violations.get(code);
      if (cur === undefined) this.violations.set(code, { code, tasks, atEnd, executions: 0 });
      else if (better(this.scenario, tasks, cur.tasks)) {
        cur.tasks = tasks;
        cur.atEnd = atEnd;
      }
    };
    for (const r of x.setup) for (const f of r.findings) offer(f.code, [], false);
    x.runs.forEach((r, i) => {
      if (r.findings.length === 0) return;
      const past = causalPast(engine, x.tasks, x.runs, i);
      for (const f of r.findings) offer(f.code, past, false);
    });
    for (const r of x.teardown) for (const f of r.findings) offer(f.code, [...x.tasks], true);
    for (const f of x.end) offer(f.code, [...x.tasks], true);
    for (const c of codes) (this.violations.get(c) as ViolationFound).executions++;
    const sorted = [...codes].sort();
    const key = `${x.hash}|${sorted.join(',')}`;
    const o = this.outcomes.get(key);
    if (o) o.count++;
    else this.outcomes.set(key, { hash: x.hash, codes: sorted, count: 1, schedule: formatSchedule(this.scenario, x.tasks) });
  }
}

/**
 * The shortest schedule that runs step i of an execution: only the steps it causally depends on
 * (program order and dependence, transitively), in their order. Every execution equivalent to it
 * raises the same findings at that step, so the prefix reproduces them.
 */
export function causalPast(engine: Engine, tasks: readonly number[], runs: readonly StepRun[], i: number): number[] {
  const inPast = new Array<boolean>(i + 1).fill(false);
  inPast[i] = true;
  for (let j = i - 1; j >= 0; j--) {
    for (let k = j + 1; k <= i; k++) {
      if (inPast[k] && (tasks[j] === tasks[k] || engine.dependent(runs[j].fp, runs[k].fp))) {
        inPast[j] = true;
        break;
      }
    }
  }
  return tasks.slice(0, i + 1).filter((_, j) => inPast[j]);
}

function better(s: Scenario, a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return a.length < b.length;
  const pa = preemptions(s, a);
  const pb = preemptions(s, b);
  if (pa !== pb) return pa < pb;
  return formatSchedule(s, a) < formatSchedule(s, b);
}
