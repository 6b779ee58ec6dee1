/** Entry point of the `pasid-ledger` bin: dispatches to one command and sets the exit code. */
import { COMMANDS } from './commands.js';
import { EXIT, type CliIo } from './command.js';
import { toolVersion } from './version.js';
import { boundHeapGrowth } from '../io/heap.js';

function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length), 8);
  return [
    'pasid-ledger: replay, audit, time-travel and race-explore Linux IOMMU PASID lifecycle traces',
    '',
    'usage: pasid-ledger <command> [options]',
    '',
    'commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `pasid-ledger <command> --help` for the options of one command; `pasid-ledger --version` for the version.',
  ].join('\n');
}

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(usage() + '\n');
    return name === undefined ? EXIT.USAGE : EXIT.OK;
  }
  if (name === '--version' || name === '-V' || name === 'version') {
    io.stdout.write(`pasid-ledger ${toolVersion()}\n`);
    return EXIT.OK;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.stderr.write(`pasid-ledger: unknown command "${name}"\n\n${usage()}\n`);
    return EXIT.USAGE;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(command.help.trimEnd() + '\n');
    return EXIT.OK;
  }
  return command.run(rest, io);
}

/** The exit status of a process killed by SIGPIPE, as a shell reports `seq 1 1000000 | head -1`'s seq. */
export const EXIT_SIGPIPE = 128 + 13;

/**
 * A reader that went away (`| head -1`) ends the command quietly with the status other Unix tools
 * get from SIGPIPE (Node ignores the signal and reports EPIPE instead), and a signal ends it with
 * 128 + its number; either way unfinished outputs are removed ('exit' hook of src/io/output.ts).
 */
function installProcessHandlers(): void {
  const onError = (stream: NodeJS.WriteStream) => (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(EXIT_SIGPIPE);
    // Anything else on stdout/stderr cannot be reported there either: end with the usage/input status.
    if (stream === process.stdout) process.stderr.write(`pasid-ledger: cannot write to stdout (${e.code ?? e.message})\n`);
    process.exit(EXIT.USAGE);
  };
  process.stdout.on('error', onError(process.stdout));
  process.stderr.on('error', onError(process.stderr));
  for (const [signal, n] of [['SIGTERM', 15], ['SIGHUP', 1], ['SIGINT', 2]] as const) {
    process.on(signal, () => {
      // Why: a live audit handles the first Ctrl-C itself (its summary still prints); any other, or a second one, ends the process.
      if (process.listenerCount(signal) > 1) return;
      process.exit(128 + n);
    });
  }
}

export async function main(argv: readonly string[]): Promise<void> {
  installProcessHandlers();
  boundHeapGrowth(process.env);
  const io: CliIo = { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env };
  try {
    process.exitCode = await runCli(argv, io);
  } catch (e) {
    // Why: a throw here is a bug in pasid-ledger, not bad input; say so and exit 2 with the stack.
    process.stderr.write(`pasid-ledger: internal error (please report): ${(e as Error).stack ?? String(e)}\n`);
    process.exitCode = EXIT.USAGE;
  }
}
