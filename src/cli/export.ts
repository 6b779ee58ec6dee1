/** `pasid-ledger export FILE --format perfetto -o OUT.json`: the trace as a timeline for Perfetto. */
import type { Command, CliIo } from './command.js';
import { EXIT, refuse } from './command.js';
import { parseArgs } from './args.js';
import { loadTrace } from './traceFile.js';
import { writeChunks } from './writeChunks.js';
import { analyse } from '../report/analysis.js';
import { perfettoEvents, perfettoJson } from '../report/perfetto.js';

const HELP = `usage: pasid-ledger export FILE --format perfetto -o OUT.json [--force] [--kernel VERSION]
                           [--from ftrace|bpftrace]

Writes the trace FILE as Chrome Trace Event JSON, which ui.perfetto.dev ("Open trace
file") and chrome://tracing open as it is:

  tasks            one track per tid; every call a slice, nested calls inside their
                   parent; seq, line, args and return in the slice's args
  one process per kind of object (PASID slots, domains, SVA bonds, IOASIDs, global
                   PASIDs, ...): one track per object, its states as slices from the
                   record that entered each state to the one that left it
  findings         an instant event on the task's and the objects' tracks, with code,
                   severity, kernel reaction, reference and fix
  chains           flow arrows through the records of each finding's chain (what
                   \`history --finding\` lists), ending at the finding's record

Timestamps are the trace's ts (ns) in µs, held monotonic. A call's slice ends at its last
nested call or after half the median gap between records (the trace records entries
only). Traces written by \`explore --emit\` export the same way (one schedule a file).

options:
  --format perfetto  the output format (the only one so far)
  -o, --output OUT   the file to write (- for stdout); refused when it exists unless
                     --force, or when it is FILE
  --force            replace OUT
  --kernel VERSION   use this kernel's rules instead of the header's
  --from FORMAT      FILE is a raw capture: ftrace or bpftrace (imported on the fly)

exit status: 0 written, 2 bad input or usage (nothing is left at OUT)

examples:
  pasid-ledger export samples/buggy-v6.2.jsonl --format perfetto -o buggy.perfetto.json
  pasid-ledger explore race.jsonl --emit out/ &&
    for f in out/*.jsonl; do pasid-ledger export "$f" --format perfetto -o "\${f%.jsonl}.json"; done
`;

async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseArgs(argv, { '--format': 'string', '-o': 'string', '--output': 'string', '--force': 'bool', '--kernel': 'string', '--from': 'string' }, 'export');
  if (!parsed.ok) return refuse(io, 'export', parsed.error.message);
  const { positional, flags } = parsed.value;
  const out = (flags['-o'] ?? flags['--output']) as string | undefined;
  if (positional.length !== 1) return refuse(io, 'export', 'expected one FILE; see `pasid-ledger export --help`');
  if (flags['--format'] !== 'perfetto') {
    return refuse(io, 'export', `${flags['--format'] === undefined ? '--format is required' : `unknown format ${String(flags['--format'])}`}: the formats are perfetto (Chrome Trace Event JSON); see \`pasid-ledger export --help\``);
  }
  if (out === undefined) return refuse(io, 'export', 'name the output with -o OUT.json (- for stdout); see `pasid-ledger export --help`');
  const kernel = flags['--kernel'] as string | undefined;
  const trace = await loadTrace(positional[0], io, kernel, flags['--from'] as string | undefined);
  if (!trace.ok) return refuse(io, 'export', trace.error.message);
  const t = trace.value;
  const result = perfettoEvents(analyse({ file: t.file, header: t.header, profile: t.profile, entries: t.entries }));
  const other = { source: 'pasid-ledger export', trace: t.file, kernel: t.profile.kernel, era: t.profile.era, records: t.entries.length };
  const written = writeChunks(out, perfettoJson(result, other), { force: flags['--force'] === true, inputs: [positional[0]] }, io);
  if (!written.ok) return refuse(io, 'export', written.error.message);
  if (out !== '-') {
    io.stdout.write(`${out}: ${result.events.length} trace events (${result.tasks} task(s), ${result.objects} object(s), ${result.flows} finding chain(s)); open it in ui.perfetto.dev\n`);
  }
  return EXIT.OK;
}

export const exportCommand: Command = { name: 'export', summary: 'write the trace as a Perfetto (Chrome Trace Event) timeline', help: HELP, run };
