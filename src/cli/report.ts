/** `pasid-ledger report FILE -o REPORT.html`: one self-contained HTML page to look at a trace. */
import type { Command, CliIo } from './command.js';
import { EXIT, refuse } from './command.js';
import { intFlag, parseArgs } from './args.js';
import { loadTrace } from './traceFile.js';
import { writeReport } from './writeReport.js';

const HELP = `usage: pasid-ledger report FILE -o REPORT.html [--force] [--kernel VERSION]
                           [--from ftrace|bpftrace] [--max-records N] [--exact-budget N]

Writes one self-contained HTML file (no network, no external script or font; opens
from file:// and attaches to a bug report):

  header     kernel, era, source, counts of records, facts and findings
  findings   grouped by code: severity, seq, line, objects, message, reference, fix;
             click one for its chain (the records \`history --finding\` lists)
  timeline   a lane per task (every call a slice, nested calls inside) and per object
             (its states), findings as ◆; zoom, pan, hover shows the record
  scrubber   any record: the state right after it and what it changed (the same data
             as \`state --at\` and \`diff\`, precomputed)
  history    click an object: every record that changed it

The page stays responsive on 100 k-record traces: the timeline is a canvas that draws
only the lanes in view and merges slices narrower than a pixel; the state list
scrolls virtually; states are rebuilt from keyframes every 4096 records.

options:
  -o, --output REPORT  the file to write; refused when it exists unless --force, or
                       when it is FILE
  --force              replace REPORT
  --kernel VERSION     use this kernel's rules instead of the header's
  --from FORMAT        FILE is a raw capture: ftrace or bpftrace (imported on the fly)
  --max-records N      records on the timeline and the scrubber (default 250000; the
                       report says what it left out; findings are always complete)
  --exact-budget N     world objects the report may copy to show the state after a
                       nested record exactly as \`state --at\` (default 25000000);
                       past it such records show their call's nested records applied
                       and are marked ≈

exit status: 0 written, 2 bad input or usage (nothing is left at REPORT)

examples:
  pasid-ledger report samples/buggy-v6.2.jsonl -o buggy.html && xdg-open buggy.html
  pasid-ledger audit capture.jsonl --report capture.html
`;

async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseArgs(argv, { '-o': 'string', '--output': 'string', '--force': 'bool', '--kernel': 'string', '--from': 'string', '--max-records': 'string', '--exact-budget': 'string' }, 'report');
  if (!parsed.ok) return refuse(io, 'report', parsed.error.message);
  const { positional, flags } = parsed.value;
  const out = (flags['-o'] ?? flags['--output']) as string | undefined;
  if (positional.length !== 1) return refuse(io, 'report', 'expected one FILE; see `pasid-ledger report --help`');
  if (out === undefined) return refuse(io, 'report', 'name the output with -o REPORT.html; see `pasid-ledger report --help`');
  const max = intFlag(flags['--max-records'], '--max-records');
  if (!max.ok) return refuse(io, 'report', max.error.message);
  const budget = intFlag(flags['--exact-budget'], '--exact-budget');
  if (!budget.ok) return refuse(io, 'report', budget.error.message);
  if (max.value !== undefined && max.value < 1) return refuse(io, 'report', '--max-records must be at least 1');
  const kernel = flags['--kernel'] as string | undefined;
  const trace = await loadTrace(positional[0], io, kernel, flags['--from'] as string | undefined);
  if (!trace.ok) return refuse(io, 'report', trace.error.message);
  const t = trace.value;
  const written = writeReport(out, { file: t.file, header: t.header, profile: t.profile, entries: t.entries }, {
    force: flags['--force'] === true, inputs: [positional[0]], maxRecords: max.value, exactBudget: budget.value, generator: 'pasid-ledger report', notice: 'stdout',
  }, io);
  if (!written.ok) return refuse(io, 'report', written.error.message);
  return EXIT.OK;
}

export const reportCommand: Command = { name: 'report', summary: 'write a self-contained HTML report (timeline, findings, time travel)', help: HELP, run };
