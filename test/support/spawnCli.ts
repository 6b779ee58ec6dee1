/**
 * Test support: the real CLI in a child process (signals, kill -9, pipes, mounts), built from the
 * current sources. dist/ is rebuilt when a source is newer, under a lock so parallel test files
 * build once.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BIN = join(ROOT, 'bin', 'pasid-ledger.js');
const BUILT = join(ROOT, 'dist', 'src', 'cli', 'main.js');

function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : e.name.endsWith('.ts') ? statSync(p).mtimeMs : 0);
  }
  return t;
}

const built = () => {
  try {
    return statSync(BUILT).mtimeMs;
  } catch {
    return 0;
  }
};

let checked = false;

/** Builds dist/ when a source file is newer than it (npm ci builds it; an edit since then would be missed). */
export function ensureBuilt(): void {
  if (checked) return;
  const sources = Math.max(...['src', 'machines', 'events', 'bench'].map((d) => newest(join(ROOT, d))));
  if (built() < sources) {
    const lock = join(ROOT, 'dist', '.build-lock');
    mkdirSync(join(ROOT, 'dist'), { recursive: true });
    for (let i = 0; ; i++) {
      try {
        mkdirSync(lock);
        break;
      } catch {
        if (i > 600) throw new Error(`${lock} held for 5 minutes; remove it`);
        execFileSync('sleep', ['0.5']);
      }
    }
    try {
      if (built() < sources) execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ROOT, 'tsconfig.build.json')], { stdio: 'inherit' });
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
  checked = true;
}

export interface Finished {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Starts the CLI; `done` resolves when it exits. */
export function start(args: readonly string[], options: { cwd?: string; stdin?: 'pipe' | 'ignore' } = {}): { child: ChildProcess; done: Promise<Finished> } {
  ensureBuilt();
  const child = spawn(process.execPath, [BIN, ...args], { cwd: options.cwd ?? ROOT, stdio: [options.stdin ?? 'ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<Finished>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, done };
}

/** Runs the CLI to its end. */
export function run(args: readonly string[], options: { cwd?: string } = {}): Promise<Finished> {
  return start(args, options).done;
}

/** Whether this process may mount file systems (root), for the disk-full and read-only tests. */
export const canMount = (): boolean => process.getuid?.() === 0 && process.platform === 'linux';
