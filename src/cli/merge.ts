/** `pasid-ledger merge RESULT.json...`: combine the JSON results of shards into one report in any format. */
import { readFileSync } from 'node:fs';
import type { Command, CliIo } from './command.js';
import { EXIT, refuse } from './command.js';
import { parseArgs } from './args.js';
import { FORMATS, openSink, renderReport, type Format } from './auditBatch.js';
import { mergeDocuments, type MergeInput } from '../batch/merge.js';
import { batchExit } from '../batch/summary.js';

const HELP = `usage: pasid-ledger merge RESULT.json... [--format text|json|junit|sarif] [--json] [-o OUT] [--force]

Combines the JSON results of \`pasid-ledger audit ... --shard I/N --json -o RESULT.json\` (one
per CI runner) into the report of one run: the files of every shard in path order and one
summary, in any format. Shards and merge give the same report as auditing every file at once
(give --chains to the shards for SARIF related locations). A file in two results is refused;
a shard missing from the set is a warning.

options:
  --format F   text (default), json, junit or sarif
  --json       the same as --format json
  -o OUT       write the report to OUT instead of stdout (atomically; --force to replace)

exit status: 0 no finding, 1 findings (bugs or misuses), 2 bad input or usage, or some file
             of the shards could not be audited

examples:
  pasid-ledger merge shard-*.json --format sarif -o audit.sarif
  pasid-ledger merge shard-*.json --format junit -o junit.xml
`;

async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseArgs(argv, { '--format': 'string', '--json': 'bool', '-o': 'string', '--output': 'string', '--force': 'bool' }, 'merge');
  if (!parsed.ok) return refuse(io, 'merge', parsed.error.message);
  const { positional, flags } = parsed.value;
  if (positional.length === 0) return refuse(io, 'merge', 'expected one or more RESULT.json files; see `pasid-ledger merge --help`');
  const format = (flags['--json'] === true ? 'json' : (flags['--format'] ?? 'text')) as Format;
  if (!FORMATS.includes(format)) return refuse(io, 'merge', `--format takes ${FORMATS.join(', ')}, got ${String(flags['--format'])}`);
  const inputs: MergeInput[] = [];
  for (const name of positional) {
    try {
      inputs.push({ name, text: readFileSync(name, 'utf8') });
    } catch (e) {
      return refuse(io, 'merge', `${name}: cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)}); check the path`);
    }
  }
  const merged = mergeDocuments(inputs);
  if (!merged.ok) return refuse(io, 'merge', merged.error.message);
  for (const w of merged.value.warnings) io.stderr.write(`pasid-ledger merge: warning: ${w}\n`);
  const { document } = merged.value;
  const outPath = (flags['-o'] ?? flags['--output']) as string | undefined;
  const sink = openSink(io, 'merge', outPath, { force: flags['--force'] === true, inputs: positional });
  if (typeof sink === 'number') return sink;
  await sink.write(renderReport(format, document.files, document.summary, null, document.chains, false));
  if (!sink.finish()) return EXIT.USAGE;
  return batchExit(document.summary);
}

export const mergeCommand: Command = { name: 'merge', summary: 'combine the JSON results of audit shards into one report (any format)', help: HELP, run };
