/**
 * The in-memory event log: an append-only list of validated facts with an eventemitter3
 * subscription API. Appending never mutates an earlier fact. No IO.
 */
import { EventEmitter } from 'eventemitter3';
import type { Fact } from '../../events/facts.js';
import { validateFact } from '../../events/validate.js';
import { ledgerError, type LedgerError } from '../core/result.js';

export interface EventLogEvents {
  appended: [fact: Fact, index: number];
  error: [error: LedgerError];
}

export class EventLog extends EventEmitter<EventLogEvents> {
  readonly #facts: Fact[] = [];
  readonly #validate: boolean;
  readonly #retain: boolean;
  #length = 0;

  /**
   * `validate: false` is for the bulk fast path, whose facts are built from the same validated tables.
   * `retain: false` keeps no facts in memory, only their count: subscribers (a log writer, a live
   * audit) see each one as it is appended; the audit of a 2 GB capture must not hold them all.
   */
  constructor(options: { validate?: boolean; retain?: boolean } = {}) {
    super();
    this.#validate = options.validate ?? true;
    this.#retain = options.retain ?? true;
  }

  get length(): number {
    return this.#length;
  }

  /** Whether `at` and `all` can answer (the facts are kept). */
  get retains(): boolean {
    return this.#retain;
  }

  /** Appends one fact after validating it; an invalid fact is refused (an error value, never appended). */
  append(fact: Fact): LedgerError | null {
    if (this.#validate) {
      const problem = validateFact(fact);
      if (problem) {
        const error = ledgerError('FACT_SCHEMA_INVALID', `fact ${fact.type} ${problem.path || '(root)'} ${problem.message}`, {
          seq: fact.seq,
          field: problem.path.slice(1) || undefined,
          fix: 'this is a pasid-ledger bug: the model produced a fact its own schema refuses',
        });
        this.emit('error', error);
        return error;
      }
    }
    const index = this.#length++;
    if (this.#retain) this.#facts.push(fact);
    if (this.listenerCount('appended') > 0) this.emit('appended', fact, index);
    return null;
  }

  /** Appends the first `count` of facts an earlier log validated (time-travel restore): no check, no event. */
  preload(facts: readonly Fact[], count = facts.length): void {
    for (let i = 0; i < count; i++) this.#facts.push(facts[i]);
  }

  at(index: number): Fact | undefined {
    return this.#facts[index];
  }

  /** A read-only view of the facts (no copy); empty when the log does not retain them. */
  all(): readonly Fact[] {
    return this.#facts;
  }
}
