/**
 * The JSON Schema of a batch result document (what `audit --json` writes for a batch and `merge`
 * reads), checked with ajv before anything is merged, so a hand-edited or truncated shard is an
 * error naming the field, never a crash in a renderer. Pure data and one validator, compiled on first use.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { RESULT_FORMAT } from './types.js';

const count = { type: 'integer', minimum: 0 } as const;
const counts = { type: 'object', additionalProperties: count } as const;
const objectValue = { type: ['string', 'number', 'boolean', 'null'] } as const;

const FINDING = {
  type: 'object',
  required: ['code', 'seq', 'line', 'fn', 'objects', 'reaction', 'severity', 'ref', 'message', 'rule', 'fix', 'atEnd'],
  properties: {
    code: { type: 'string', pattern: '^[A-Z][A-Z0-9_]*$' },
    seq: { type: ['integer', 'null'] },
    line: { type: ['integer', 'null'] },
    fn: { type: ['string', 'null'] },
    objects: { type: 'object', additionalProperties: objectValue },
    reaction: { enum: ['ERR', 'WARN', 'LOG', 'SILENT'] },
    severity: { enum: ['bug', 'misuse', 'info'] },
    ref: { type: 'string' },
    message: { type: 'string' },
    rule: { type: 'string' },
    fix: { type: 'string' },
    atEnd: { type: 'boolean' },
    maybeLostEvents: { type: 'boolean' },
    chain: {
      type: 'array',
      items: { type: 'object', required: ['seq', 'line', 'fn'], properties: { seq: { type: 'integer' }, line: { type: ['integer', 'null'] }, fn: { type: 'string' } } },
    },
  },
} as const;

const FILE_SUMMARY = {
  type: 'object',
  required: ['kernel', 'era', 'records', 'facts', 'findings', 'byCode', 'bySeverity', 'warnings'],
  properties: {
    kernel: { type: 'string' },
    era: { type: 'string' },
    records: count,
    facts: count,
    findings: count,
    byCode: counts,
    bySeverity: counts,
    warnings: { type: 'array', items: { type: 'string' } },
  },
} as const;

export const RESULT_SCHEMA = {
  type: 'object',
  required: ['format', 'version', 'shard', 'chains', 'files', 'summary'],
  properties: {
    format: { const: RESULT_FORMAT },
    version: { const: 1 },
    shard: { oneOf: [{ type: 'null' }, { type: 'object', required: ['index', 'count'], properties: { index: { type: 'integer', minimum: 1 }, count: { type: 'integer', minimum: 1 } } }] },
    chains: { type: 'boolean' },
    files: {
      type: 'array',
      items: {
        oneOf: [
          { type: 'object', required: ['file', 'ok', 'summary', 'findings'], properties: { file: { type: 'string' }, ok: { const: true }, summary: FILE_SUMMARY, findings: { type: 'array', items: FINDING } } },
          {
            type: 'object',
            required: ['file', 'ok', 'error'],
            properties: { file: { type: 'string' }, ok: { const: false }, error: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' } } } },
          },
        ],
      },
    },
    summary: { type: 'object' },
  },
} as const;

// Why on first use: compiled at load, every command's start-up paid for it (only merge asks).
let compiled: ValidateFunction | undefined;

/** null when the value is a result document; else the first problem as field and message. */
export function resultProblem(v: unknown): { field: string; message: string } | null {
  const validate = (compiled ??= new Ajv({ allErrors: false, strict: false }).compile(RESULT_SCHEMA));
  if (validate(v)) return null;
  const e = (validate.errors ?? [])[0] as ErrorObject | undefined;
  return { field: e?.instancePath || '(top)', message: e?.message ?? 'not a result document' };
}
