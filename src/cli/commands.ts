/** The registry of subcommands: one import per file under src/cli. */
import type { Command } from './command.js';
import { importCommand } from './import.js';

export const COMMANDS: readonly Command[] = [importCommand];
