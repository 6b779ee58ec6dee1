/** `pasid-ledger import`: a real capture (ftrace text or bpftrace NDJSON) → a trace file. */
import { statSync } from 'node:fs';
import { parseArgs } from './args.js';
import { EXIT, type CliIo, type Command, refuse } from './command.js';
import { importCaptureToTrace } from '../import/importCapture.js';
import { openCaptureSource } from '../import/openCapture.js';
import { CAPTURE_FORMATS, type CaptureFormat, type ImportSummary } from '../import/importTypes.js';
import type { ImportProblem } from '../import/problems.js';
import { formatSummary } from '../import/formatSummary.js';
import { TraceOutput } from '../io/traceOutput.js';
import { readFix } from '../io/output.js';
import { openProgress } from './progress.js';

const FLAGS = { '--from': 'string', '--kernel': 'string', '-o': 'string', '--output': 'string', '--json': 'bool', '--force': 'bool', '--quiet': 'bool' } as const;
/** Problems listed in the --json report; the summary counts every one. */
const MAX_LISTED_PROBLEMS = 1000;

const HELP = `usage: pasid-ledger import FILE|- --from ftrace|bpftrace [--kernel VERSION] [-o OUT [--force]] [--json]

Converts a capture taken with the kit in capture/ into a pasid-ledger trace (JSON Lines).
  --from ftrace     tracefs trace/trace_pipe, \`trace-cmd report\` (also -l, -t, --ts-diff) or \`perf script\`
                    text with the kit's kprobe/kretprobe/fprobe events
  --from bpftrace   \`bpftrace -f json\` output of the kit's script
  --kernel VERSION  kernel of the machine under test (\`uname -r\`); needed for ftrace text without the
                    kit's start marker (trace-cmd, perf, older kits)
  -o OUT            write the trace to OUT (default: stdout); OUT appears only once the
                    import is complete (a temporary file beside it is renamed), and a failed
                    import leaves OUT as it was. OUT must not be the capture
  --force           replace OUT if it exists (default: refuse)
  --json            print the summary on stderr as JSON instead of text
  --quiet           no progress bar (drawn on stderr only when it is a terminal)
The trace's header repeats the import's counts (kept, skipped and why, lost events).
Exit: 0 clean, 1 imported with problems (see the summary), 2 unusable input (also a capture with no
record of the PASID lifecycle: function_graph, tracepoints, other probes) or usage error.`;

async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseArgs(argv, FLAGS, 'import');
  if (!parsed.ok) return refuse(io, 'import', parsed.error.message);
  const { positional, flags } = parsed.value;
  const from = flags['--from'];
  if (positional.length !== 1 || typeof from !== 'string' || !(CAPTURE_FORMATS as readonly string[]).includes(from)) return refuse(io, 'import', `give one capture FILE (or -) and --from ftrace|bpftrace\n\n${HELP}`);
  const file = positional[0];
  if (file !== '-') {
    // Why: a directory opens fine and fails on the first read; say so before any work.
    try {
      if (statSync(file).isDirectory()) return refuse(io, 'import', `${file}: cannot read the capture: ${readFix('EISDIR', file)}`);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      return refuse(io, 'import', `${file}: cannot read the capture (${code}); ${readFix(code, file)}`);
    }
  }
  const kernel = typeof flags['--kernel'] === 'string' ? flags['--kernel'] : undefined;
  const outPath = flags['-o'] ?? flags['--output'];
  // The output is opened (and refused) before the capture is read: -o naming the capture, an existing file without --force.
  let out: TraceOutput;
  if (typeof outPath === 'string') {
    const opened = TraceOutput.toFile(outPath, { force: flags['--force'] === true, inputs: [file] });
    if (!opened.ok) return refuse(io, 'import', opened.error.message);
    out = opened.value;
  } else out = TraceOutput.toStream(io.stdout);
  const source = await openCaptureSource(file, io.stdin);
  if (!source.ok) {
    out.abort();
    return refuse(io, 'import', source.error.message);
  }
  const json = flags['--json'] === true;
  const problems: ImportProblem[] = [];
  let summary: ImportSummary | undefined;
  let size = 0;
  try {
    size = file === '-' ? 0 : statSync(file).size;
  } catch {
    /* openCaptureSource reported it */
  }
  const progress = openProgress(io, { label: 'import', total: size, unit: 'records', quiet: flags['--quiet'] === true || size === 0 });
  let records = 0;
  try {
    for await (const item of importCaptureToTrace(source.value, { from: from as CaptureFormat, file, ...(kernel !== undefined ? { kernel } : {}) })) {
      if (item.kind === 'record' && ++records % 1024 === 0) progress.update(item.offset, records);
      switch (item.kind) {
        case 'header':
        case 'record': {
          const w = out.push(JSON.stringify(item.kind === 'header' ? item.header : item.record));
          if (!w.ok) {
            out.abort();
            return refuse(io, 'import', `${w.error.message}; nothing was written`);
          }
          if (out.waiting) await out.drained();
          break;
        }
        case 'problem':
          if (json) {
            if (problems.length < MAX_LISTED_PROBLEMS) problems.push(item.problem);
          } else progress.note(`${item.problem.severity}: ${item.problem.code}: ${item.problem.message}`);
          break;
        case 'summary':
          summary = item.summary;
          break;
      }
    }
  } catch (e) {
    out.abort();
    const code = (e as NodeJS.ErrnoException).code;
    if (code === undefined) throw e;
    return refuse(io, 'import', `${file === '-' ? '<stdin>' : file}: cannot read the capture (${code}); ${readFix(code, file)}${out.path !== null ? `; ${out.path} was left as it was` : ''}`);
  }
  progress.stop();
  if (summary === undefined) {
    out.abort();
    throw new Error('bug: import ended without a summary');
  }
  if (summary.fatal) {
    // Why: an unusable capture produced no trace; the target keeps what it had (never removed, F7/F8).
    out.abort();
  } else {
    const done = await out.finish();
    if (!done.ok) return refuse(io, 'import', `${done.error.message}; nothing was written`);
  }
  io.stderr.write(json ? JSON.stringify({ summary, problems }) + '\n' : formatSummary(summary) + '\n');
  return summary.fatal ? EXIT.USAGE : summary.clean ? EXIT.OK : EXIT.FINDINGS;
}

export const importCommand: Command = {
  name: 'import',
  summary: 'convert an ftrace or bpftrace capture of a real kernel into a trace',
  help: HELP,
  run,
};
