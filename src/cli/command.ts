/** The shape of a CLI subcommand: one file per command under src/cli, registered in commands.ts. */
import type { Writable } from 'node:stream';

export interface CliIo {
  readonly stdout: Writable & { isTTY?: boolean };
  readonly stderr: Writable & { isTTY?: boolean };
  readonly stdin: NodeJS.ReadableStream;
  readonly env: NodeJS.ProcessEnv;
}

export interface Command {
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  /** Full `--help` text. */
  readonly help: string;
  /** Runs the command; resolves to the exit code (0 ok, 1 findings/violations, 2 bad input or usage). */
  run(argv: readonly string[], io: CliIo): Promise<number>;
}

/** Exit codes shared by every command. */
export const EXIT = { OK: 0, FINDINGS: 1, USAGE: 2 } as const;

/** Says what is wrong with the input or usage on stderr (`pasid-ledger CMD: …`) and gives exit 2. */
export function refuse(io: CliIo, command: string, message: string): number {
  io.stderr.write(`pasid-ledger ${command}: ${message}\n`);
  return EXIT.USAGE;
}
