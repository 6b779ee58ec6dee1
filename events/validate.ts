/**
 * ajv validators for the header, call records and facts, compiled once at module load.
 * Pure functions of their input.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { HEADER_SCHEMA, LOG_HEADER_SCHEMA, RECORD_UNION_SCHEMA, FACT_UNION_SCHEMA } from './schemas.js';
import type { CallRecord, TraceHeader } from './records.js';
import type { Fact, LogHeader } from './facts.js';

const ajv = new Ajv({ discriminator: true, strict: true, allErrors: false });

const headerValidator = ajv.compile(HEADER_SCHEMA) as ValidateFunction<TraceHeader>;
const logHeaderValidator = ajv.compile(LOG_HEADER_SCHEMA) as ValidateFunction<LogHeader>;
const recordValidator = ajv.compile(RECORD_UNION_SCHEMA) as ValidateFunction<CallRecord>;
const factValidator = ajv.compile(FACT_UNION_SCHEMA) as ValidateFunction<Fact>;

/** The first schema error of a value, or null when it is valid. */
export interface SchemaError {
  /** JSON pointer of the offending field ("/args/pasid"), "" for the record itself. */
  readonly path: string;
  readonly keyword: string;
  readonly message: string;
  readonly params: Record<string, unknown>;
}

function firstError(errors: ErrorObject[] | null | undefined): SchemaError {
  const e = errors?.[0];
  if (!e) return { path: '', keyword: 'unknown', message: 'is invalid', params: {} };
  return { path: e.instancePath, keyword: e.keyword, message: e.message ?? 'is invalid', params: e.params as Record<string, unknown> };
}

export function validateHeader(value: unknown): SchemaError | null {
  return headerValidator(value) ? null : firstError(headerValidator.errors);
}

export function validateLogHeader(value: unknown): SchemaError | null {
  return logHeaderValidator(value) ? null : firstError(logHeaderValidator.errors);
}

export function validateRecord(value: unknown): SchemaError | null {
  return recordValidator(value) ? null : firstError(recordValidator.errors);
}

export function validateFact(value: unknown): SchemaError | null {
  return factValidator(value) ? null : firstError(factValidator.errors);
}

export function isCallRecord(value: unknown): value is CallRecord {
  return recordValidator(value);
}
