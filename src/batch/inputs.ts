/**
 * The inputs of a batch audit: files as named, directories walked recursively (trace or capture
 * extensions; race scenario files are explore's, and a walk leaves them out), globs expanded (quoted in CI configs, so the shell did not). Sorted and deduplicated:
 * the order of every batch output. An input that names nothing is a failed entry, not a stop.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { isScenarioText } from '../explore/scenarioFile.js';
import { isAbsolute, join, normalize, relative, resolve, sep } from 'node:path';
import { globSync } from 'tinyglobby';
import type { FailedFile } from './types.js';

/** Extensions a directory walk takes, per input format (`--from`). */
export const EXTENSIONS: Readonly<Record<'trace' | 'ftrace' | 'bpftrace', readonly string[]>> = {
  trace: ['jsonl'],
  ftrace: ['txt', 'trace', 'log'],
  bpftrace: ['json', 'ndjson'],
};

export interface InputFile {
  /** Where to read it. */
  readonly path: string;
  /** The name in messages, reports and the shard hash: relative to the working directory when inside it, '/' separators. */
  readonly file: string;
}

export interface Expanded {
  readonly files: readonly InputFile[];
  /** Inputs that named nothing usable (a missing path, a glob or directory without a trace). */
  readonly failed: readonly FailedFile[];
}

const GLOB_CHARS = /[*?[\]{}]/;

/** The display name of a path: relative to cwd when inside it, normalized, with '/' separators. */
export function displayName(path: string, cwd = process.cwd()): string {
  const abs = resolve(cwd, path);
  const rel = relative(cwd, abs);
  const name = rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : normalize(abs);
  return sep === '/' ? name : name.split(sep).join('/');
}

/** The first line of a file (its first 4 KiB), or '' when it cannot be read (the audit then says why). */
function firstLine(path: string): string {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const buf = Buffer.alloc(4096);
    const n = readSync(fd, buf, 0, buf.length, 0);
    return buf.subarray(0, n).toString('utf8').split('\n', 1)[0] ?? '';
  } catch {
    return '';
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

const byName = (a: InputFile, b: InputFile) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0);

export function expandInputs(args: readonly string[], options: { from?: string; cwd?: string } = {}): Expanded {
  const cwd = options.cwd ?? process.cwd();
  const exts = EXTENSIONS[(options.from ?? 'trace') as keyof typeof EXTENSIONS] ?? EXTENSIONS.trace;
  const seen = new Map<string, InputFile>();
  const failed: FailedFile[] = [];
  const add = (path: string) => {
    const abs = resolve(cwd, path);
    if (!seen.has(abs)) seen.set(abs, { path: abs, file: displayName(abs, cwd) });
  };
  const fail = (arg: string, code: string, message: string) => failed.push({ file: displayName(arg, cwd), ok: false, error: { code, message } });
  for (const arg of args) {
    let st: ReturnType<typeof statSync> | undefined;
    try {
      st = statSync(resolve(cwd, arg));
    } catch (e) {
      st = undefined;
      if (!GLOB_CHARS.test(arg)) {
        fail(arg, 'INPUT_NOT_FOUND', `${arg}: cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)}); check the path`);
        continue;
      }
    }
    if (st?.isDirectory()) {
      const pattern = exts.length === 1 ? `**/*.${exts[0]}` : `**/*.{${exts.join(',')}}`;
      const found = globSync(pattern, { cwd: resolve(cwd, arg), onlyFiles: true, dot: false, expandDirectories: false });
      if (found.length === 0) fail(arg, 'INPUT_EMPTY', `${arg}: a directory without ${exts.map((x) => `*.${x}`).join(' or ')} files; name the files, or pass --from for raw captures`);
      // Why: a race scenario (explore's input, docs/explore.md) in a walked directory is not a trace to audit.
      for (const f of found) {
        const path = join(resolve(cwd, arg), f);
        if (options.from === undefined && isScenarioText(firstLine(path))) continue;
        add(path);
      }
    } else if (st !== undefined) add(arg);
    else {
      const found = globSync(arg, { cwd, onlyFiles: true, dot: false, expandDirectories: false, absolute: true });
      if (found.length === 0) fail(arg, 'INPUT_NOT_FOUND', `${arg}: the pattern matches no file; check the pattern (quote it so the shell does not expand it)`);
      for (const f of found) add(f);
    }
  }
  return { files: [...seen.values()].sort(byName), failed };
}
