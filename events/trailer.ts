/**
 * The trailer: the last line of a complete trace or derived-event log (and of a time-travel index),
 * written by pasid-ledger when it finished the output. It says how many body lines came before it
 * (records, facts, or index lines after the header) and the SHA-256 of every byte before the
 * trailer line, so a cut-short or changed file cannot pass for a complete one. Files without a
 * trailer (hand-written ones) are read as before; `validate` says they carry none. Pure data.
 */

export const TRAILER_TYPE = 'trailer' as const;

export interface Trailer {
  readonly type: typeof TRAILER_TYPE;
  /** Lines between the header and the trailer: records of a trace, facts of a log. */
  readonly count: number;
  /** Lowercase hex SHA-256 of the file's bytes before the trailer line (header and body, with their "\n"). */
  readonly sha256: string;
}

export const TRAILER_SCHEMA = {
  $id: 'pasid-ledger/trailer',
  type: 'object',
  additionalProperties: false,
  required: ['type', 'count', 'sha256'],
  properties: {
    type: { const: TRAILER_TYPE },
    count: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
    sha256: { type: 'string', pattern: '^[0-9a-f]{64}$' },
  },
} as const;

/** The trailer line (without its "\n"); keys in this order, no spaces. */
export function serializeTrailer(count: number, sha256: string): string {
  return `{"type":"${TRAILER_TYPE}","count":${count},"sha256":"${sha256}"}`;
}
