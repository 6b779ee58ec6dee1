/** The registry of subcommands: one import per file under src/cli. */
import type { Command } from './command.js';
import { validateCommand } from './validate.js';
import { repairCommand } from './repair.js';
import { importCommand } from './import.js';

export const COMMANDS: readonly Command[] = [validateCommand, repairCommand, importCommand];
