/**
 * JSON Schemas of the header, of every call record (one per kernel function) and of every fact,
 * generated from the tables in records.ts and facts.ts. Pure data.
 */
import { FIELD_SCHEMAS, objectSchema } from './fields.js';
import { RECORD_SPECS, COMMON_FIELDS, CALL_NAMES, TRACE_FORMAT, CAPTURE_SOURCES, type CallName } from './records.js';
import { FACT_SPECS, FACT_TYPES, LOG_FORMAT, type FactType } from './facts.js';

/** Schema of line 1. The format version is checked separately so a newer one gets its own error. */
export const HEADER_SCHEMA = {
  $id: 'pasid-ledger/header',
  type: 'object',
  additionalProperties: false,
  required: ['type', 'format', 'version', 'kernel', 'source'],
  properties: {
    type: { const: 'header' },
    format: { const: TRACE_FORMAT },
    version: { type: 'integer', minimum: 1 },
    kernel: { type: 'string', pattern: '^v?[0-9]+\\.[0-9]+(\\.[0-9]+)?([-+.~][A-Za-z0-9._+-]*)?$' },
    source: { type: 'string', enum: [...CAPTURE_SOURCES] },
    host: {
      type: 'object',
      maxProperties: 64,
      propertyNames: { pattern: '^[A-Za-z_][A-Za-z0-9_.-]{0,63}$' },
      additionalProperties: { anyOf: [{ type: 'string', maxLength: 1024 }, { type: 'number' }, { type: 'boolean' }] },
    },
    description: { type: 'string', maxLength: 4096 },
    import: {
      type: 'object',
      additionalProperties: false,
      required: ['kept', 'skipped', 'reasons', 'lostEvents'],
      properties: {
        kept: { type: 'integer', minimum: 0 },
        skipped: { type: 'integer', minimum: 0 },
        reasons: {
          type: 'object',
          maxProperties: 64,
          propertyNames: { pattern: '^[A-Z][A-Z0-9_]{0,63}$' },
          additionalProperties: { type: 'integer', minimum: 0 },
        },
        lostEvents: { type: 'integer', minimum: 0 },
        notes: {
          type: 'object',
          maxProperties: 64,
          propertyNames: { pattern: '^[A-Z][A-Z0-9_]{0,63}$' },
          additionalProperties: { type: 'integer', minimum: 0 },
        },
        kernelReports: {
          type: 'array',
          maxItems: 32,
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['text', 'tid', 'inside'],
            properties: {
              text: { type: 'string', maxLength: 1024 },
              tid: { type: 'integer', minimum: 0 },
              rip: { type: 'string', maxLength: 256 },
              inside: { type: 'array', maxItems: 64, items: { type: 'integer', minimum: 1 } },
            },
          },
        },
      },
    },
  },
} as const;

/** Schema of line 1 of a derived-event log (facts); shares the header's field schemas. */
export const LOG_HEADER_SCHEMA = {
  $id: 'pasid-ledger/log-header',
  type: 'object',
  additionalProperties: false,
  required: ['type', 'format', 'version'],
  properties: {
    type: HEADER_SCHEMA.properties.type,
    format: { const: LOG_FORMAT },
    version: HEADER_SCHEMA.properties.version,
    kernel: HEADER_SCHEMA.properties.kernel,
    trace: { type: 'string', maxLength: 4096 },
    host: HEADER_SCHEMA.properties.host,
    description: HEADER_SCHEMA.properties.description,
  },
} as const;

/** The schema of one call record. */
export function recordSchema(fn: CallName): Record<string, unknown> {
  const spec = RECORD_SPECS[fn];
  const common = objectSchema(COMMON_FIELDS) as { properties: Record<string, unknown>; required: string[] };
  return {
    $id: `pasid-ledger/record/${fn}`,
    type: 'object',
    additionalProperties: false,
    required: ['seq', 'ts', 'cpu', 'tid', 'fn', 'args'],
    properties: {
      ...common.properties,
      fn: { const: fn },
      args: objectSchema(spec.args),
      ret: FIELD_SCHEMAS[spec.ret],
    },
  };
}

/** The schema of one fact. */
export function factSchema(type: FactType): Record<string, unknown> {
  const body = objectSchema({ seq: 'count', ...FACT_SPECS[type] }) as { properties: Record<string, unknown>; required: string[] };
  return {
    $id: `pasid-ledger/fact/${type}`,
    type: 'object',
    additionalProperties: false,
    required: ['type', ...body.required],
    properties: { type: { const: type }, ...body.properties },
  };
}

export const RECORD_SCHEMAS: Record<CallName, Record<string, unknown>> = Object.fromEntries(
  CALL_NAMES.map((fn) => [fn, recordSchema(fn)]),
) as Record<CallName, Record<string, unknown>>;

export const FACT_SCHEMAS: Record<FactType, Record<string, unknown>> = Object.fromEntries(
  FACT_TYPES.map((t) => [t, factSchema(t)]),
) as Record<FactType, Record<string, unknown>>;

/** Discriminated unions (ajv `discriminator`) over the record and fact schemas. */
export const RECORD_UNION_SCHEMA = {
  $id: 'pasid-ledger/record',
  type: 'object',
  required: ['fn'],
  properties: { fn: { type: 'string' } },
  discriminator: { propertyName: 'fn' },
  oneOf: CALL_NAMES.map((fn) => RECORD_SCHEMAS[fn]),
};
export const FACT_UNION_SCHEMA = {
  $id: 'pasid-ledger/fact',
  type: 'object',
  required: ['type'],
  properties: { type: { type: 'string' } },
  discriminator: { propertyName: 'type' },
  oneOf: FACT_TYPES.map((t) => FACT_SCHEMAS[t]),
};
