/** `pasid-ledger audit FILE`: replay a trace through the machines and report every lifecycle finding. */
import type { Command, CliIo } from './command.js';
import { EXIT, refuse } from './command.js';
import { parseArgs } from './args.js';
import { openTrace, wantsColour } from './input.js';
import { stopOnInterrupt, withIdleTicks } from './live.js';
import { markLost } from '../audit/lostEvents.js';
import type { Finding } from '../replay/finding.js';

/** How long a live input may pause before the look-ahead window is flushed. */
const IDLE_MS = 200;
import { runReplay } from '../audit/runReplay.js';
import { summarize, isActionable } from '../audit/summary.js';
import { ANSI, PLAIN, formatFinding, formatSummary } from '../audit/formatText.js';
import { RecordCounter, coverageOf, formatCoverage, nothingToAudit } from '../audit/coverage.js';

const HELP = `usage: pasid-ledger audit FILE [--json] [--kernel VERSION] [--from ftrace|bpftrace] [--xstate]

Replays the trace FILE (- for stdin) through the lifecycle machines of its kernel
version and reports what the kernel's rules refuse: wrong-domain detaches, leaked
PASIDs and bonds, late allocator registrations, use-after-free unbinds, returns that
disagree with the model, ... Findings print as they are found, like a compiler's,
then a summary grouped by code. The finding codes are listed in the README.

options:
  --json             print {"findings": [...], "summary": {...}} on stdout
  --kernel VERSION   use this kernel's rules instead of the header's (e.g. 6.2.0)
  --from FORMAT      FILE is a raw capture (ftrace/trace-cmd text or bpftrace -f json),
                     imported on the fly; findings after lost events are marked
                     as possible artefacts. With FILE = - the audit is live: findings
                     print as they happen, the end-of-trace checks when the pipe
                     closes or on Ctrl-C.
  --xstate           step every record through XState's pure transition() (slow;
                     the default compiled fast path gives the same result)
  --demo             exit 0 when the audit ran, findings or not (used by npm start)

exit status: 0 no finding, 1 findings (bugs or misuses; info findings alone exit 0),
             2 bad input or usage

examples:
  pasid-ledger audit samples/buggy-v6.2.jsonl
  pasid-ledger audit --kernel 6.11.0 samples/buggy-v6.2.jsonl
  pasid-ledger audit --json capture.jsonl | jq '.summary.byCode'
  bpftrace -f json pasid-6.8.bt | pasid-ledger audit --from bpftrace --kernel 6.8.0 -
`;

async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseArgs(argv, { '--json': 'bool', '--kernel': 'string', '--from': 'string', '--xstate': 'bool', '--demo': 'bool' }, 'audit');
  if (!parsed.ok) return refuse(io, 'audit', parsed.error.message);
  const { positional, flags } = parsed.value;
  if (positional.length !== 1) return refuse(io, 'audit', 'expected one FILE; see `pasid-ledger audit --help`');
  const kernel = flags['--kernel'] as string | undefined;
  const input = openTrace(positional[0], io, { from: flags['--from'] as string | undefined, kernel });
  if ('code' in input) return refuse(io, 'audit', input.message);
  const json = flags['--json'] === true;
  const style = wantsColour(io) ? ANSI : PLAIN;
  const live = positional[0] === '-';
  const stop: { stopped: boolean; wake?: () => void } = { stopped: false };
  const uninstall = live ? stopOnInterrupt(stop) : () => undefined;
  const mark = (f: Finding) => markLost(f, input.lostAfter);
  const counter = new RecordCounter();
  const items = counter.watch(input.items);
  const result = await runReplay(live ? withIdleTicks(items, IDLE_MS, stop) : items, {
    file: input.file,
    kernel,
    mode: flags['--xstate'] === true ? 'xstate' : 'fast',
    validateFacts: true,
    // Findings stream as they happen, so a long or live trace shows them early.
    onStart: json ? undefined : (replay) => replay.on('finding', (f) => io.stdout.write(`${formatFinding(mark(f), input.file, style)}\n`)),
  }).finally(uninstall);
  if (!result.ok) return refuse(io, 'audit', result.error.message);
  // Coverage (src/audit/coverage.ts): no lifecycle record is no all-clear; skipped calls and blind rules are said.
  const coverage = coverageOf(result.value.header, counter.byFn, result.value.warnings);
  const empty = nothingToAudit(coverage, input.file);
  if (empty !== undefined) return refuse(io, 'audit', empty.message);
  const report = summarize(result.value.replay, result.value.warnings, mark, coverage);
  if (json) io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else io.stdout.write(`${[formatSummary(report.summary, input.file, style), ...formatCoverage(coverage)].join('\n')}\n`);
  if (flags['--demo'] === true) return EXIT.OK;
  return report.findings.some(isActionable) ? EXIT.FINDINGS : EXIT.OK;
}

export const auditCommand: Command = { name: 'audit', summary: 'replay a trace and report lifecycle findings', help: HELP, run };
