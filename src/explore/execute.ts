/**
 * Running one step of a scenario on a world: `decideCall` (the model) plus the nested-record check
 * the audit makes, so an explored execution raises exactly the findings `pasid-ledger audit` raises
 * on its emitted trace. Also the end-of-trace checks and a hash of the final state. Pure.
 */
import type { FactBody } from '../../events/facts.js';
import type { Ret } from '../../events/records.js';
import { decideCall } from '../../machines/calls/index.js';
import { endOfTrace } from '../../machines/calls/endOfTrace.js';
import type { RawFinding, World } from '../../machines/kit/world.js';
import { Nesting } from '../replay/nesting.js';
import type { Step } from './scenario.js';

export interface StepRun {
  readonly step: number;
  /** The model's return (undefined when it cannot know it). */
  readonly ret: Ret | undefined;
  readonly facts: readonly FactBody[];
  readonly findings: readonly RawFinding[];
}

/** Applies one atomic step to `w` (mutates it). */
export function runStep(w: World, step: Step): StepRun {
  const d = decideCall(w, step.record, step.descendants);
  const findings: RawFinding[] = [...d.findings];
  if (step.descendants.length > 0) {
    const nesting = new Nesting();
    nesting.expect(step.record.seq, d.children);
    for (const c of step.descendants) findings.push(...nesting.check(c as typeof c & { parent: number }));
  }
  return { step: step.id, ret: d.ret, facts: d.facts, findings };
}

/** The end-of-trace findings (leaks) of a final world. */
export function endFindings(w: World): RawFinding[] {
  return endOfTrace(w).map((e) => e.finding);
}

/** FNV-1a, twice with different offsets, over a string: 16 hex digits. */
function fnv(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193) >>> 0;
    b = Math.imul(b ^ c, 0x01000193 + 2) >>> 0;
  }
  return a.toString(16).padStart(8, '0') + b.toString(16).padStart(8, '0');
}

/** The world's objects as canonical text (key order, not insertion order). */
export function canonicalState(w: World): string {
  return [...w.objects.entries()]
    .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))
    .map(([k, s]) => `${k}=${JSON.stringify(s)}`)
    .join('\n');
}

export function stateHash(w: World): string {
  return fnv(canonicalState(w));
}
