/** `pasid-ledger state FILE`: the projections (allocators, slots, bonds, domains, refcounts) at the end of a trace: the live objects, or all with --dead. */
import type { Command, CliIo } from './command.js';
import { EXIT, refuse } from './command.js';
import { intFlag, parseArgs } from './args.js';
import { openTrace } from './input.js';
import { runReplay } from '../audit/runReplay.js';
import { formatState } from '../projections/formatState.js';
import { stateView } from '../timetravel/live.js';
import type { StateView } from '../projections/view.js';
import { timelineIndexOf } from '../timetravel/timeline.js';
import { openTimeline } from './traceFile.js';

const HELP = `usage: pasid-ledger state FILE [--at SEQ] [--dead] [--json] [--kernel VERSION] [--write-index]

Replays the trace FILE (- for stdin) and prints the model's state: the allocator list
and outstanding IOASIDs per ID space, VT-d scalable mode and root tables, devices,
PASID slots (device x PASID -> domain), domains with their users and attachments,
SVA bonds and handles, mms and their PASIDs, global PASIDs.

Only live objects are listed: the freed domains and exited mms the model keeps to catch
their reuse are counted on a last line (\`not shown: 3 freed domains, 1 exited mm (--dead
lists them)\`; with --json, the field "notShown": {"domain": 3, "mm": 1}, {} when none).

options:
  --dead             list the dead objects too (freed domains, exited mms) among the
                     others: every object the model holds; no "not shown" line or field
  --at SEQ           the state right after record SEQ (time travel): the state of the
                     trace cut right after SEQ; 0 is the start. Uses FILE.idx when it
                     matches FILE: then only one checkpoint and the records after it are read
  --write-index      with --at: build FILE.idx first (one streaming pass: checkpoints, record
                     offsets, per-object record lists) for fast later seeks
  --quiet            no progress bar while the index is built (drawn on stderr only on a terminal)
  --json             print the state as JSON (sorted, byte-stable)
  --kernel VERSION   use this kernel's rules instead of the header's
  --from FORMAT      FILE is a raw capture: ftrace or bpftrace (imported on the fly)

examples:
  pasid-ledger state samples/clean-v6.8.jsonl
  pasid-ledger state --at 12 --json samples/buggy-v6.2.jsonl
  pasid-ledger state --dead samples/clean-v6.8.jsonl
  pasid-ledger state --at 40 --write-index big.jsonl && pasid-ledger state --at 900000 big.jsonl

exit status: 0 ok, 2 bad input or usage (e.g. an --at seq that is not in FILE)
`;

async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseArgs(argv, { '--json': 'bool', '--dead': 'bool', '--kernel': 'string', '--at': 'string', '--write-index': 'bool', '--from': 'string', '--quiet': 'bool' }, 'state');
  if (!parsed.ok) return refuse(io, 'state', parsed.error.message);
  const { positional, flags } = parsed.value;
  const at = intFlag(flags['--at'], '--at');
  if (!at.ok || positional.length !== 1) return refuse(io, 'state', `${at.ok ? 'expected one FILE' : at.error.message}; see \`pasid-ledger state --help\``);
  const kernel = flags['--kernel'] as string | undefined;
  const from = flags['--from'] as string | undefined;
  const dead = flags['--dead'] === true;
  let view: StateView;
  if (at.value !== undefined) {
    // Time travel: one checkpoint of FILE.idx and the records after it when it matches, else a replay from the start.
    const opened = await openTimeline(positional[0], io, { command: 'state', kernel, from, full: false, write: flags['--write-index'] === true, quiet: flags['--quiet'] === true });
    if (!opened.ok) return refuse(io, 'state', opened.error.message);
    const { timeline, file } = opened.value;
    const t = timelineIndexOf(timeline, at.value, '--at', file);
    if (!t.ok) return refuse(io, 'state', t.error.message);
    view = stateView(timeline.seek(t.value).replay.world, dead);
  } else {
    const input = openTrace(positional[0], io, { from, kernel });
    if ('code' in input) return refuse(io, 'state', input.message);
    const result = await runReplay(input.chunks, { file: input.file, kernel });
    if (!result.ok) return refuse(io, 'state', result.error.message);
    view = stateView(result.value.replay.world, dead);
  }
  io.stdout.write(flags['--json'] === true ? `${JSON.stringify(view, null, 2)}\n` : `${formatState(view)}\n`);
  return EXIT.OK;
}

export const stateCommand: Command = { name: 'state', summary: 'print the model state at the end of a trace (or --at SEQ)', help: HELP, run };
