/**
 * ajv validators for the header, call records and facts, each compiled once, on first use (a
 * command that validates nothing, `--version` or one answered from a trace's index, compiles
 * none: compiling them was a third of the CLI's start-up). Pure functions of their input.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { HEADER_SCHEMA, LOG_HEADER_SCHEMA, RECORD_UNION_SCHEMA, FACT_UNION_SCHEMA, RECORD_SCHEMAS, FACT_SCHEMAS } from './schemas.js';
import type { CallRecord, TraceHeader } from './records.js';
import type { Fact, LogHeader } from './facts.js';
import { TRAILER_SCHEMA } from './trailer.js';

/** A value made on first use. */
function lazy<T>(make: () => T): () => T {
  let v: T | undefined;
  return () => (v ??= make());
}

/** The instance of the header, trailer and union validators; the first three compiled first, in this order, whichever is asked for first. */
const core = lazy(() => {
  const ajv = new Ajv({ discriminator: true, strict: true, allErrors: false });
  const header = ajv.compile(HEADER_SCHEMA) as ValidateFunction<TraceHeader>;
  const logHeader = ajv.compile(LOG_HEADER_SCHEMA) as ValidateFunction<LogHeader>;
  const trailer = ajv.compile(TRAILER_SCHEMA);
  return { ajv, header, logHeader, trailer };
});
// Why: ajv's discriminator union validated ~10× slower than the branch alone (measured by npm run bench);
// valid values go through one branch validator per kind, compiled on first use in their own instance
// (the union embeds the same $ids); the union only runs on a failure, for the same first error.
const branches = lazy(() => new Ajv({ strict: true, allErrors: false }));

const recordUnion = lazy(() => core().ajv.compile(RECORD_UNION_SCHEMA) as ValidateFunction<CallRecord>);
const factUnion = lazy(() => core().ajv.compile(FACT_UNION_SCHEMA) as ValidateFunction<Fact>);
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
    cache.set(name, (v = branches().compile(schemas[name])));
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
  const v = core().header;
  return v(value) ? null : firstError(v.errors);
}

export function validateLogHeader(value: unknown): SchemaError | null {
  const v = core().logHeader;
  return v(value) ? null : firstError(v.errors);
}

export function validateTrailer(value: unknown): SchemaError | null {
  const v = core().trailer;
  return v(value) ? null : firstError(v.errors);
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
