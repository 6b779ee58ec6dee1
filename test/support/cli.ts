/** Test support: run a pasid-ledger command in-process with captured output. */
import { Readable, Writable } from 'node:stream';
import { runCli } from '../../src/cli/main.js';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

class Sink extends Writable {
  text = '';
  constructor(readonly isTTY = false) {
    super();
  }
  override _write(chunk: Buffer | string, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

export async function cli(argv: readonly string[], options: { stdin?: string; tty?: boolean; env?: NodeJS.ProcessEnv } = {}): Promise<CliRun> {
  const stdout = new Sink(options.tty ?? false);
  const stderr = new Sink();
  const stdin = Readable.from(options.stdin === undefined ? [] : [Buffer.from(options.stdin)]);
  const code = await runCli(argv, { stdout, stderr, stdin, env: options.env ?? {} });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

export const sample = (name: string) => new URL(`../../samples/${name}`, import.meta.url).pathname;
