/** `pasid-ledger validate FILE`: checks a trace or derived-event log line by line, streaming. */
import type { Command, CliIo } from './command.js';
import { EXIT, refuse } from './command.js';
import { statSync } from 'node:fs';
import { parseArgs } from './args.js';
import { openProgress, withProgress } from './progress.js';
import { readTrace, readTraceFile, type ReadItem, type ReadTrailer } from '../log/reader.js';
import { ledgerError, type LedgerError } from '../core/result.js';
import { profileOf } from '../replay/replayTrace.js';

const HELP = `usage: pasid-ledger validate FILE [--json] [--all-errors] [--kind trace|log] [--complete]

Checks a trace (or, with --kind log, a derived-event log) against the format of
docs/trace-format.md: header, JSON, UTF-8, schemas, seq order, parent links, a kernel
version pasid-ledger models, and the trailer: a file pasid-ledger wrote completely ends
with one (its count and SHA-256 are checked); without it the file is reported
"incomplete" (hand-written traces carry none; an output without one was cut short).
FILE may be - for stdin. A torn last line is a warning: repair it with
\`pasid-ledger repair FILE\`.

options:
  --json          print {"valid", "complete", "records", "trailer", "errors": [...], "warnings": [...]}
  --all-errors    report every bad line (up to 100), not just the first
  --kind K        trace (default) or log
  --complete      also refuse (exit 2) a file without a trailer
  --quiet         no progress bar (drawn on stderr only when it is a terminal)

exit status: 0 valid (warnings allowed, printed on stderr), 2 invalid (or, with
             --complete, incomplete), unreadable or bad usage

examples:
  pasid-ledger validate capture.jsonl
  pasid-ledger validate --all-errors --json capture.jsonl | jq '.errors[].message'
  bpftrace pasid.bt | pasid-ledger validate -
`;

async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseArgs(argv, { '--json': 'bool', '--all-errors': 'bool', '--kind': 'string', '--complete': 'bool', '--quiet': 'bool' }, 'validate');
  if (!parsed.ok) return refuse(io, 'validate', parsed.error.message);
  const { positional, flags } = parsed.value;
  const kind = flags['--kind'] ?? 'trace';
  if (positional.length !== 1 || (kind !== 'trace' && kind !== 'log')) return refuse(io, 'validate', `${positional.length !== 1 ? 'expected one FILE' : '--kind takes trace or log'}; see \`pasid-ledger validate --help\``);
  const path = positional[0];
  const file = path === '-' ? '<stdin>' : path;
  let trailer: ReadTrailer | undefined;
  const options = { kind, allErrors: flags['--all-errors'] === true, onEnd: (e: { trailer?: ReadTrailer }) => (trailer = e.trailer) } as const;
  // Why: read stdin through the injected io so tests and embedders can supply it.
  const read: AsyncGenerator<ReadItem> =
    path === '-' ? readTrace(io.stdin as AsyncIterable<Uint8Array | string>, { ...options, file }) : readTraceFile(path, options);
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
    else if (item.kind === 'header') {
      // Why: a header every other command refuses must not validate (reliability F19).
      const profile = profileOf(item.header, undefined, file);
      if (!profile.ok) errors.push(profile.error);
    }
  }
  const complete = errors.length === 0 && trailer !== undefined;
  const noun = kind === 'trace' ? 'records' : 'facts';
  if (errors.length === 0 && !complete && flags['--complete'] === true) {
    errors.push(ledgerError('INCOMPLETE', 'no trailer, so the file cannot be shown complete (a pasid-ledger output without one was cut short)', { file, fix: 're-create it, or drop --complete for a hand-written file' }));
  }
  const valid = errors.length === 0;
  if (flags['--json'] === true) {
    io.stdout.write(`${JSON.stringify({ valid, complete, records, trailer: trailer ?? null, errors, warnings }, null, 2)}\n`);
  } else {
    for (const w of warnings) io.stderr.write(`warning: ${w.message}\n`);
    for (const e of errors) io.stderr.write(`error: ${e.message}\n`);
    if (valid) {
      const state = complete
        ? `complete (trailer: ${trailer?.count} ${noun}, SHA-256 checked)`
        : 'incomplete: no trailer (hand-written files carry none; a pasid-ledger output without one was cut short)';
      io.stdout.write(`${file}: valid ${kind}, ${records} ${noun}, ${state}\n`);
    }
  }
  return valid ? EXIT.OK : EXIT.USAGE;
}

export const validateCommand: Command = {
  name: 'validate',
  summary: 'check a trace (or derived-event log) line by line',
  help: HELP,
  run,
};
