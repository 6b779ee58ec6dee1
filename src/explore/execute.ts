/**
 * Running one step of a scenario on a world through the replay's own step, so an explored execution
 * raises exactly the findings `pasid-ledger audit` raises on its emitted trace.
 * Also the end-of-trace checks and a hash of the final state. Pure.
 */
import type { FactBody } from '../../events/facts.js';
import type { CallRecord, Ret } from '../../events/records.js';
import { endOfTrace } from '../../machines/calls/endOfTrace.js';
import type { RawFinding, World } from '../../machines/kit/world.js';
import { Nesting } from '../replay/nesting.js';
import { step } from '../replay/step.js';

export interface Applied {
  /** The model's return (undefined when it cannot know it). */
  readonly ret: Ret | undefined;
  readonly facts: readonly FactBody[];
  readonly findings: readonly RawFinding[];
}

/** Records nested (transitively) inside `seq` among `records` (which are in seq order). */
function nestedIn(records: readonly CallRecord[], seq: number): CallRecord[] {
  const inside = new Set([seq]);
  const out: CallRecord[] = [];
  for (const r of records) {
    if (r.parent !== undefined && inside.has(r.parent)) {
      inside.add(r.seq);
      out.push(r);
    }
  }
  return out;
}

/**
 * Applies one atomic step to `w` (mutates it) through the replay's own step (src/replay/step.ts):
 * the top-level call, then each record nested in it, exactly as `pasid-ledger audit` steps them, so
 * an explored execution raises the findings the audit raises on its emitted trace.
 */
const EXPLORE = { reconcile: false } as const;

export function applyRecord(w: World, record: CallRecord, descendants: readonly CallRecord[]): Applied {
  const s = { record, descendants };
  const state = { world: w, nesting: new Nesting() };
  // The model decides every return of an ordering it explores; a kept return only names the object.
  const top = step(state, s.record, s.descendants, EXPLORE);
  const findings: RawFinding[] = top.findings.map((f) => f.raw);
  const facts: FactBody[] = [...top.facts];
  s.descendants.forEach((c, i) => {
    // Nested records are emitted as recorded, so their returns are reconciled as the audit does.
    const out = step(state, c, nestedIn(s.descendants.slice(i + 1), c.seq));
    for (const f of out.findings) findings.push(f.raw);
    facts.push(...out.facts);
  });
  return { ret: top.ret, facts, findings };
}

/** The end-of-trace findings (leaks) of a final world. */
export function endFindings(w: World): RawFinding[] {
  return endOfTrace(w).map((e) => e.finding);
}

/** FNV-1a, twice with different offsets, over a string: 16 hex digits. */
export function fnvText(text: string): string {
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
  return fnvText(canonicalState(w));
}
