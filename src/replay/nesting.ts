/**
 * Nested calls: a record with `parent` ran inside an earlier call. When the model of the enclosing
 * top-level call makes that call too, the record is checked against it and not applied again; a
 * nested call the model does not make (the default domain allocated inside iommu_probe_device, say)
 * is an effect the model has not applied, so the replay decides it like a top-level call. Deterministic.
 */
import type { CallRecord, Ret } from '../../events/records.js';
import type { ExpectedChild, RawFinding } from '../../machines/kit/world.js';

/** How many top-level calls keep their expectations (older ones are dropped to bound memory). */
const WINDOW = 4096;

export class Nesting {
  readonly #expected = new Map<number, ExpectedChild[]>();
  readonly #rootOf = new Map<number, number>();
  /** Seqs in the order they entered #rootOf: a ring, because Map.keys().next() after many deletes walks the holes. */
  readonly #order: number[] = new Array<number>(WINDOW);
  #next = 0;
  #count = 0;

  /** Remembers what a top-level call is expected to call. */
  expect(seq: number, children: readonly ExpectedChild[]): void {
    this.#remember(seq, seq);
    if (children.length > 0) this.#expected.set(seq, [...children]);
  }

  #remember(seq: number, root: number): void {
    if (this.#count === WINDOW) {
      const old = this.#order[this.#next];
      this.#rootOf.delete(old);
      this.#expected.delete(old);
    } else this.#count++;
    this.#order[this.#next] = seq;
    this.#next = (this.#next + 1) % WINDOW;
    this.#rootOf.set(seq, root);
  }

  /**
   * Checks a nested record against its root call's expectations. Returns null when the model of the
   * enclosing call does not make this call (the caller then decides it as a top-level call), else
   * the findings of the comparison (possibly none).
   */
  check(rec: CallRecord & { parent: number }): RawFinding[] | null {
    const root = this.#rootOf.get(rec.parent) ?? rec.parent;
    this.#remember(rec.seq, root);
    const expected = this.#expected.get(root) ?? [];
    const at = expected.findIndex((e) => e.fn === rec.fn);
    const objects = { parent: rec.parent, fn: rec.fn };
    if (at < 0) return null;
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
