/**
 * What every strategy reports into: executions (complete and sleep-set-blocked), the distinct
 * outcomes (final state hash + finding codes), and per finding code the shortest schedule prefix
 * that raises it (ties: fewer preemptions, then the smaller string). Also the bounds that were hit.
 * Pure: the clock, if any, is the caller's.
 */
import type { RawFinding } from '../../machines/kit/world.js';
import type { StepRun } from './execute.js';
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
  /** True when the code is an end-of-trace finding of a complete execution. */
  atEnd: boolean;
}

export interface Limits {
  readonly maxExecutions?: number;
  /** Stop when `now() >= deadline` (both in the caller's unit). */
  readonly deadline?: number;
  readonly now?: () => number;
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

  /** A complete execution: the tasks in order, each step's run, the end-of-trace findings and the state hash. */
  complete(tasks: readonly number[], runs: readonly StepRun[], end: readonly RawFinding[], hash: string): void {
    this.executions++;
    const codes = new Set<string>();
    runs.forEach((r, i) => {
      if (r.findings.length === 0) return;
      const past = this.#causalPast(tasks, i);
      for (const f of r.findings) {
        codes.add(f.code);
        this.#offer(f.code, past, false);
      }
    });
    for (const f of end) {
      codes.add(f.code);
      this.#offer(f.code, [...tasks], true);
    }
    const sorted = [...codes].sort();
    const key = `${hash}|${sorted.join(',')}`;
    const o = this.outcomes.get(key);
    if (o) o.count++;
    else this.outcomes.set(key, { hash, codes: sorted, count: 1, schedule: formatSchedule(this.scenario, tasks) });
  }

  /**
   * The shortest schedule that runs step i of this execution: only the steps it causally depends
   * on (program order and dependence, transitively), in their order. Every execution equivalent to
   * it raises the same findings at that step, so the prefix reproduces them.
   */
  #causalPast(tasks: readonly number[], i: number): number[] {
    const s = this.scenario;
    const pos = s.tasks.map(() => 0);
    const steps = tasks.map((t) => s.tasks[t].steps[pos[t]++]);
    const inPast = new Array<boolean>(i + 1).fill(false);
    inPast[i] = true;
    for (let j = i - 1; j >= 0; j--) {
      for (let k = j + 1; k <= i; k++) {
        if (inPast[k] && s.dependent[steps[j]][steps[k]]) {
          inPast[j] = true;
          break;
        }
      }
    }
    return tasks.slice(0, i + 1).filter((_, j) => inPast[j]);
  }

  #offer(code: string, tasks: number[], atEnd: boolean): void {
    const cur = this.violations.get(code);
    if (cur === undefined || better(this.scenario, tasks, cur.tasks)) this.violations.set(code, { code, tasks, atEnd });
  }
}

function better(s: Scenario, a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return a.length < b.length;
  const pa = preemptions(s, a);
  const pb = preemptions(s, b);
  if (pa !== pb) return pa < pb;
  return formatSchedule(s, a) < formatSchedule(s, b);
}
