/** `pasid-ledger replay FILE --out LOG`: write the derived event log (the facts) of a trace. */
import type { Command, CliIo } from './command.js';
import { EXIT, refuse } from './command.js';
import { parseArgs } from './args.js';
import { openTrace } from './input.js';
import { runReplay } from '../audit/runReplay.js';
import { TraceOutput } from '../io/traceOutput.js';
import { serializeFact, serializeHeader } from '../log/serialize.js';
import { LOG_FORMAT, LOG_FORMAT_VERSION } from '../../events/facts.js';

const HELP = `usage: pasid-ledger replay FILE --out LOG [--force] [--kernel VERSION]

Replays the trace FILE (- for stdin) and writes the derived event log: a header line,
then one fact per line (IoasidAllocated, PasidAttached, SvaBound, ...), each with the
seq of the call record it follows from, and a trailer (count and SHA-256) once complete.
Every fact is validated before it is written. LOG appears only when the replay is done
(a temporary file beside it is fsynced, then renamed); a failure leaves LOG as it was.
Read it back with \`pasid-ledger validate --kind log LOG\`.

options:
  --out LOG          where to write the log (refused if it exists, or is FILE)
  --force            replace LOG if it exists
  --kernel VERSION   use this kernel's rules instead of the header's
  --from FORMAT      FILE is a raw capture: ftrace or bpftrace (imported on the fly)
  --fsync            accepted for compatibility: the log is always fsynced before the rename

example:
  pasid-ledger replay samples/clean-v6.8.jsonl --out /tmp/clean.log.jsonl
`;

async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseArgs(argv, { '--out': 'string', '--kernel': 'string', '--fsync': 'bool', '--from': 'string', '--force': 'bool' }, 'replay');
  if (!parsed.ok) return refuse(io, 'replay', parsed.error.message);
  const { positional, flags } = parsed.value;
  const out = flags['--out'];
  if (positional.length !== 1 || typeof out !== 'string') return refuse(io, 'replay', 'expected FILE and --out LOG; see `pasid-ledger replay --help`');
  const opened = TraceOutput.toFile(out, { force: flags['--force'] === true, inputs: [positional[0]] });
  if (!opened.ok) return refuse(io, 'replay', opened.error.message);
  const writer = opened.value;
  const input = openTrace(positional[0], io, { from: flags['--from'] as string | undefined, kernel: flags['--kernel'] as string | undefined });
  if ('code' in input) {
    writer.abort();
    return refuse(io, 'replay', input.message);
  }
  let writeError: string | undefined;
  const result = await runReplay(input.chunks, {
    file: input.file,
    kernel: flags['--kernel'] as string | undefined,
    onStart: (replay) => {
      const header = { type: 'header', format: LOG_FORMAT, version: LOG_FORMAT_VERSION, kernel: replay.profile.kernel, trace: input.file } as const;
      const e = writer.push(serializeHeader(header));
      if (!e.ok) writeError = e.error.message;
      replay.log.on('appended', (fact) => {
        const problem = writeError === undefined ? writer.push(serializeFact(fact)) : null;
        if (problem && !problem.ok) writeError = problem.error.message;
      });
    },
  }).catch((e: unknown) => {
    writer.abort();
    throw e;
  });
  if (!result.ok || writeError !== undefined) {
    writer.abort();
    return refuse(io, 'replay', `${result.ok ? writeError : result.error.message}; ${out} is left as it was`);
  }
  const done = await writer.finish();
  if (!done.ok) return refuse(io, 'replay', `${done.error.message}; ${out} is left as it was`);
  io.stdout.write(`${out}: ${result.value.replay.log.length} facts from ${result.value.replay.records} records\n`);
  return EXIT.OK;
}

export const replayCommand: Command = { name: 'replay', summary: 'write the derived event log (facts) of a trace', help: HELP, run };
