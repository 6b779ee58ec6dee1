/** `pasid-ledger replay FILE --out LOG`: write the derived event log (the facts) of a trace. */
import { existsSync } from 'node:fs';
import type { Command, CliIo } from './command.js';
import { EXIT, refuse } from './command.js';
import { parseArgs } from './args.js';
import { openTrace } from './input.js';
import { runReplay } from '../audit/runReplay.js';
import { TraceWriter } from '../log/writer.js';
import { LOG_FORMAT, LOG_FORMAT_VERSION } from '../../events/facts.js';

const HELP = `usage: pasid-ledger replay FILE --out LOG [--kernel VERSION] [--fsync]

Replays the trace FILE (- for stdin) and writes the derived event log: a header line,
then one fact per line (IoasidAllocated, PasidAttached, SvaBound, ...), each with the
seq of the call record it follows from. Every fact is validated before it is written.
Read it back with \`pasid-ledger validate --kind log LOG\`.

options:
  --out LOG          where to write the log (must not exist)
  --kernel VERSION   use this kernel's rules instead of the header's
  --from FORMAT      FILE is a raw capture: ftrace or bpftrace (imported on the fly)
  --fsync            fsync after every fact

example:
  pasid-ledger replay samples/clean-v6.8.jsonl --out /tmp/clean.log.jsonl
`;

async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseArgs(argv, { '--out': 'string', '--kernel': 'string', '--fsync': 'bool', '--from': 'string' }, 'replay');
  if (!parsed.ok) return refuse(io, 'replay', parsed.error.message);
  const { positional, flags } = parsed.value;
  const out = flags['--out'];
  if (positional.length !== 1 || typeof out !== 'string') return refuse(io, 'replay', 'expected FILE and --out LOG; see `pasid-ledger replay --help`');
  if (existsSync(out)) return refuse(io, 'replay', `${out} exists; the log is append-only and never overwritten: remove it or pick another --out`);
  const input = openTrace(positional[0], io, { from: flags['--from'] as string | undefined, kernel: flags['--kernel'] as string | undefined });
  if ('code' in input) return refuse(io, 'replay', input.message);
  const writer = new TraceWriter(out, { kind: 'log', fsync: flags['--fsync'] === true });
  const opened = await writer.open();
  if (opened) return refuse(io, 'replay', opened.message);
  let writeError: string | undefined;
  const result = await runReplay(input.items, {
    file: input.file,
    kernel: flags['--kernel'] as string | undefined,
    onStart: (replay) => {
      const header = { type: 'header', format: LOG_FORMAT, version: LOG_FORMAT_VERSION, kernel: replay.profile.kernel, trace: input.file } as const;
      const e = writer.append(header);
      if (e) writeError = e.message;
      replay.log.on('appended', (fact) => {
        const problem = writeError === undefined ? writer.append(fact) : null;
        if (problem) writeError = problem.message;
      });
    },
  });
  writer.close();
  if (!result.ok) return refuse(io, 'replay', result.error.message);
  if (writeError !== undefined) return refuse(io, 'replay', writeError);
  io.stdout.write(`${out}: ${result.value.replay.log.length} facts from ${result.value.replay.records} records\n`);
  return EXIT.OK;
}

export const replayCommand: Command = { name: 'replay', summary: 'write the derived event log (facts) of a trace', help: HELP, run };
