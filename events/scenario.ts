/**
 * The race scenario format (`pasid-ledger explore`): JSON Lines, a header on line 1, then one call a
 * line in a `setup` section, one list per task, and a `teardown` section. A call may run only if an
 * earlier call of its own task succeeded or failed (`if_ok` / `if_failed`) and may take an
 * argument from an earlier call's return (`{"ret_of": k}`, `{"ret_of": k, "field": "pasid"}`).
 * Generated from the record catalogue (records.ts), validated by ajv like every other line. Pure data
 * and validators.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import { FIELD_SCHEMAS, type FieldKind } from './fields.js';
import { CALL_NAMES, RECORD_SPECS, type CallName } from './records.js';
import type { SchemaError } from './validate.js';

export const SCENARIO_FORMAT = 'pasid-ledger-scenario' as const;
export const SCENARIO_FORMAT_VERSION = 1;

/** The sections that are not tasks. */
export const SETUP = 'setup';
export const TEARDOWN = 'teardown';

/** A task name: what schedule strings use (`t1`, `driver`, `exit`). */
export const TASK_NAME_PATTERN = '^[A-Za-z][A-Za-z0-9_-]{0,31}$';

/**
 * A reference to another call: its number (1-based) in the same section, or `section:number`
 * (`setup:2`; from teardown also `t1:3`).
 */
export const CALL_REF_PATTERN = '^([A-Za-z][A-Za-z0-9_-]{0,31}:)?[1-9][0-9]{0,5}$';

/** Fields a `{ "ret_of": k, "field": F }` argument can read from the return of call k. */
export const REF_FIELDS = ['pasid'] as const;
export type RefField = (typeof REF_FIELDS)[number];

export type CallRef = number | string;

export interface RetOf {
  readonly ret_of: CallRef;
  readonly field?: RefField;
}

/** Per allocator (by the alloc helper of its registration): how the host answers (default: lowest free in [max(min, 1), max]). */
export interface HostPolicy {
  /** The host hands out the lowest free ID >= first. */
  readonly first?: number;
  /** The host refuses every request (INVALID_IOASID). */
  readonly refuse?: boolean;
}

export interface ScenarioHeader {
  readonly type: 'header';
  readonly format: typeof SCENARIO_FORMAT;
  readonly version: number;
  readonly kernel: string;
  readonly description?: string;
  readonly hosts?: Readonly<Record<string, HostPolicy>>;
}

export interface ScenarioLine {
  readonly in: string;
  readonly fn: CallName;
  readonly args: Readonly<Record<string, unknown>>;
  readonly if_ok?: CallRef;
  readonly if_failed?: CallRef;
  /** The host's answer to this call (a custom-allocator ioasid_alloc): an ID or INVALID_IOASID. */
  readonly host?: number | 'INVALID_IOASID';
  /** The name of the object this call returns (a domain or an SVA handle). */
  readonly name?: string;
  readonly comment?: string;
}

const refSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['ret_of'],
  properties: {
    ret_of: { anyOf: [{ type: 'integer', minimum: 1, maximum: 999999 }, { type: 'string', pattern: CALL_REF_PATTERN }] },
    field: { enum: [...REF_FIELDS] },
  },
} as const;

const callRefSchema = refSchema.properties.ret_of;

export const SCENARIO_HEADER_SCHEMA = {
  $id: 'pasid-ledger/scenario-header',
  type: 'object',
  additionalProperties: false,
  required: ['type', 'format', 'version', 'kernel'],
  properties: {
    type: { const: 'header' },
    format: { const: SCENARIO_FORMAT },
    version: { type: 'integer', minimum: 1 },
    kernel: { type: 'string', pattern: '^v?[0-9]+\\.[0-9]+(\\.[0-9]+)?([-+.~][A-Za-z0-9._+-]*)?$' },
    description: { type: 'string', maxLength: 4096 },
    hosts: {
      type: 'object',
      maxProperties: 64,
      propertyNames: FIELD_SCHEMAS.name,
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        properties: { first: { type: 'integer', minimum: 0, maximum: 0xfffffffe }, refuse: { type: 'boolean' } },
      },
    },
  },
} as const;

/** Every argument takes its own kind or a reference to an earlier call's return. */
function argsSchema(fn: CallName): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  const required: string[] = [];
  for (const [key, spec] of Object.entries(RECORD_SPECS[fn].args) as [string, string][]) {
    const optional = spec.endsWith('?');
    const kind = (optional ? spec.slice(0, -1) : spec) as FieldKind;
    properties[key] = { anyOf: [FIELD_SCHEMAS[kind], refSchema] };
    if (!optional) required.push(key);
  }
  return { type: 'object', additionalProperties: false, required, properties };
}

export function scenarioLineSchema(fn: CallName): Record<string, unknown> {
  return {
    $id: `pasid-ledger/scenario/${fn}`,
    type: 'object',
    additionalProperties: false,
    required: ['in', 'fn', 'args'],
    properties: {
      in: { type: 'string', pattern: TASK_NAME_PATTERN },
      fn: { const: fn },
      args: argsSchema(fn),
      if_ok: callRefSchema,
      if_failed: callRefSchema,
      host: FIELD_SCHEMAS.retIoasid,
      name: FIELD_SCHEMAS.name,
      comment: { type: 'string', maxLength: 4096 },
    },
  };
}

export const SCENARIO_LINE_SCHEMAS: Record<CallName, Record<string, unknown>> = Object.fromEntries(
  CALL_NAMES.map((fn) => [fn, scenarioLineSchema(fn)]),
) as Record<CallName, Record<string, unknown>>;

/** The union, for a line whose `fn` names no function (ajv's discriminator gives that error). */
export const SCENARIO_LINE_SCHEMA = {
  $id: 'pasid-ledger/scenario-line',
  type: 'object',
  required: ['fn'],
  properties: { fn: { type: 'string' } },
  discriminator: { propertyName: 'fn' },
  oneOf: CALL_NAMES.map((fn) => SCENARIO_LINE_SCHEMAS[fn]),
};

// Why on first use: compiled at load, every command's start-up paid for them (only scenarios ask).
let ajv: Ajv | undefined;
let branches: Ajv | undefined;
let headerValidator: ValidateFunction<ScenarioHeader> | undefined;
let union: ValidateFunction | undefined;
const core = (): Ajv => (ajv ??= new Ajv({ discriminator: true, strict: true, allErrors: false }));
const compiled = new Map<string, ValidateFunction>();

function first(v: ValidateFunction): SchemaError {
  const e = v.errors?.[0];
  if (!e) return { path: '', keyword: 'unknown', message: 'is invalid', params: {} };
  return { path: e.instancePath, keyword: e.keyword, message: e.message ?? 'is invalid', params: e.params as Record<string, unknown> };
}

export function validateScenarioHeader(value: unknown): SchemaError | null {
  const v = (headerValidator ??= core().compile(SCENARIO_HEADER_SCHEMA) as ValidateFunction<ScenarioHeader>);
  return v(value) ? null : first(v);
}

export function validateScenarioLine(value: unknown): SchemaError | null {
  const fn = typeof value === 'object' && value !== null ? (value as Record<string, unknown>).fn : undefined;
  if (typeof fn === 'string' && Object.hasOwn(SCENARIO_LINE_SCHEMAS, fn)) {
    let v = compiled.get(fn);
    if (v === undefined) compiled.set(fn, (v = (branches ??= new Ajv({ strict: true, allErrors: false })).compile(SCENARIO_LINE_SCHEMAS[fn as CallName])));
    return v(value) ? null : first(v);
  }
  // Why the header first: the instance compiled it before the union when both were compiled at load.
  if (headerValidator === undefined) headerValidator = core().compile(SCENARIO_HEADER_SCHEMA) as ValidateFunction<ScenarioHeader>;
  union ??= core().compile(SCENARIO_LINE_SCHEMA);
  return union(value) ? null : first(union);
}

export function isRetOf(v: unknown): v is RetOf {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && 'ret_of' in v;
}
