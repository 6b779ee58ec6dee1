/** `pasid-ledger travel FILE`: an interactive debugger over a trace's positions (also scriptable through a pipe). */
import { createInterface } from 'node:readline';
import type { Command, CliIo } from './command.js';
import { EXIT, refuse } from './command.js';
import { parseArgs } from './args.js';
import { TravelSession, TRAVEL_HELP } from '../timetravel/session.js';
import { loadTrace, openIndex } from './traceFile.js';
import { DEFAULT_K } from '../timetravel/index.js';

const HELP = `usage: pasid-ledger travel FILE [--kernel VERSION] [--write-index]

Steps back and forth through the trace FILE and shows the model's state at any record.
Reads one command per line from stdin: on a terminal with a prompt, from a pipe
without one (one response per command), so sessions can be scripted.
FILE.idx (checkpoints every ${DEFAULT_K} records) is used when it matches FILE; --write-index
saves it for the next run.

${TRAVEL_HELP}

options:
  --kernel VERSION   use this kernel's rules instead of the header's
  --write-index      save FILE.idx after building it
  --quiet            no progress bar while the index is built (drawn on stderr only on a terminal)

exit status: 0 ok, 2 bad input or usage

examples:
  pasid-ledger travel capture.jsonl
  printf 'watch pasid 5\\ncontinue\\ndiff\\nquit\\n' | pasid-ledger travel capture.jsonl
`;

async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseArgs(argv, { '--kernel': 'string', '--write-index': 'bool', '--quiet': 'bool' }, 'travel');
  if (!parsed.ok) return refuse(io, 'travel', parsed.error.message);
  const { positional, flags } = parsed.value;
  if (positional.length !== 1 || positional[0] === '-') return refuse(io, 'travel', 'expected one FILE (stdin carries the commands); see `pasid-ledger travel --help`');
  const kernel = flags['--kernel'] as string | undefined;
  const trace = await loadTrace(positional[0], io, kernel);
  if (!trace.ok) return refuse(io, 'travel', trace.error.message);
  const { index } = openIndex(trace.value, { full: true, write: flags['--write-index'] === true, kernelOverride: kernel !== undefined, quiet: flags['--quiet'] === true }, io);
  const session = new TravelSession(index, trace.value.file);
  const tty = io.stdout.isTTY === true;
  const rl = createInterface({ input: io.stdin, output: tty ? io.stdout : undefined, terminal: tty });
  if (tty) {
    io.stdout.write(`${trace.value.file}: ${trace.value.entries.length} records, Linux ${index.profile.kernel}; type help\n${session.run('where').text}\n`);
    rl.setPrompt('travel> ');
    rl.prompt();
  }
  for await (const line of rl) {
    const r = session.run(line);
    if (r.text !== '') io.stdout.write(`${r.text}\n`);
    if (r.quit) break;
    if (tty) rl.prompt();
  }
  rl.close();
  return EXIT.OK;
}

export const travelCommand: Command = { name: 'travel', summary: 'step back and forth through a trace interactively', help: HELP, run };
