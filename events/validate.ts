/**
 * ajv validators for the header, call records and facts, compiled once at module load.
 * Pure functions of their input.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { HEADER_SCHEMA, LOG_HEADER_SCHEMA, RECORD_UNION_SCHEMA, FACT_UNION_SCHEMA, RECORD_SCHEMAS, FACT_SCHEMAS } from './schemas.js';
import type { CallRecord, TraceHeader } from './records.js';
import type { Fact, LogHeader } from './facts.js';
import { TRAILER_SCHEMA } from './trailer.js';

const ajv = new Ajv({ discriminator: true, strict: true, allErrors: false });
// Why: ajv's discriminator union validated ~10× slower than the branch alone (measured by npm run bench);
// valid values go through one branch validator per kind, compiled on first use in their own instance
// (the union embeds the same $ids); the union only runs on a failure, for the same first error.
const branches = new Ajv({ strict: true, allErrors: false });

const headerValidator = ajv.compile(HEADER_SCHEMA) as ValidateFunction<TraceHeader>;
const logHeaderValidator = ajv.compile(LOG_HEADER_SCHEMA) as ValidateFunction<LogHeader>;
const trailerValidator = ajv.compile(TRAILER_SCHEMA);

/** A validator compiled on first use. */
function lazy<T>(compile: () => ValidateFunction<T>): () => ValidateFunction<T> {
  let v: ValidateFunction<T> | undefined;
  return () => (v ??= compile());
}

const recordUnion = lazy(() => ajv.compile(RECORD_UNION_SCHEMA) as ValidateFunction<CallRecord>);
const factUnion = lazy(() => ajv.compile(FACT_UNION_SCHEMA) as ValidateFunction<Fact>);
const recordBranches = new Map<string, ValidateFunction>();
const factBranches = new Map<string, ValidateFunction>();

/** The branch validator of a tag value, or undefined when the tag names no branch. */
function branchFor(value: unknown, tag: 'fn' | 'type', schemas: Readonly<Record<string, object>>, cache: Map<string, ValidateFunction>): ValidateFunction | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const name = (value as Record<string, unknown>)[tag];
  if (typeof name !== 'string') return undefined;
  // Why the cache first: only a name seen before is in it, so the schema table is asked once per name.
  let v = cache.get(name);
  if (v === undefined) {
    if (!Object.hasOwn(schemas, name)) return undefined;
    cache.set(name, (v = branches.compile(schemas[name])));
  }
  return v;
}

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

export function validateTrailer(value: unknown): SchemaError | null {
  return trailerValidator(value) ? null : firstError(trailerValidator.errors);
}

export function validateRecord(value: unknown): SchemaError | null {
  if (branchFor(value, 'fn', RECORD_SCHEMAS, recordBranches)?.(value)) return null;
  const union = recordUnion();
  return union(value) ? null : firstError(union.errors);
}

export function validateFact(value: unknown): SchemaError | null {
  if (branchFor(value, 'type', FACT_SCHEMAS, factBranches)?.(value)) return null;
  const union = factUnion();
  return union(value) ? null : firstError(union.errors);
}

export function isCallRecord(value: unknown): value is CallRecord {
  return validateRecord(value) === null;
}
