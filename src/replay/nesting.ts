/**
 * Nested calls: a record with `parent` ran inside an earlier call. When the model of the enclosing
 * top-level call accounts for its nested calls (machines/calls/nested.ts), the record is checked
 * against them and not applied again; under any other call (the default domain allocated inside
 * iommu_probe_device, say) it is an effect the model has not applied, and the replay decides it
 * like a top-level call. Deterministic.
 */
import { ERRNO_ALIASES } from '../../events/fields.js';
import type { CallName, CallRecord, Ret } from '../../events/records.js';
import { modelsNested } from '../../machines/calls/index.js';
import type { ExpectedChild, RawFinding } from '../../machines/kit/world.js';

/**
 * How many calls keep their expectations (older ones are dropped to bound memory and checkpoint
 * size). Nested records follow their root within the replay look-ahead (256 records), so 1024 is
 * a wide margin.
 */
const WINDOW = 1024;
/** A nested record that matched: no findings (shared; callers only read it). */
const NO_FINDINGS: readonly RawFinding[] = Object.freeze([]);

/** A copy of the nesting bookkeeping (time-travel checkpoints). */
export interface NestingState {
  /** The remembered seqs, oldest first (the order the window evicts in). */
  readonly order: Float64Array;
  /** seq, root, seq, root, ...: 16 bytes a pair. */
  readonly rootOf: Float64Array;
  readonly rootFn: readonly (readonly [number, CallName])[];
  /** [root seq, children still expected]. */
  readonly expected: readonly (readonly [number, readonly ExpectedChild[]])[];
}

/** What is remembered of one seq: its root call, and for a root its function and the children still expected. */
interface Remembered {
  root: number;
  fn: CallName | undefined;
  expected: ExpectedChild[] | undefined;
}

export class Nesting {
  /** One entry per remembered seq (one map for root, function and expectations: one lookup and one delete a record). */
  readonly #seqs = new Map<number, Remembered>();
  /** Seqs in the order they entered #seqs: a ring, because Map.keys().next() after many deletes walks the holes. */
  readonly #order: number[] = new Array<number>(WINDOW);
  #next = 0;
  #count = 0;

  /** A copy of the bookkeeping: `check` splices the expectation lists, so they are copied too. */
  snapshot(): NestingState {
    const rootOf = new Float64Array(this.#seqs.size * 2);
    const rootFn: (readonly [number, CallName])[] = [];
    const expected: (readonly [number, readonly ExpectedChild[]])[] = [];
    let i = 0;
    for (const [k, r] of this.#seqs) {
      rootOf[i++] = k;
      rootOf[i++] = r.root;
      if (r.fn !== undefined) rootFn.push([k, r.fn]);
      // Empty lists are shared, not copied: `check` never splices an empty list.
      if (r.expected !== undefined) expected.push([k, r.expected.length === 0 ? r.expected : [...r.expected]]);
    }
    const order = new Float64Array(this.#count);
    const oldest = this.#count === WINDOW ? this.#next : 0;
    for (let j = 0; j < this.#count; j++) order[j] = this.#order[(oldest + j) % WINDOW];
    return { order, rootOf, rootFn, expected };
  }

  /** The bookkeeping a snapshot recorded. */
  static from(state: NestingState): Nesting {
    const n = new Nesting();
    for (let i = 0; i < state.rootOf.length; i += 2) n.#seqs.set(state.rootOf[i], { root: state.rootOf[i + 1], fn: undefined, expected: undefined });
    for (const [k, v] of state.rootFn) n.#entry(k).fn = v;
    for (const [k, v] of state.expected) n.#entry(k).expected = [...v];
    for (let j = 0; j < state.order.length; j++) n.#order[j] = state.order[j];
    n.#count = state.order.length;
    n.#next = n.#count % WINDOW;
    return n;
  }

  /** The entry of a seq (a snapshot names only remembered seqs; one made elsewhere gets its own entry). */
  #entry(seq: number): Remembered {
    let r = this.#seqs.get(seq);
    if (r === undefined) this.#seqs.set(seq, (r = { root: seq, fn: undefined, expected: undefined }));
    return r;
  }

  /** Remembers what a top-level call is expected to call. */
  expect(seq: number, fn: CallName, children: readonly ExpectedChild[]): void {
    const r = this.#remember(seq, seq);
    r.fn = fn;
    if (children.length > 0) r.expected = [...children];
  }

  #remember(seq: number, root: number): Remembered {
    // Why the evicted entry is reused: one object fewer per record, and none that outlives a young-generation GC.
    let spare: Remembered | undefined;
    if (this.#count === WINDOW) {
      const old = this.#order[this.#next];
      spare = this.#seqs.get(old);
      this.#seqs.delete(old);
    } else this.#count++;
    this.#order[this.#next] = seq;
    this.#next = (this.#next + 1) % WINDOW;
    let r = this.#seqs.get(seq);
    if (r === undefined) {
      if (spare === undefined) r = { root, fn: undefined, expected: undefined };
      else {
        r = spare;
        r.root = root;
        r.fn = undefined;
        r.expected = undefined;
      }
      this.#seqs.set(seq, r);
    } else r.root = root;
    return r;
  }

  /**
   * Checks a nested record against its root call's expectations. Returns null when the model of the
   * enclosing call does not make this call (the caller then decides it as a top-level call), else
   * the findings of the comparison (possibly none).
   */
  check(rec: CallRecord & { parent: number }): readonly RawFinding[] | null {
    const root = this.#seqs.get(rec.parent)?.root ?? rec.parent;
    this.#remember(rec.seq, root);
    const rootEntry = this.#seqs.get(root);
    const expected = rootEntry?.expected;
    let at = -1;
    if (expected !== undefined) for (let i = 0; i < expected.length && at < 0; i++) if (expected[i].fn === rec.fn) at = i;
    if (expected === undefined || at < 0) {
      const rootFn = rootEntry?.fn;
      if (rootFn === undefined || !modelsNested(rootFn)) return null;
      return [{ code: 'NESTED_CALL_UNEXPECTED', rule: `what seq ${root} (${rootFn}) does under the model`, detail: `${rec.fn} nested in seq ${rec.parent} is not a call ${rootFn} makes at this point under the model`, objects: { parent: rec.parent, fn: rec.fn } }];
    }
    // Why not splice: it makes an array of the removed element on every nested record.
    const e = expected[at];
    for (let i = at + 1; i < expected.length; i++) expected[i - 1] = expected[i];
    expected.pop();
    let problems: string[] | null = null;
    const args: Readonly<Record<string, unknown>> = rec.args;
    const model = e.args;
    for (const k in model) {
      const v = model[k];
      if (args[k] !== undefined && v !== undefined && args[k] !== v) (problems ??= []).push(`${k} ${String(args[k])} (model: ${String(v)})`);
    }
    if (e.ret !== undefined && rec.ret !== undefined && !sameRet(rec.ret, e.ret)) (problems ??= []).push(`returned ${String(rec.ret)} (model: ${String(e.ret)})`);
    if (problems === null) return NO_FINDINGS;
    return [{ code: 'NESTED_CALL_MISMATCH', rule: `what seq ${root} does under the model`, detail: `nested ${rec.fn}: ${problems.join(', ')}`, objects: { parent: rec.parent, fn: rec.fn } }];
  }
}

/** Equal returns; errno aliases (-EWOULDBLOCK = -EAGAIN) are the same number. */
export function sameRet(a: Ret, b: Ret): boolean {
  if (a === b) return true;
  return typeof a === 'string' && typeof b === 'string' && (ERRNO_ALIASES[a] ?? a) === (ERRNO_ALIASES[b] ?? b);
}
