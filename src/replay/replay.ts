/**
 * Replay: folds call records through the machines, appends the derived facts to the event log
 * (validated) and collects findings, reconciling what the kernel recorded with what the model
 * decides. Deterministic: the same records give the same facts, findings and state, byte for byte.
 */
import { EventEmitter } from 'eventemitter3';
import type { CallRecord } from '../../events/records.js';
import type { Fact, FactBody } from '../../events/facts.js';
import { endOfTrace } from '../../machines/calls/endOfTrace.js';
import { World, type StepMode, type RawFinding } from '../../machines/kit/world.js';
import { newModelState, step, type ModelState, type StepOptions, type StepOutcome } from './step.js';
import type { Profile } from '../../machines/profile.js';
import { EventLog } from '../log/eventLog.js';
import { toFinding, type Finding } from './finding.js';
import { Nesting, type NestingState } from './nesting.js';

export interface ReplayOptions {
  readonly profile: Profile;
  /** 'fast' (compiled tables, the default) or 'xstate' (XState's pure transition per step). */
  readonly mode?: StepMode;
  /** Validate each fact against its schema before appending (default true). */
  readonly validateFacts?: boolean;
  /** Keep the facts in memory (default true); the audit streams them to subscribers instead. */
  readonly retainFacts?: boolean;
  /**
   * Compare recorded returns with the model's (default true). Off, the model decides every return:
   * replaying a trace under another kernel than the one it was recorded on (`compare`).
   */
  readonly reconcile?: boolean;
}

/**
 * The fact of a step body: the body itself, given its record's seq. Why in place: a step's bodies are
 * fresh objects of that one decision (no call model keeps or re-emits one), and copying every fact
 * with a spread of a dozen shapes was the costliest line of the replay; the key order is the same
 * (seq last).
 */
function stamped(body: FactBody, seq: number): Fact {
  const fact: FactBody & { seq?: number } = body;
  fact.seq = seq;
  return fact as Fact;
}

export interface ReplayEvents {
  finding: [finding: Finding];
}

/**
 * The world key of the object a fact creates or ends (`ORIGIN_ENDS`: which of them end it), to date
 * end-of-trace leaks back to the record that created the object; undefined for any other fact. Only
 * live objects are remembered, so memory follows the live set.
 */
function originKey(f: FactBody): string | undefined {
  switch (f.type) {
    case 'IoasidAllocated':
    case 'IoasidFreed':
      return `ioasid:${f.space}/${f.ioasid}`;
    case 'PasidAttached':
    case 'PasidDetached':
      return `pasidSlot:${f.group}/${f.pasid}`;
    case 'SvaBound':
      return f.users === 1 ? `svaBond:${f.dev}/${f.mm}` : undefined;
    case 'SvaUnbound':
      return f.users <= 0 ? `svaBond:${f.dev}/${f.mm}` : undefined;
    case 'GlobalPasidAllocated':
    case 'GlobalPasidFreed':
      return `globalPasid:${f.pasid}`;
    default:
      return undefined;
  }
}

/** The facts whose `originKey` object ends (the others create it). */
const ORIGIN_ENDS: ReadonlySet<string> = new Set(['IoasidFreed', 'PasidDetached', 'SvaUnbound', 'GlobalPasidFreed']);

/**
 * What a replay is after some records (time travel): the world (a clone sharing the immutable
 * snapshots), its own bookkeeping, and how many facts and findings it had. The facts and findings
 * themselves are not copied: they are a prefix of the run that took the checkpoint.
 */
export interface ReplayCheckpoint {
  readonly world: World;
  readonly nesting: NestingState;
  /** Live object key → the record that created it (end-of-trace leaks are dated by it). */
  readonly origin: readonly (readonly [string, { readonly seq: number; readonly line: number | null }])[];
  /** Objects whose release an oops cut short (absent: none). */
  readonly cut?: readonly string[];
  readonly records: number;
  readonly lastSeq: number | null;
  readonly facts: number;
  readonly findings: number;
}


export class Replay extends EventEmitter<ReplayEvents> {
  readonly profile: Profile;
  readonly #state: ModelState;
  readonly #stepOptions: StepOptions;
  readonly log: EventLog;
  readonly findings: Finding[] = [];
  #origin = new Map<string, { seq: number; line: number | null }>();
  /** Objects whose release a kernel oops cut short (step rule 5): left behind, but not leaked by the caller. */
  #cut = new Set<string>();
  /** Number of call records stepped so far. */
  records = 0;
  lastSeq: number | null = null;

  /** The model's world (read it; only steps change it). */
  get world(): World {
    return this.#state.world;
  }

  /** Continues from a world restored elsewhere (a persisted snapshot); the nesting bookkeeping starts empty. */
  set world(w: World) {
    this.#state.world = w;
  }

  constructor(options: ReplayOptions) {
    super();
    this.profile = options.profile;
    this.#state = newModelState(new World(options.profile, options.mode ?? 'fast'));
    this.#stepOptions = { reconcile: options.reconcile ?? true };
    this.log = new EventLog({ validate: options.validateFacts ?? true, retain: options.retainFacts ?? true });
  }

  /**
   * Steps one record. `descendants` are the records nested (transitively) inside it that follow in
   * the trace; they only lend names the model cannot predict. Returns the step's outcome (the
   * model's return: `compare` reads it per record).
   */
  step(record: CallRecord, line: number | null, descendants: readonly CallRecord[] = [], lines?: ReadonlyMap<number, number>): StepOutcome {
    this.records++;
    this.lastSeq = record.seq;
    const out = step(this.#state, record, descendants, this.#stepOptions);
    const facts = out.facts;
    for (let i = 0; i < facts.length; i++) {
      const fact = stamped(facts[i], record.seq);
      const key = originKey(fact);
      if (key !== undefined) {
        if (ORIGIN_ENDS.has(fact.type)) this.#origin.delete(key);
        else {
          this.#origin.set(key, { seq: record.seq, line });
          if (this.#cut.size > 0) this.#cut.delete(key);
        }
      }
      this.log.append(fact);
    }
    const withheld = out.withheld;
    // Why the body itself: originKey reads only its type and key fields, not its seq.
    if (withheld !== undefined) {
      for (const body of withheld) {
        const key = ORIGIN_ENDS.has(body.type) ? originKey(body) : undefined;
        if (key !== undefined) this.#cut.add(key);
      }
    }
    const findings = out.findings;
    for (let i = 0; i < findings.length; i++) {
      const { raw, at } = findings[i];
      this.#report(raw, at, at === record ? line : lines?.get(at.seq) ?? null);
    }
    return out;
  }

  /** A checkpoint of this replay (additive; see ReplayCheckpoint); time travel passes its own (live-only) copy of the world. */
  checkpoint(world: World = this.world.clone()): ReplayCheckpoint {
    return {
      world,
      nesting: this.#state.nesting.snapshot(),
      origin: [...this.#origin],
      ...(this.#cut.size > 0 ? { cut: [...this.#cut] } : {}),
      records: this.records,
      lastSeq: this.lastSeq,
      facts: this.log.length,
      findings: this.findings.length,
    };
  }

  /**
   * A replay in the state of a checkpoint; `facts` and `findings` are those of the run that took
   * it (their prefixes are copied by reference). The checkpoint stays unchanged.
   */
  static restore(options: ReplayOptions, cp: ReplayCheckpoint, facts: readonly Fact[], findings: readonly Finding[]): Replay {
    const r = new Replay(options);
    r.#state.world = cp.world.clone(options.mode ?? cp.world.mode);
    r.#state.nesting = Nesting.from(cp.nesting);
    r.#origin = new Map(cp.origin);
    r.#cut = new Set(cp.cut ?? []);
    r.records = cp.records;
    r.lastSeq = cp.lastSeq;
    r.log.preload(facts, cp.facts);
    for (let i = 0; i < cp.findings; i++) r.findings.push(findings[i]);
    return r;
  }

  /** The end-of-trace checks; call once after the last record. */
  end(): Finding[] {
    const out: Finding[] = [];
    for (const { key, finding } of endOfTrace(this.world)) {
      // Why: its release was under way when the kernel oopsed (step rule 5); the oops is the finding, not a leak.
      if (this.#cut.has(key)) continue;
      const origin = this.#origin.get(key);
      const f = toFinding(finding, { seq: origin?.seq ?? null, line: origin?.line ?? null, fn: null, atEnd: true }, this.profile);
      this.findings.push(f);
      out.push(f);
      this.emit('finding', f);
    }
    return out;
  }

  #report(raw: RawFinding, record: CallRecord, line: number | null): void {
    const f = toFinding(raw, { seq: record.seq, line, fn: record.fn }, this.profile);
    this.findings.push(f);
    this.emit('finding', f);
  }
}
