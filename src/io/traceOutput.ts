/**
 * A trace, log or index being written as lines, ending with the trailer (events/trailer.ts) once it
 * is complete. Into a file through AtomicOutput (a temporary file renamed over the target on
 * finish, so a failure or a kill leaves the target as it was), or onto a stream (stdout), where the
 * trailer is what tells a complete output from a cut one. Lines are batched (about 1 MB a write).
 */
import type { Writable } from 'node:stream';
import { once } from 'node:events';
import { type Result, ok, err, type LedgerError } from '../core/result.js';
import { TrailerHasher } from '../log/trailerHasher.js';
import { AtomicOutput, type OutputOptions } from './output.js';

const BATCH = 1 << 20;

export class TraceOutput {
  readonly #file: AtomicOutput | null;
  readonly #stream: Writable | null;
  readonly #hasher = new TrailerHasher();
  #batch = '';
  #batchLines = 0;
  #failed: LedgerError | null = null;
  #pushed = 0;
  /** The stream asked to wait (write returned false). */
  #full = false;

  private constructor(file: AtomicOutput | null, stream: Writable | null) {
    this.#file = file;
    this.#stream = stream;
  }

  /** A file output: refused (an error value) when the target exists without force, is an input, or cannot be created. */
  static toFile(path: string, options: OutputOptions = {}): Result<TraceOutput> {
    const out = AtomicOutput.open(path, options);
    return out.ok ? ok(new TraceOutput(out.value, null)) : out;
  }

  static toStream(stream: Writable): TraceOutput {
    return new TraceOutput(null, stream);
  }

  /** The path written (null for a stream). */
  get path(): string | null {
    return this.#file?.path ?? null;
  }

  /** Body lines so far (lines after the header). */
  get count(): number {
    return Math.max(0, this.#pushed - 1);
  }

  /** Adds one line (without its "\n"). A write error is returned, and every later call returns it too. */
  push(line: string): Result<void> {
    if (this.#failed) return err(this.#failed);
    this.#batch += `${line}\n`;
    this.#batchLines++;
    this.#pushed++;
    return this.#batch.length >= BATCH ? this.#flush() : ok(undefined);
  }

  /** A stream output asked to wait: call drained() before pushing more. */
  get waiting(): boolean {
    return this.#full;
  }

  /** Resolves when a stream output can take more (backpressure); at once for a file. */
  async drained(): Promise<void> {
    if (this.#stream !== null && this.#full) {
      this.#full = false;
      await once(this.#stream, 'drain');
    }
  }

  /** Writes what is batched, then the trailer; a file output is renamed into place. */
  async finish(): Promise<Result<void>> {
    const flushed = this.#flush();
    if (!flushed.ok) return flushed;
    const trailer = this.#hasher.trailerLine();
    if (this.#file !== null) {
      const w = this.#file.write(trailer);
      return w.ok ? this.#file.commit() : w;
    }
    const stream = this.#stream as Writable;
    if (!stream.write(trailer)) await once(stream, 'drain');
    return ok(undefined);
  }

  /** Gives up: a file output's temporary file is removed and the target keeps what it had. */
  abort(): void {
    this.#file?.abort();
  }

  #flush(): Result<void> {
    if (this.#failed) return err(this.#failed);
    if (this.#batch.length === 0) return ok(undefined);
    const text = this.#batch;
    const lines = this.#batchLines;
    this.#batch = '';
    this.#batchLines = 0;
    if (this.#file !== null) {
      const bytes = Buffer.from(text, 'utf8');
      const w = this.#file.write(bytes);
      if (!w.ok) {
        this.#failed = w.error;
        return w;
      }
      this.#hasher.wrote(bytes, lines);
      return ok(undefined);
    }
    this.#hasher.wrote(text, lines);
    if (!(this.#stream as Writable).write(text)) this.#full = true;
    return ok(undefined);
  }
}
