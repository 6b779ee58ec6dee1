/** `pasid-ledger repair FILE`: truncates a torn last line, refusing any other damage. */
import type { Command, CliIo } from './command.js';
import { EXIT, refuse } from './command.js';
import { parseArgs } from './args.js';
import { repairFile } from '../log/repair.js';

const HELP = `usage: pasid-ledger repair FILE [--dry-run] [--kind trace|log]

Truncates a torn tail: a last line with no final newline that does not parse or
validate, as a crash in the middle of a write leaves it. Every record before it
is kept. Any other damage (a bad line before the tail) is refused with exit 2
and the first error; fix that by hand or re-capture.
Stop any writer of FILE first.

options:
  --dry-run   say what would be cut, change nothing
  --kind K    trace (default) or log

exit status: 0 repaired or nothing to repair, 2 refused, unreadable or bad usage

examples:
  pasid-ledger repair capture.jsonl --dry-run
  pasid-ledger repair capture.jsonl && pasid-ledger validate capture.jsonl
`;

async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseArgs(argv, { '--dry-run': 'bool', '--kind': 'string' }, 'repair');
  if (!parsed.ok) return refuse(io, 'repair', parsed.error.message);
  const { positional, flags } = parsed.value;
  const kind = flags['--kind'] ?? 'trace';
  if (positional.length !== 1 || positional[0] === '-' || (kind !== 'trace' && kind !== 'log')) return refuse(io, 'repair', 'expected one FILE (not stdin) and --kind trace|log; see `pasid-ledger repair --help`');
  const path = positional[0];
  const dryRun = flags['--dry-run'] === true;
  const result = await repairFile(path, { kind, dryRun });
  if (!result.ok) {
    io.stderr.write(`error: ${result.error.message}\nrepair refused: only a torn last line can be repaired; ${path} is left unchanged\n`);
    return EXIT.USAGE;
  }
  const { torn, size, kept } = result.value;
  if (!torn) io.stdout.write(`${path}: no torn tail, nothing to repair (${kept} records)\n`);
  else io.stdout.write(`${path}: ${dryRun ? 'would truncate' : 'truncated'} the torn tail at line ${torn.line}, byte offset ${size}; ${kept} records kept\n`);
  return EXIT.OK;
}

export const repairCommand: Command = {
  name: 'repair',
  summary: 'truncate a torn last line of a trace or log',
  help: HELP,
  run,
};
