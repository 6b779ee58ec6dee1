/**
 * The one step of the model: a call record (top-level or nested) applied to the model's state,
 * giving the return the kernel gives, the facts that follow and the findings. Audit, time travel,
 * what-if, explore and generate all step through here, so an explored schedule audited as a trace
 * gives the findings the explorer reported. Deterministic; it changes only the state it is given.
 *
 * The rules of the step itself, in order:
 * 1. A nested record under a call whose model makes its nested calls is checked against them and
 *    not applied again (NESTED_CALL_UNEXPECTED / NESTED_CALL_MISMATCH); under any other call it is
 *    an effect the model has not applied and is decided like a top-level call.
 * 2. The call is decided by its kernel function's model (machines/calls/).
 * 3. A recorded return that differs from the model's is RET_MISMATCH. When the kernel failed where
 *    the model predicted success, the kernel changed nothing: the model's step is undone (and
 *    -ENOMEM, the environment, is not reported). When the kernel succeeded where the model predicted
 *    a refusal, the mismatch is reported alone: the refusal's findings (kernel reaction ERR) did not
 *    happen (#21 B9).
 * 4. A finding the kernel raises inside a nested call points at that nested record when the capture
 *    recorded it (the -EAGAIN of the ioasid_register_allocator a register_pasid_allocator makes).
 * 5. A call the task died in (`cutBy`: a BUG or oops inside it, it never returned) is decided and keeps
 *    its findings (the bug that killed it), but none of its facts take effect: the lab's oopses all hit
 *    before the call changed the state the model keeps (a NULL dev->iommu at bind's entry, the list_del
 *    check before the unlink, the driver op before the xa_erase of a detach; #20). The facts it would
 *    have had are `withheld`, so the end of the trace does not call what it was releasing a leak.
 */
import type { FactBody } from '../../events/facts.js';
import type { CallRecord, Ret } from '../../events/records.js';
import { isFailure } from '../../events/ret.js';
import { decideCall, RAISED_IN } from '../../machines/calls/index.js';
import { reactionOf } from '../../machines/findings.js';
import type { ExpectedChild, RawFinding, World } from '../../machines/kit/world.js';
import { Nesting, sameRet } from './nesting.js';

/** What a step works on: the world of objects and the nested calls still expected. */
export interface ModelState {
  world: World;
  nesting: Nesting;
}

export function newModelState(world: World): ModelState {
  return { world, nesting: new Nesting() };
}

/** A finding as the step raised it, and the record it points at. */
export interface StepFinding {
  readonly raw: RawFinding;
  /** The record the finding belongs to: the stepped one, or the nested record it was raised in. */
  readonly at: CallRecord;
}

export interface StepOutcome {
  /** The return the kernel gives under the model; undefined when the model cannot know it. */
  readonly ret: Ret | undefined;
  /** The rule that decided the return. */
  readonly rule: string;
  /** The facts, in order; empty when the call changed nothing. */
  readonly facts: readonly FactBody[];
  readonly findings: readonly StepFinding[];
  /** True when the record was checked against its enclosing call's model instead of decided. */
  readonly checkedAsNested: boolean;
  /** The calls the model makes inside this one (what `compare` shows of a driver callback's arguments). */
  readonly nested: readonly ExpectedChild[];
  /** A call cut short by a kernel oops (rule 5): the facts it would have had; none took effect. */
  readonly withheld?: readonly FactBody[];
}

/** Errors the environment causes (memory), which the model cannot predict and does not report. */
const ENVIRONMENTAL = new Set<Ret>(['-ENOMEM']);
const NO_FACTS: readonly FactBody[] = Object.freeze([]);
/** Shared empty lists of an outcome (outcomes are read, never changed). */
const NO_FINDINGS: readonly StepFinding[] = Object.freeze([]);
const NO_NESTED: readonly ExpectedChild[] = Object.freeze([]);
/** The outcome of a nested record that matched its root's expectation: one shared object (a quarter of a trace's records). */
const MATCHED_NESTED: StepOutcome = Object.freeze({ ret: undefined, rule: '', facts: NO_FACTS, findings: NO_FINDINGS, checkedAsNested: true, nested: NO_NESTED });

/** The nested record a finding belongs to (RAISED_IN), when the capture recorded that call. */
function siteOf(raw: RawFinding, record: CallRecord, descendants: readonly CallRecord[], used: Set<number> | null): CallRecord {
  const fn = RAISED_IN[raw.code];
  if (fn === undefined || fn === record.fn) return record;
  const site = descendants.find((d) => d.fn === fn && !used?.has(d.seq));
  if (site === undefined) return record;
  used?.add(site.seq);
  return site;
}

/**
 * Steps one record. `descendants` are the records nested (transitively) inside it that follow in the
 * trace; they lend names the model cannot predict and are where nested findings point.
 */
export interface StepOptions {
  /**
   * Compare the recorded return with the model's (rule 3; default true). The explorer turns it off:
   * in an ordering it made up, the model decides every return and a kept return only names the object.
   */
  readonly reconcile?: boolean;
}

export function step(state: ModelState, record: CallRecord, descendants: readonly CallRecord[] = [], options: StepOptions = {}): StepOutcome {
  if (record.parent !== undefined) {
    const checked = state.nesting.check(record as CallRecord & { parent: number });
    if (checked !== null) {
      if (checked.length === 0) return MATCHED_NESTED;
      return { ret: undefined, rule: '', facts: NO_FACTS, findings: checked.map((raw) => ({ raw, at: record })), checkedAsNested: true, nested: NO_NESTED };
    }
  }
  const w = state.world;
  w.begin();
  const d = decideCall(w, record, descendants);
  const recorded = record.ret;
  let raws: readonly RawFinding[] = d.findings;
  let facts: readonly FactBody[] = d.facts;
  let withheld: readonly FactBody[] | undefined;
  if (record.cutBy !== undefined) {
    // Why: the task died inside the call (rule 5): the kernel never finished it, so nothing it decides takes effect.
    w.rollback();
    withheld = facts;
    facts = NO_FACTS;
  } else if (options.reconcile !== false && recorded !== undefined && d.ret !== undefined && !sameRet(recorded, d.ret)) {
    const mismatch: RawFinding = {
      code: 'RET_MISMATCH',
      rule: d.rule,
      detail: `${record.fn} returned ${String(recorded)}; the model predicts ${String(d.ret)} (${d.rule})`,
      objects: {},
    };
    if (isFailure(recorded) && !isFailure(d.ret)) {
      // Why: a kernel call that failed changed nothing; follow the kernel and undo the model's step.
      w.rollback();
      facts = NO_FACTS;
      raws = ENVIRONMENTAL.has(recorded) ? [] : [mismatch];
    } else {
      w.commit();
      // Why: a refusal the kernel did not make raised no error; only the disagreement is worth reporting.
      const refusedInstead = !isFailure(recorded) && isFailure(d.ret);
      raws = [...(refusedInstead ? raws.filter((f) => reactionOf(f.code, w.profile) !== 'ERR') : raws), mismatch];
    }
  } else {
    w.commit();
  }
  state.nesting.expect(record.seq, record.fn, d.children);
  const used = raws.length > 1 ? new Set<number>() : null;
  // Why: siteOf reads the descendants only for a finding raised in a nested call (the live idle flush watches those reads).
  const findings = raws.length === 0 ? NO_FINDINGS : raws.map((raw) => ({ raw, at: siteOf(raw, record, descendants, used) }));
  if (withheld !== undefined) return { ret: d.ret, rule: d.rule, facts, findings, checkedAsNested: false, nested: d.children, withheld };
  return { ret: d.ret, rule: d.rule, facts, findings, checkedAsNested: false, nested: d.children };
}
