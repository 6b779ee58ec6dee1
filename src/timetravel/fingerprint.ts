/**
 * What ties a time-travel index to the trace it was built from, and what tells a whole index from a
 * damaged one. Reusable by any index format (the binary sidecar, sidecar.ts, checks its own checksum):
 *
 * - The trace fingerprint is its size and the SHA-256 of every byte, hashed while the trace is read
 *   anyway (the reader's ReadSummary), so any edit, even one that keeps the size, shows (F12).
 * - The index checksum is a trailer after the index lines (events/trailer.ts): their count and the
 *   SHA-256 of every byte before it, checked before a single line is parsed (F11).
 *
 * Pure apart from hashing; `fingerprintFile` is the one function that reads a file.
 */
import { createReadStream } from 'node:fs';
import { TRAILER_TYPE, type Trailer } from '../../events/trailer.js';
import { validateTrailer } from '../../events/validate.js';
import { ContentDigest } from '../io/digest.js';
import type { ReadSummary } from '../log/readItem.js';
import { TrailerHasher } from '../log/trailerHasher.js';

export interface TraceFingerprint {
  readonly size: number;
  readonly sha256: string;
}

/** The fingerprint of a trace the reader read to its end. */
export function fingerprintOf(summary: ReadSummary): TraceFingerprint {
  return { size: summary.bytes, sha256: summary.sha256 };
}

/** Streams a file through SHA-256 (when its content was not read otherwise). */
export async function fingerprintFile(path: string): Promise<TraceFingerprint> {
  const digest = new ContentDigest();
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) digest.update(chunk as Buffer);
  return { size: digest.bytes, sha256: digest.hex() };
}

/** Why a recorded fingerprint does not match the trace's, or undefined when it does. */
export function fingerprintMismatch(recorded: unknown, actual: TraceFingerprint): string | undefined {
  const r = recorded as Partial<TraceFingerprint> | null;
  if (r === null || typeof r !== 'object' || typeof r.size !== 'number' || typeof r.sha256 !== 'string') return 'the index names no trace fingerprint';
  if (r.size !== actual.size) return `the trace changed since the index was written (${r.size} bytes then, ${actual.size} now)`;
  if (r.sha256 !== actual.sha256) return 'the trace changed since the index was written (same size, different content)';
  return undefined;
}

/** Appends the checksum trailer to index lines as they are produced. */
export function* withChecksum(lines: Iterable<string>): Generator<string> {
  const hasher = new TrailerHasher();
  for (const line of lines) {
    hasher.wrote(`${line}\n`, 1);
    yield line;
  }
  yield hasher.trailerLine().slice(0, -1);
}

/** Lines hashed per update: one call per line would cost more than the hash. */
const HASH_BATCH = 4096;

/**
 * Checks the checksum trailer of index lines (each without its "\n", the trailer last): undefined
 * when the lines before it are exactly those that were written, else what is wrong.
 */
export function checksumProblem(lines: readonly string[]): string | undefined {
  if (lines.length < 2) return 'the index has no checksum (cut short, or not written by this version)';
  let trailer: Trailer;
  try {
    const v = JSON.parse(lines[lines.length - 1]) as unknown;
    if ((v as { type?: unknown } | null)?.type !== TRAILER_TYPE || validateTrailer(v) !== null) return 'the index has no checksum (cut short, or not written by this version)';
    trailer = v as Trailer;
  } catch {
    return 'the index has no checksum (cut short, or not written by this version)';
  }
  const body = lines.length - 1;
  if (trailer.count !== body - 1) return `the index holds ${body - 1} lines after its header but its checksum counts ${trailer.count}`;
  const digest = new ContentDigest();
  for (let i = 0; i < body; i += HASH_BATCH) digest.update(`${lines.slice(i, Math.min(body, i + HASH_BATCH)).join('\n')}\n`);
  if (digest.hex() !== trailer.sha256) return 'the index content does not match its checksum (damaged or edited)';
  return undefined;
}
