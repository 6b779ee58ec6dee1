/** Runs a pasid-ledger command with a fake io: stdin from lines, stdout and stderr collected. */
import { Readable, Writable } from 'node:stream';
import { runCli } from '../../src/cli/main.js';
import type { CliIo } from '../../src/cli/command.js';

function sink(): Writable & { text: string } {
  const w = new Writable({
    write(chunk: Buffer, _enc, cb) {
      w.text += chunk.toString();
      cb();
    },
  }) as Writable & { text: string };
  w.text = '';
  return w;
}

export async function cli(argv: string[], stdinLines: readonly string[] = []) {
  const stdout = sink();
  const stderr = sink();
  const io: CliIo = { stdout, stderr, stdin: Readable.from(stdinLines.map((l) => `${l}\n`)), env: {} };
  const code = await runCli(argv, io);
  return { code, stdout: stdout.text, stderr: stderr.text };
}
