/** `pasid-ledger state FILE`: the projections (allocators, slots, bonds, domains, refcounts) at the end of a trace. */
import type { Command, CliIo } from './command.js';
import { EXIT } from './command.js';
import { intFlag, parseArgs } from './args.js';
import { openTrace } from './input.js';
import { runReplay } from '../audit/runReplay.js';
import { projectWorld } from '../projections/projectWorld.js';
import { formatState } from '../projections/formatState.js';

const HELP = `usage: pasid-ledger state FILE [--at SEQ] [--json] [--kernel VERSION]

Replays the trace FILE (- for stdin) and prints the model's state: the allocator list
and outstanding IOASIDs per ID space, VT-d scalable mode and root tables, devices,
PASID slots (device x PASID -> domain), domains with their users and attachments,
SVA bonds and handles, mms and their PASIDs, global PASIDs.

options:
  --at SEQ           the state right after record SEQ (time travel)
  --json             print the state as JSON (sorted, byte-stable)
  --kernel VERSION   use this kernel's rules instead of the header's
  --from FORMAT      FILE is a raw capture: ftrace or bpftrace (imported on the fly)

examples:
  pasid-ledger state samples/clean-v6.8.jsonl
  pasid-ledger state --at 12 --json samples/buggy-v6.2.jsonl
`;

async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseArgs(argv, { '--json': 'bool', '--kernel': 'string', '--at': 'string', '--from': 'string' }, 'state');
  if (!parsed.ok) {
    io.stderr.write(`pasid-ledger state: ${parsed.error.message}\n`);
    return EXIT.USAGE;
  }
  const { positional, flags } = parsed.value;
  const at = intFlag(flags['--at'], '--at');
  if (!at.ok || positional.length !== 1) {
    io.stderr.write(`pasid-ledger state: ${at.ok ? 'expected one FILE' : at.error.message}; see \`pasid-ledger state --help\`\n`);
    return EXIT.USAGE;
  }
  const input = openTrace(positional[0], io, { from: flags['--from'] as string | undefined, kernel: flags['--kernel'] as string | undefined });
  if ('code' in input) {
    io.stderr.write(`pasid-ledger state: ${input.message}\n`);
    return EXIT.USAGE;
  }
  const result = await runReplay(input.items, { file: input.file, kernel: flags['--kernel'] as string | undefined, untilSeq: at.value });
  if (!result.ok) {
    io.stderr.write(`pasid-ledger state: ${result.error.message}\n`);
    return EXIT.USAGE;
  }
  const view = projectWorld(result.value.replay.world);
  io.stdout.write(flags['--json'] === true ? `${JSON.stringify(view, null, 2)}\n` : `${formatState(view)}\n`);
  return EXIT.OK;
}

export const stateCommand: Command = { name: 'state', summary: 'print the model state at the end of a trace (or --at SEQ)', help: HELP, run };
