/** Entry point of the `pasid-ledger` bin: dispatches to one command and sets the exit code. */
import { COMMANDS } from './commands.js';
import { EXIT, type CliIo } from './command.js';
import { toolVersion } from './version.js';

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

export async function main(argv: readonly string[]): Promise<void> {
  const io: CliIo = { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env };
  try {
    process.exitCode = await runCli(argv, io);
  } catch (e) {
    // Why: a throw here is a bug in pasid-ledger, not bad input; say so and exit 2 with the stack.
    process.stderr.write(`pasid-ledger: internal error (please report): ${(e as Error).stack ?? String(e)}\n`);
    process.exitCode = EXIT.USAGE;
  }
}
