/** The registry of subcommands: one import per file under src/cli. */
import type { Command } from './command.js';
import { validateCommand } from './validate.js';
import { repairCommand } from './repair.js';
import { auditCommand } from './audit.js';
import { stateCommand } from './state.js';
import { replayCommand } from './replay.js';
import { importCommand } from './import.js';
import { exploreCommand } from './explore.js';
import { generateCommand } from './generate.js';
import { diffCommand } from './diff.js';
import { historyCommand } from './history.js';
import { whatifCommand } from './whatif.js';
import { travelCommand } from './travel.js';
import { mergeCommand } from './merge.js';
import { minimizeCommand } from './minimize.js';
import { exportCommand } from './export.js';
import { reportCommand } from './report.js';
import { compareCommand } from './compare.js';

export const COMMANDS: readonly Command[] = [
  auditCommand, stateCommand, diffCommand, historyCommand, whatifCommand, travelCommand, compareCommand,
  replayCommand, importCommand, exploreCommand, validateCommand, repairCommand, generateCommand, mergeCommand,
  minimizeCommand, exportCommand, reportCommand,
];
