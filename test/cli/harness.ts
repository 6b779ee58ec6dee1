/** Runs a pasid-ledger command with stdin given as lines (the travel prompt's scripts). */
import { cli as run } from '../support/cli.js';

export const cli = (argv: string[], stdinLines: readonly string[] = []) => run(argv, { stdin: stdinLines.map((l) => `${l}\n`).join('') });
