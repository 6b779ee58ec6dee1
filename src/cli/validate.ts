/** `pasid-ledger validate FILE`: checks a trace or derived-event log line by line, streaming. */
import type { Command, CliIo } from './command.js';
import { EXIT, refuse } from './command.js';
import { statSync } from 'node:fs';
import { parseArgs } from './args.js';
import { openProgress, withProgress } from './progress.js';
import { readTrace, readTraceFile, type ReadItem } from '../log/reader.js';
import type { LedgerError } from '../core/result.js';

const HELP = `usage: pasid-ledger validate FILE [--json] [--all-errors] [--kind trace|log]

Checks a trace (or, with --kind log, a derived-event log) against the format of
docs/trace-format.md: header, JSON, UTF-8, schemas, seq order, parent links.
FILE may be - for stdin. A torn last line is a warning: repair it with
\`pasid-ledger repair FILE\`.

options:
  --json          print {"valid", "records", "errors": [...], "warnings": [...]} on stdout
  --all-errors    report every bad line (up to 100), not just the first
  --kind K        trace (default) or log
  --quiet         no progress bar (drawn on stderr only when it is a terminal)

exit status: 0 valid (warnings allowed, printed on stderr), 2 invalid, unreadable or bad usage

examples:
  pasid-ledger validate capture.jsonl
  pasid-ledger validate --all-errors --json capture.jsonl | jq '.errors[].message'
  bpftrace pasid.bt | pasid-ledger validate -
`;

async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseArgs(argv, { '--json': 'bool', '--all-errors': 'bool', '--kind': 'string', '--quiet': 'bool' }, 'validate');
  if (!parsed.ok) return refuse(io, 'validate', parsed.error.message);
  const { positional, flags } = parsed.value;
  const kind = flags['--kind'] ?? 'trace';
  if (positional.length !== 1 || (kind !== 'trace' && kind !== 'log')) return refuse(io, 'validate', `${positional.length !== 1 ? 'expected one FILE' : '--kind takes trace or log'}; see \`pasid-ledger validate --help\``);
  const path = positional[0];
  const options = { kind, allErrors: flags['--all-errors'] === true } as const;
  // Why: read stdin through the injected io so tests and embedders can supply it.
  const read: AsyncGenerator<ReadItem> =
    path === '-' ? readTrace(io.stdin as AsyncIterable<Uint8Array | string>, { ...options, file: '<stdin>' }) : readTraceFile(path, options);
  let size = 0;
  try {
    size = path === '-' ? 0 : statSync(path).size;
  } catch {
    /* the reader reports it */
  }
  const progress = openProgress(io, { label: 'validate', total: size, unit: 'records', quiet: flags['--quiet'] === true || size === 0 });
  const items = withProgress(read, progress);
  const errors: LedgerError[] = [];
  const warnings: LedgerError[] = [];
  let records = 0;
  for await (const item of items) {
    if (item.kind === 'record' || item.kind === 'fact') records++;
    else if (item.kind === 'error') errors.push(item.error);
    else if (item.kind === 'warning') warnings.push(item.warning);
  }
  const valid = errors.length === 0;
  if (flags['--json'] === true) {
    io.stdout.write(`${JSON.stringify({ valid, records, errors, warnings }, null, 2)}\n`);
  } else {
    for (const w of warnings) io.stderr.write(`warning: ${w.message}\n`);
    for (const e of errors) io.stderr.write(`error: ${e.message}\n`);
    if (valid) io.stdout.write(`${path === '-' ? '<stdin>' : path}: valid ${kind}, ${records} ${kind === 'trace' ? 'records' : 'facts'}\n`);
  }
  return valid ? EXIT.OK : EXIT.USAGE;
}

export const validateCommand: Command = {
  name: 'validate',
  summary: 'check a trace (or derived-event log) line by line',
  help: HELP,
  run,
};
