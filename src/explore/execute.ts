/**
 * Running one step of a scenario on a world: `decideCall` (the model) plus the nested-record check
 * the audit makes, so an explored execution raises exactly the findings `pasid-ledger audit` raises
 * on its emitted trace. Also the end-of-trace checks and a hash of the final state. Pure.
 */
import type { FactBody } from '../../events/facts.js';
import type { CallRecord, Ret } from '../../events/records.js';
import { decideCall } from '../../machines/calls/index.js';
import { endOfTrace } from '../../machines/calls/endOfTrace.js';
import type { RawFinding, World } from '../../machines/kit/world.js';
import { Nesting } from '../replay/nesting.js';

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
 * Applies one atomic step to `w` (mutates it), as the audit's Replay does: the top-level call is
 * decided; each nested record is checked against the calls the model makes, and one the model does
 * not make (an effect it has not applied) is decided like a top-level call.
 */
export function applyRecord(w: World, record: CallRecord, descendants: readonly CallRecord[]): Applied {
  const step = { record, descendants };
  const d = decideCall(w, step.record, step.descendants);
  const findings: RawFinding[] = [...d.findings];
  const facts: FactBody[] = [...d.facts];
  if (step.descendants.length > 0) {
    const nesting = new Nesting();
    nesting.expect(step.record.seq, step.record.fn, d.children);
    step.descendants.forEach((c, i) => {
      const checked = nesting.check(c as CallRecord & { parent: number });
      if (checked !== null) {
        findings.push(...checked);
        return;
      }
      const dc = decideCall(w, c, nestedIn(step.descendants.slice(i + 1), c.seq));
      nesting.expect(c.seq, c.fn, dc.children);
      findings.push(...dc.findings);
      facts.push(...dc.facts);
    });
  }
  return { ret: d.ret, facts, findings };
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
