/**
 * The one way the tool writes a file a user named (`-o`, `--out`, `--emit`, reports, exports,
 * indexes): into a temporary file beside the target, renamed over it only when the output is
 * complete. A failure leaves the target as it was; the tool never truncates or removes a file it
 * did not create. Errors are values with a stable code and a message naming the path and the fix.
 */
import { closeSync, fsyncSync, lstatSync, openSync, realpathSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { ledgerError, type LedgerError, type Result, err, ok } from '../core/result.js';

export interface OutputOptions {
  /** Replace an existing file (default: refuse, OUTPUT_EXISTS). */
  readonly force?: boolean;
  /** Paths the command reads: the output may be none of them (OUTPUT_IS_INPUT). */
  readonly inputs?: readonly string[];
  /** fsync the file before the rename (default true: a crash after the rename keeps the content). */
  readonly fsync?: boolean;
}

/** Output error codes (stable). */
export const OUTPUT_CODES = {
  OUTPUT_EXISTS: 'OUTPUT_EXISTS',
  OUTPUT_IS_INPUT: 'OUTPUT_IS_INPUT',
  OUTPUT_NOT_REGULAR: 'OUTPUT_NOT_REGULAR',
  OUTPUT_IO: 'OUTPUT_IO',
} as const;

/** The fix for an errno of the file system, in words a user can act on. */
export function ioFix(code: string | undefined, path: string): string {
  switch (code) {
    case 'ENOSPC':
      return `the file system of ${dirname(path)} is full; free space or write elsewhere`;
    case 'EROFS':
      return `${dirname(path)} is on a read-only file system; write elsewhere`;
    case 'EACCES':
    case 'EPERM':
      return `no permission to write in ${dirname(path)}; choose a directory you can write to`;
    case 'EISDIR':
      return `${path} is a directory; name a file`;
    case 'ENOENT':
      return `the directory ${dirname(path)} does not exist; create it first`;
    case 'ENOTDIR':
      return `a component of ${dirname(path)} is not a directory`;
    case 'EDQUOT':
      return `the disk quota is exceeded; free space or write elsewhere`;
    default:
      return 'check the path and the file system';
  }
}

/** The fix for an errno met while reading an input. */
export function readFix(code: string | undefined, path: string): string {
  switch (code) {
    case 'ENOENT':
      return `${path} does not exist; check the path`;
    case 'EISDIR':
      return `${path} is a directory; name a file inside it`;
    case 'EACCES':
    case 'EPERM':
      return `no permission to read ${path}`;
    case 'ENOTDIR':
      return `a component of ${dirname(path)} is not a directory`;
    case 'EIO':
      return 'the device reported an I/O error; copy what can be read and check the disk';
    default:
      return 'check the path and permissions';
  }
}

export function ioError(path: string, e: unknown, doing: string): LedgerError {
  const code = (e as NodeJS.ErrnoException)?.code;
  return ledgerError(OUTPUT_CODES.OUTPUT_IO, `cannot ${doing} (${code ?? String(e)})`, { file: path, fix: ioFix(code, path) });
}

function sameFile(a: string, b: string): boolean {
  if (resolve(a) === resolve(b)) return true;
  try {
    const sa = statSync(a);
    const sb = statSync(b);
    return sa.dev === sb.dev && sa.ino === sb.ino;
  } catch {
    return false;
  }
}

/** Checks a target before anything is written: not an input, not a non-regular file, not existing unless forced. */
export function checkOutput(path: string, options: OutputOptions = {}): Result<void> {
  for (const input of options.inputs ?? []) {
    if (input !== '-' && sameFile(path, input)) {
      return err(ledgerError(OUTPUT_CODES.OUTPUT_IS_INPUT, 'the output is one of the inputs', { file: path, fix: 'write the output to another path' }));
    }
  }
  let st;
  try {
    st = lstatSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return ok(undefined);
    return err(ioError(path, e, 'check the output path'));
  }
  if (st.isDirectory()) return err(ledgerError(OUTPUT_CODES.OUTPUT_NOT_REGULAR, 'the output is a directory', { file: path, fix: 'name a file inside it' }));
  if (!st.isFile() && !st.isSymbolicLink()) {
    return err(ledgerError(OUTPUT_CODES.OUTPUT_NOT_REGULAR, 'the output exists and is not a regular file', { file: path, fix: 'name a regular file' }));
  }
  if (!options.force) return err(ledgerError(OUTPUT_CODES.OUTPUT_EXISTS, 'the output exists', { file: path, fix: 'pass --force to replace it, or name another file' }));
  return ok(undefined);
}

/** Outputs still being written: their temporary files are removed if the process exits first. */
const unfinished = new Set<AtomicOutput>();
let exitHookInstalled = false;

function track(out: AtomicOutput): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    // Why: an exit on a closed pipe or a signal must not leave temporary files behind (kill -9 can; they are dot files).
    process.once('exit', () => {
      for (const o of unfinished) o.abort();
    });
  }
  unfinished.add(out);
}

/**
 * A file being written: `write` appends, `commit` renames it over the target, `abort` removes the
 * temporary file (never the target). Writes are synchronous, so errors come back as values here.
 */
export class AtomicOutput {
  readonly path: string;
  readonly tmp: string;
  #fd: number | null;
  #bytes = 0;
  #failed: LedgerError | null = null;
  readonly #fsync: boolean;

  private constructor(path: string, tmp: string, fd: number, fsync: boolean) {
    this.path = path;
    this.tmp = tmp;
    this.#fd = fd;
    this.#fsync = fsync;
  }

  /** Opens a temporary file beside `path` (same directory, so the rename stays on one file system). */
  static open(path: string, options: OutputOptions = {}): Result<AtomicOutput> {
    const checked = checkOutput(path, options);
    if (!checked.ok) return checked;
    // Why: a symlink target is replaced as the link's file, as `mv` would, never followed into another directory.
    let dir = dirname(path);
    try {
      dir = realpathSync(dir);
    } catch (e) {
      return err(ioError(path, e, 'open the output directory'));
    }
    const tmp = join(dir, `.${basename(path)}.${process.pid}.${Date.now().toString(36)}.tmp`);
    try {
      const fd = openSync(tmp, 'wx', 0o644);
      const out = new AtomicOutput(path, tmp, fd, options.fsync ?? true);
      track(out);
      return ok(out);
    } catch (e) {
      return err(ioError(path, e, 'create a temporary file for the output'));
    }
  }

  get bytes(): number {
    return this.#bytes;
  }

  get error(): LedgerError | null {
    return this.#failed;
  }

  write(text: string | Uint8Array): Result<void> {
    if (this.#failed) return err(this.#failed);
    if (this.#fd === null) return err(ledgerError(OUTPUT_CODES.OUTPUT_IO, 'write after close', { file: this.path }));
    const buf = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
    try {
      let off = 0;
      while (off < buf.length) off += writeSync(this.#fd, buf, off, buf.length - off);
      this.#bytes += buf.length;
      return ok(undefined);
    } catch (e) {
      this.#failed = ioError(this.path, e, 'write the output');
      this.abort();
      return err(this.#failed);
    }
  }

  /** Makes the output visible under its name; on failure the target is untouched and the temporary file removed. */
  commit(): Result<void> {
    if (this.#failed) return err(this.#failed);
    if (this.#fd === null) return err(ledgerError(OUTPUT_CODES.OUTPUT_IO, 'commit after close', { file: this.path }));
    try {
      if (this.#fsync) fsyncSync(this.#fd);
      closeSync(this.#fd);
      this.#fd = null;
      renameSync(this.tmp, this.path);
      unfinished.delete(this);
      return ok(undefined);
    } catch (e) {
      this.#failed = ioError(this.path, e, 'finish the output');
      this.abort();
      return err(this.#failed);
    }
  }

  /** Drops the temporary file; the target keeps whatever it had. Safe to call twice. */
  abort(): void {
    unfinished.delete(this);
    if (this.#fd !== null) {
      try {
        closeSync(this.#fd);
      } catch {
        /* already failing; the temporary file is removed below */
      }
      this.#fd = null;
    }
    try {
      unlinkSync(this.tmp);
    } catch {
      /* gone already */
    }
  }
}

/** Writes a whole text or byte buffer atomically. */
export function writeOutput(path: string, content: string | Uint8Array, options: OutputOptions = {}): Result<void> {
  const out = AtomicOutput.open(path, options);
  if (!out.ok) return out;
  const w = out.value.write(content);
  if (!w.ok) return w;
  return out.value.commit();
}
