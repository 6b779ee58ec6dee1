/** The registry of subcommands: one import per file under src/cli. */
import type { Command } from './command.js';

export const COMMANDS: readonly Command[] = [];
