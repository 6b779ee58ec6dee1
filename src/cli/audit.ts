/**
 * `pasid-ledger audit PATH...`: replay traces through the machines and report every lifecycle
 * finding. One FILE (or -) streams its findings as they are found (live input included); several
 * paths, a directory or a glob run as a batch (src/cli/auditBatch.ts).
 */
import { statSync } from 'node:fs';
import type { Command, CliIo } from './command.js';
import { EXIT, refuse } from './command.js';
import { parseArgs } from './args.js';
import { openTrace, wantsColour } from './input.js';
import { releaseInput, stopOnInterrupt, withIdleTicks } from './live.js';
import { openProgress, withProgress } from './progress.js';
import { markLost } from '../audit/lostEvents.js';
import type { Finding } from '../replay/finding.js';
import { FindingTally } from '../audit/tally.js';
import { runReplay } from '../audit/runReplay.js';
import type { ReadChunk, TraceEntry } from '../log/readItem.js';
import { ANSI, PLAIN, formatFinding, formatSummary } from '../audit/formatText.js';
import { auditBatch, FORMATS, type Format } from './auditBatch.js';

/** How long a live input may pause before the look-ahead window is flushed. */
const IDLE_MS = 200;
import { RecordCounter, coverageOf, formatCoverage, nothingToAudit } from '../audit/coverage.js';
import { CallerIndex, withCaller } from '../audit/callers.js';
import { finishReport, tapForReport, type ReportTap } from './auditReport.js';

const HELP = `usage: pasid-ledger audit PATH... [--format text|json|junit|sarif] [--json] [-o OUT] [--force]
                            [--jobs N] [--shard I/N] [--chains] [--kernel VERSION]
                            [--from ftrace|bpftrace] [--xstate] [--quiet]

Replays each trace through the lifecycle machines of its kernel version and reports what the
kernel's rules refuse: wrong-domain detaches, leaked PASIDs and bonds, late allocator
registrations, use-after-free unbinds, returns that disagree with the model, ... Findings print
as they are found, like a compiler's, then a summary grouped by code. The finding codes are
listed in the README.

PATH is a trace file, - for stdin, a directory (every *.jsonl below it, recursively; with --from
ftrace: *.txt *.trace *.log, with --from bpftrace: *.json *.ndjson) or a glob (quote it:
'captures/**/*.jsonl'). Several paths, a directory or a glob make a batch: the files are audited
on --jobs worker threads, each file's result prints as soon as it and every file before it are
done, in path order (the same output for any --jobs), then one summary (files, records, findings
per code, files that could not be audited). A file that cannot be read or is not a trace is
reported and counted; the rest of the batch is still audited. docs/ci.md shows CI set-ups.

options:
  --format F         text (default), json, junit (JUnit XML: a testsuite per trace, a testcase
                     per finding code) or sarif (SARIF 2.1.0 for code scanning)
  --json             the same as --format json. For one FILE: {"findings": [...], "summary": {...}},
                     streamed (memory does not grow with the findings); for a batch the result
                     document that \`pasid-ledger merge\` reads: {"format", "files": [...], "summary"}
  -o OUT             write the report to OUT instead of stdout (atomically; --force to replace)
  --jobs N           worker threads for a batch (default: the number of cores)
  --shard I/N        audit only the I-th of N deterministic parts of the inputs (by a hash of each
                     path: a file stays in its shard when others are added); combine the parts
                     with \`pasid-ledger merge\`
  --chains           add to each finding the records of its chain (as \`history --finding\`), which
                     SARIF shows as related locations (always on for --format sarif; needs the
                     trace in memory)
  --kernel VERSION   use this kernel's rules instead of the header's (e.g. 6.2.0)
  --from FORMAT      the inputs are raw captures (ftrace/trace-cmd text or bpftrace -f json),
                     imported on the fly; findings after lost events are marked as possible
                     artefacts. With PATH = - the audit is live: findings print as they happen,
                     the end-of-trace checks when the pipe closes or on Ctrl-C.
  --xstate           step every record through XState's pure transition() (slow; the default
                     compiled fast path gives the same result)
  --quiet            no progress bar (it is drawn on stderr only when stderr is a terminal)
  --demo             exit 0 when the audit ran, findings or not (used by npm start)
  --report FILE      also write the HTML report of \`pasid-ledger report\` to FILE
                     (--force replaces an existing FILE)

exit status: 0 no finding, 1 findings (bugs or misuses; info findings alone exit 0),
             2 bad usage, or some input could not be audited (the others still were)

examples:
  pasid-ledger audit samples/buggy-v6.2.jsonl
  pasid-ledger audit --kernel 6.11.0 samples/buggy-v6.2.jsonl
  pasid-ledger audit --json capture.jsonl | jq '.summary.byCode'
  pasid-ledger audit captures/ --jobs 2 --format sarif -o audit.sarif
  pasid-ledger audit 'lab/**/*.jsonl' --shard 2/4 --json -o shard-2.json
  bpftrace -f json pasid-6.8.bt | pasid-ledger audit --from bpftrace --kernel 6.8.0 -
`;

const FLAGS = {
  '--json': 'bool', '--format': 'string', '-o': 'string', '--output': 'string', '--force': 'bool', '--jobs': 'string', '--shard': 'string',
  '--chains': 'bool', '--kernel': 'string', '--from': 'string', '--xstate': 'bool', '--demo': 'bool', '--quiet': 'bool',
  '--report': 'string',
} as const;

/** One FILE (or stdin) with a streaming format and no batch option: the findings stream as they are found. */
function isSingle(positional: readonly string[], flags: Record<string, unknown>, format: Format): boolean {
  if (positional.length !== 1 || format === 'junit' || format === 'sarif') return false;
  if (flags['--shard'] !== undefined || flags['-o'] !== undefined || flags['--output'] !== undefined || flags['--chains'] === true) return false;
  if (positional[0] === '-') return true;
  try {
    return !statSync(positional[0]).isDirectory();
  } catch {
    // Why: a missing plain path keeps the one-file message (exit 2 naming it); a pattern is a batch.
    return !/[*?[\]{}]/.test(positional[0]);
  }
}

async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseArgs(argv, FLAGS, 'audit');
  if (!parsed.ok) return refuse(io, 'audit', parsed.error.message);
  const { positional, flags } = parsed.value;
  if (positional.length === 0) return refuse(io, 'audit', 'expected a FILE, a directory or a glob; see `pasid-ledger audit --help`');
  const format = (flags['--json'] === true ? 'json' : (flags['--format'] ?? 'text')) as Format;
  if (!FORMATS.includes(format)) return refuse(io, 'audit', `--format takes ${FORMATS.join(', ')}, got ${String(flags['--format'])}`);
  if (flags['--json'] === true && flags['--format'] !== undefined && flags['--format'] !== 'json') return refuse(io, 'audit', `--json and --format ${String(flags['--format'])} disagree; give one of them`);
  if (!isSingle(positional, flags, format)) {
    // Why: a batch has no one trace to show; a --report asked for and not written would go unnoticed.
    if (flags['--report'] !== undefined) return refuse(io, 'audit', '--report writes the report of one trace: give one FILE (without -o, --shard, --chains, junit or sarif), or run `pasid-ledger report` per trace');
    return auditBatch(positional, flags, format, io);
  }
  return auditOne(positional[0], flags, format === 'json', io);
}

async function auditOne(path: string, flags: Record<string, string | boolean | string[]>, json: boolean, io: CliIo): Promise<number> {
  const kernel = flags['--kernel'] as string | undefined;
  const input = openTrace(path, io, { from: flags['--from'] as string | undefined, kernel });
  if ('code' in input) return refuse(io, 'audit', input.message);
  const tapped = tapForReport(flags, input.chunks, path, io);
  if (typeof tapped === 'number') return tapped;
  const style = wantsColour(io) ? ANSI : PLAIN;
  const live = path === '-';
  const stop: { stopped: boolean; wake?: () => void } = { stopped: false };
  const uninstall = live ? stopOnInterrupt(stop) : () => undefined;
  const counter = new RecordCounter();
  const callers = new CallerIndex();
  const mark = (f: Finding) => withCaller(markLost(f, input.lostAfter), callers);
  const sealed = flags['--from'] !== undefined;
  let size = 0;
  try {
    size = live ? 0 : statSync(path).size;
  } catch {
    /* the reader reports it */
  }
  // Why: text findings on a terminal are their own progress; a bar on the same screen would tear them.
  const quiet = flags['--quiet'] === true || live || size === 0 || (!json && io.stdout.isTTY === true);
  const progress = openProgress(io, { label: 'audit', total: size, unit: 'records', quiet });
  const items = withProgress(tapped.items, progress);
  // Why: counted and indexed as the replay takes each record, in its loop, not in a stage of their own.
  const onRecord = (e: TraceEntry) => {
    counter.add(e.record);
    callers.add(e.record);
  };
  if (json) return auditOneJson(input.file, path, items, onRecord, mark, counter, tapped.tap, flags, io).finally(() => progress.stop());
  const tally = new FindingTally();
  const result = await runReplay(live ? withIdleTicks(items, IDLE_MS, stop, sealed) : items, {
    file: input.file,
    kernel,
    onRecord,
    mode: flags['--xstate'] === true ? 'xstate' : 'fast',
    validateFacts: true,
    // Findings stream as they happen, so a long or live trace shows them early.
    onStart: (replay) =>
      replay.on('finding', (raw) => {
        const f = mark(raw);
        tally.add(f);
        io.stdout.write(`${formatFinding(f, input.file, style)}\n`);
        // Why: printed and counted, the finding is not needed again (a 10 M-record trace can raise hundreds of thousands).
        replay.findings.length = 0;
      }),
  }).finally(() => {
    uninstall();
    progress.stop();
    // Why: after Ctrl-C the producer may still hold the pipe; the summary below is the end.
    if (live && stop.stopped) releaseInput(io.stdin);
  });
  if (!result.ok) return refuse(io, 'audit', result.error.message);
  // Coverage (src/audit/coverage.ts): no lifecycle record is no all-clear; skipped calls and blind rules are said.
  const coverage = coverageOf(result.value.header, counter.byFn, result.value.warnings);
  const empty = nothingToAudit(coverage, input.file);
  if (empty !== undefined) return refuse(io, 'audit', empty.message);
  const summary = { ...tally.summary(result.value.replay, result.value.warnings), coverage };
  io.stdout.write(`${[formatSummary(summary, input.file, style), ...formatCoverage(coverage)].join('\n')}\n`);
  const reported = finishReport(tapped.tap, { file: input.file, input: path, header: result.value.header, profile: result.value.replay.profile, mark }, io);
  if (reported !== null) return reported;
  if (flags['--demo'] === true) return EXIT.OK;
  return tally.actionable > 0 ? EXIT.FINDINGS : EXIT.OK;
}

/**
 * `{"findings": [...], "summary": {...}}` written as the findings come (the text of
 * JSON.stringify(report, null, 2)): neither the findings nor the records stay in memory, and a
 * slow reader of stdout holds the replay back instead of filling memory.
 */
async function auditOneJson(file: string, input: string, chunks: AsyncIterable<ReadChunk>, onRecord: (e: TraceEntry) => void, mark: (f: Finding) => Finding, counter: RecordCounter, tap: ReportTap | null, flags: Record<string, string | boolean | string[]>, io: CliIo): Promise<number> {
  const tally = new FindingTally();
  let written = 0;
  const out = (text: string) => void io.stdout.write(text);
  // Why: a slow reader of stdout holds the replay back: at most one chunk's findings are written before it waits.
  async function* paced(): AsyncGenerator<ReadChunk> {
    for await (const chunk of chunks) {
      if (io.stdout.writableNeedDrain === true) await new Promise((r) => io.stdout.once('drain', r));
      yield chunk;
    }
  }
  const result = await runReplay(paced(), {
    file,
    onRecord,
    kernel: flags['--kernel'] as string | undefined,
    mode: flags['--xstate'] === true ? 'xstate' : 'fast',
    validateFacts: true,
    onStart: (replay) =>
      replay.on('finding', (raw) => {
        const f = mark(raw);
        tally.add(f);
        out(`${written++ === 0 ? '{\n  "findings": [\n' : ',\n'}${JSON.stringify(f, null, 2).replace(/^/gm, '    ')}`);
        // Why: the replay keeps every finding for its own callers; this output is their only copy.
        replay.findings.length = 0;
      }),
  });
  if (!result.ok) {
    // A reader error after some findings: the document is closed so the output stays valid JSON.
    if (written > 0) out('\n  ],\n  "error": ' + JSON.stringify({ code: result.error.code, message: result.error.message }) + '\n}\n');
    return refuse(io, 'audit', result.error.message);
  }
  // No lifecycle record is no all-clear (src/audit/coverage.ts): nothing was written, so the refusal stands alone.
  const empty = written === 0 ? nothingToAudit(coverageOf(result.value.header, counter.byFn, result.value.warnings), file) : undefined;
  if (empty !== undefined) return refuse(io, 'audit', empty.message);
  const summary = tally.summary(result.value.replay, result.value.warnings);
  const head = written === 0 ? '{\n  "findings": [],\n' : '\n  ],\n';
  out(`${head}  "summary": ${JSON.stringify(summary, null, 2).replace(/\n/g, '\n  ')}\n}\n`);
  const reported = finishReport(tap, { file, input, header: result.value.header, profile: result.value.replay.profile, mark }, io);
  if (reported !== null) return reported;
  if (flags['--demo'] === true) return EXIT.OK;
  return tally.actionable > 0 ? EXIT.FINDINGS : EXIT.OK;
}

export const auditCommand: Command = { name: 'audit', summary: 'replay traces (files, directories, globs) and report lifecycle findings', help: HELP, run };
