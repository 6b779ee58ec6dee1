/**
 * A running SHA-256 of a byte stream, readable at any point without ending it: the trailer of a
 * trace or log and the fingerprint of a trace for its time-travel index are both built on it. Pure
 * apart from node:crypto.
 */
import { createHash, type Hash } from 'node:crypto';

export class ContentDigest {
  #hash: Hash = createHash('sha256');
  #bytes = 0;

  /** Bytes hashed so far. */
  get bytes(): number {
    return this.#bytes;
  }

  update(data: Uint8Array | string): void {
    const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    this.#hash.update(buf);
    this.#bytes += buf.length;
  }

  /** The hex digest of what was hashed so far; hashing may go on afterwards. */
  hex(): string {
    return this.#hash.copy().digest('hex');
  }
}

/** The hex SHA-256 of one buffer or string. */
export function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}
