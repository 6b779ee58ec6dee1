/**
 * What a writer keeps to end its output with a trailer: the running SHA-256 of the bytes written
 * and the number of body lines (everything after the header). Pure apart from hashing.
 */
import { serializeTrailer } from '../../events/trailer.js';
import { ContentDigest } from '../io/digest.js';

export class TrailerHasher {
  readonly #digest = new ContentDigest();
  #lines = 0;

  /** Notes bytes as written: `lines` is how many complete lines they hold (header included). */
  wrote(bytes: Uint8Array | string, lines: number): void {
    this.#digest.update(bytes);
    this.#lines += lines;
  }

  /** Body lines so far (lines after the header). */
  get count(): number {
    return Math.max(0, this.#lines - 1);
  }

  /** The trailer line with its "\n", for the bytes noted so far. */
  trailerLine(): string {
    return `${serializeTrailer(this.count, this.#digest.hex())}\n`;
  }
}
