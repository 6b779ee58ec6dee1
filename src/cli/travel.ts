/** `pasid-ledger travel FILE`: an interactive debugger over a trace's positions (also scriptable through a pipe). */
import { createInterface } from 'node:readline';
import type { Command, CliIo } from './command.js';
import { EXIT, refuse } from './command.js';
import { parseArgs } from './args.js';
import { TravelSession, TRAVEL_HELP } from '../timetravel/session.js';
import { openTimeline } from './traceFile.js';
import { openProgress, type Progress } from './progress.js';

const HELP = `usage: pasid-ledger travel FILE [--kernel VERSION] [--write-index]

Steps back and forth through the trace FILE and shows the model's state at any record.
Reads one command per line from stdin: on a terminal with a prompt, from a pipe
without one (one response per command), so sessions can be scripted.
FILE.idx is used when it matches FILE: travel then starts at once and each move reads one
checkpoint and the records after it; --write-index builds it first (one streaming pass).
Each move prints its record and a summary of what changed; \`state\` prints the whole state.

${TRAVEL_HELP}

options:
  --kernel VERSION   use this kernel's rules instead of the header's
  --write-index      build FILE.idx first
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
  const quiet = flags['--quiet'] === true;
  const opened = await openTimeline(positional[0], io, { command: 'travel', kernel, full: true, write: flags['--write-index'] === true, quiet });
  if (!opened.ok) return refuse(io, 'travel', opened.error.message);
  const { timeline: index, file } = opened.value;
  // A long step or continue draws a bar on a terminal's stderr (never on a pipe).
  let bar: Progress | null = null;
  const session = new TravelSession(index, file, {
    onProgress: (done, total) => {
      bar ??= openProgress(io, { label: 'stepping', total, unit: 'records', quiet });
      bar.update(done, done);
    },
    onProgressEnd: () => {
      bar?.stop();
      bar = null;
    },
  });
  const tty = io.stdout.isTTY === true;
  const rl = createInterface({ input: io.stdin, output: tty ? io.stdout : undefined, terminal: tty });
  if (tty) {
    io.stdout.write(`${file}: ${index.length} records, Linux ${index.profile.kernel}; type help\n${session.run('where').text}\n`);
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
