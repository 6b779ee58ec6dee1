/**
 * A kernel function's checks as a table, in the kernel's order: the first row whose `when` holds
 * decides the return, the finding (with its kernel reaction) and the rule quoted when a recorded
 * return disagrees; `then` names what the call goes on to do (the row without `then` ends it).
 * Rows read only what the call read (`R`), never the world. Pure.
 */
import type { Ret } from '../../events/records.js';
import type { FindingCode } from '../findings.js';
import type { Decision, RawFinding } from './world.js';

export interface Check<R, Then extends string = string> {
  /** When the row applies; absent: always (the last row). */
  readonly when?: (r: R) => boolean;
  /** The call's return when this row decides it; absent: the call goes on (`then`) and decides later. */
  readonly ret?: Ret;
  readonly finding?: FindingCode;
  /** One clause of detail for the finding, e.g. "detached with dom2 but dom1 is attached". */
  readonly detail?: (r: R) => string;
  /** The rule in a few words, with the kernel function and the section. */
  readonly rule: string;
  /** What the call does next on this row (e.g. 'attach'); absent: nothing more. */
  readonly then?: Then;
}

/** The first row that applies (a table always ends with a row without `when`). */
export function firstCheck<R, T extends string>(checks: readonly Check<R, T>[], r: R): Check<R, T> {
  for (const c of checks) if (c.when === undefined || c.when(r)) return c;
  throw new Error(`no check applies (the table must end with a row without when; a pasid-ledger bug)`);
}

/** Fields of a call's arguments that name kernel objects, in the order findings show them. */
const OBJECT_FIELDS = ['dev', 'group', 'pasid', 'domain', 'old', 'mm', 'handle', 'ops', 'space', 'ioasid', 'iommu'] as const;

export function objectsOf(fields: object): RawFinding['objects'] {
  const out: Record<string, string | number | boolean | null> = {};
  const e = fields as Record<string, unknown>;
  for (const f of OBJECT_FIELDS) {
    const v = e[f];
    if (typeof v === 'string' || typeof v === 'number') out[f] = v;
  }
  return out;
}

/**
 * Applies a row to the decision: its finding (naming `objects`) and, when it decides the return, the
 * return and rule. Returns the row for the call to go on with `then`.
 */
export function decideBy<R, T extends string>(d: Decision, row: Check<R, T>, r: R, objects: object, options: { setsRet?: boolean } = {}): Check<R, T> {
  if (row.finding !== undefined) d.findings.push({ code: row.finding, rule: row.rule, detail: row.detail?.(r) ?? '', objects: objectsOf(objects) });
  if ((options.setsRet ?? true) && row.ret !== undefined) {
    d.ret = row.ret;
    d.rule = row.rule;
  }
  return row;
}
