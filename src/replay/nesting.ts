/**
 * Nested calls: a record with `parent` ran inside an earlier call. It is not applied again; it is
 * checked against the calls the model says the enclosing top-level call makes. Deterministic.
 */
import type { CallRecord, Ret } from '../../events/records.js';
import type { ExpectedChild, RawFinding } from '../../machines/kit/world.js';

/** How many top-level calls keep their expectations (older ones are dropped to bound memory). */
const WINDOW = 4096;

/** A copy of the nesting bookkeeping (time-travel checkpoints); plain JSON. */
export interface NestingState {
  /** seq, root, seq, root, ... in insertion order (the order the window evicts in); 16 bytes a pair. */
  readonly rootOf: Float64Array;
  /** [root seq, children still expected] in insertion order; empty lists are kept (they still evict in order). */
  readonly expected: readonly (readonly [number, readonly ExpectedChild[]])[];
}

export class Nesting {
  readonly #expected = new Map<number, ExpectedChild[]>();
  readonly #rootOf = new Map<number, number>();

  /** A copy of the bookkeeping: `check` splices the expectation lists, so they are copied too. */
  snapshot(): NestingState {
    const rootOf = new Float64Array(this.#rootOf.size * 2);
    let i = 0;
    for (const [k, v] of this.#rootOf) {
      rootOf[i++] = k;
      rootOf[i++] = v;
    }
    // Empty lists are shared, not copied: `check` never splices an empty list.
    return { rootOf, expected: [...this.#expected].map(([k, v]) => [k, v.length === 0 ? v : [...v]] as const) };
  }

  /** The bookkeeping a snapshot recorded. */
  static from(state: NestingState): Nesting {
    const n = new Nesting();
    for (let i = 0; i < state.rootOf.length; i += 2) n.#rootOf.set(state.rootOf[i], state.rootOf[i + 1]);
    for (const [k, v] of state.expected) n.#expected.set(k, [...v]);
    return n;
  }

  /** Remembers what a top-level call is expected to call. */
  expect(seq: number, children: readonly ExpectedChild[]): void {
    this.#rootOf.set(seq, seq);
    if (children.length > 0) this.#expected.set(seq, [...children]);
    if (this.#rootOf.size > WINDOW) this.#rootOf.delete(this.#rootOf.keys().next().value as number);
    if (this.#expected.size > WINDOW) this.#expected.delete(this.#expected.keys().next().value as number);
  }

  /** Checks a nested record against its root call's expectations; returns the findings (possibly none). */
  check(rec: CallRecord & { parent: number }): RawFinding[] {
    const root = this.#rootOf.get(rec.parent);
    if (root === undefined) return [];
    this.#rootOf.set(rec.seq, root);
    const expected = this.#expected.get(root) ?? [];
    const at = expected.findIndex((e) => e.fn === rec.fn);
    const objects = { parent: rec.parent, fn: rec.fn };
    if (at < 0) {
      return [{ code: 'NESTED_CALL_UNEXPECTED', rule: `the model of seq ${root} makes no (further) ${rec.fn} call`, detail: `${rec.fn} nested in seq ${rec.parent} is not a call the enclosing call makes under the model`, objects }];
    }
    const [e] = expected.splice(at, 1);
    const problems: string[] = [];
    const args = rec.args as Record<string, unknown>;
    for (const [k, v] of Object.entries(e.args)) {
      if (args[k] !== undefined && v !== undefined && args[k] !== v) problems.push(`${k} ${String(args[k])} (model: ${String(v)})`);
    }
    if (e.ret !== undefined && rec.ret !== undefined && !sameRet(rec.ret as Ret, e.ret)) problems.push(`returned ${String(rec.ret)} (model: ${String(e.ret)})`);
    if (problems.length === 0) return [];
    return [{ code: 'NESTED_CALL_MISMATCH', rule: `what seq ${root} does under the model`, detail: `nested ${rec.fn}: ${problems.join(', ')}`, objects }];
  }
}

export function sameRet(a: Ret, b: Ret): boolean {
  return a === b;
}
