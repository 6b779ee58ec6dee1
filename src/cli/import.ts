/** `pasid-ledger import`: a real capture (ftrace text or bpftrace NDJSON) → a trace file. */
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { parseArgs } from './args.js';
import { EXIT, type CliIo, type Command, refuse } from './command.js';
import { importCaptureToTrace } from '../import/importCapture.js';
import { openCaptureSource } from '../import/openCapture.js';
import { CAPTURE_FORMATS, type CaptureFormat, type ImportSummary } from '../import/importTypes.js';
import type { ImportProblem } from '../import/problems.js';
import { formatSummary } from '../import/formatSummary.js';

const FLAGS = { '--from': 'string', '--kernel': 'string', '-o': 'string', '--output': 'string', '--json': 'bool' } as const;
/** Problems listed in the --json report; the summary counts every one. */
const MAX_LISTED_PROBLEMS = 1000;

const HELP = `usage: pasid-ledger import FILE|- --from ftrace|bpftrace [--kernel VERSION] [-o OUT] [--json]

Converts a capture taken with the kit in capture/ into a pasid-ledger trace (JSON Lines).
  --from ftrace     tracefs trace/trace_pipe or \`trace-cmd report\` text with kprobe/kretprobe/fprobe lines
  --from bpftrace   \`bpftrace -f json\` output of the kit's script
  --kernel VERSION  kernel of the machine under test (\`uname -r\`); required for ftrace, which does not record it
  -o OUT            write the trace to OUT (default: stdout)
  --json            print the summary on stderr as JSON instead of text
Exit: 0 clean, 1 imported with problems (see the summary), 2 unusable input or usage error.`;

async function write(out: Writable, text: string): Promise<void> {
  if (!out.write(text)) await once(out, 'drain');
}

async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseArgs(argv, FLAGS, 'import');
  if (!parsed.ok) return refuse(io, 'import', parsed.error.message);
  const { positional, flags } = parsed.value;
  const from = flags['--from'];
  if (positional.length !== 1 || typeof from !== 'string' || !(CAPTURE_FORMATS as readonly string[]).includes(from)) return refuse(io, 'import', `give one capture FILE (or -) and --from ftrace|bpftrace\n\n${HELP}`);
  const file = positional[0];
  const source = await openCaptureSource(file, io.stdin);
  if (!source.ok) return refuse(io, 'import', source.error.message);
  const kernel = typeof flags['--kernel'] === 'string' ? flags['--kernel'] : undefined;
  const outPath = flags['-o'] ?? flags['--output'];
  const out: Writable = typeof outPath === 'string' ? createWriteStream(outPath) : io.stdout;
  const json = flags['--json'] === true;
  const problems: ImportProblem[] = [];
  let summary: ImportSummary | undefined;
  for await (const item of importCaptureToTrace(source.value, { from: from as CaptureFormat, file, ...(kernel !== undefined ? { kernel } : {}) })) {
    switch (item.kind) {
      case 'header':
        await write(out, JSON.stringify(item.header) + '\n');
        break;
      case 'record':
        await write(out, JSON.stringify(item.record) + '\n');
        break;
      case 'problem':
        if (json) {
          if (problems.length < MAX_LISTED_PROBLEMS) problems.push(item.problem);
        } else io.stderr.write(`${item.problem.severity}: ${item.problem.code}: ${item.problem.message}\n`);
        break;
      case 'summary':
        summary = item.summary;
        break;
    }
  }
  if (out !== io.stdout) {
    out.end();
    await once(out, 'finish');
  }
  if (summary === undefined) throw new Error('bug: import ended without a summary');
  // Why: an unusable capture produced no trace; an empty file left behind would look like one.
  if (summary.fatal && typeof outPath === 'string') await rm(outPath, { force: true });
  io.stderr.write(json ? JSON.stringify({ summary, problems }) + '\n' : formatSummary(summary) + '\n');
  return summary.fatal ? EXIT.USAGE : summary.clean ? EXIT.OK : EXIT.FINDINGS;
}

export const importCommand: Command = {
  name: 'import',
  summary: 'convert an ftrace or bpftrace capture of a real kernel into a trace',
  help: HELP,
  run,
};
