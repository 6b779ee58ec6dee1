/** `pasid-ledger minimize TRACE --finding CODE[:N] -o MIN.jsonl`: the fewest records that still show a finding. */
import type { Command, CliIo } from './command.js';
import { EXIT, refuse } from './command.js';
import { parseArgs } from './args.js';
import { loadTrace } from './traceFile.js';
import { openProgress } from './progress.js';
import { writeOutput } from '../io/output.js';
import { serializeHeader, serializeRecord } from '../log/serialize.js';
import { buildIndex } from '../timetravel/index.js';
import { nthFinding } from '../timetravel/history.js';
import { minimizeTrace, raises } from '../minimize/minimize.js';
import { formatFinding } from '../audit/formatText.js';
import type { Entry } from '../replay/replayTrace.js';
import type { TraceHeader } from '../../events/records.js';
import type { Profile } from '../../machines/profile.js';
import type { Finding } from '../replay/finding.js';
import { ledgerError, type LedgerError, type Result, ok, err } from '../core/result.js';

const HELP = `usage: pasid-ledger minimize TRACE --finding CODE[:N] -o MIN.jsonl [--time SECONDS] [--force]
                              [--kernel VERSION] [--from ftrace|bpftrace] [--json] [--quiet]

Writes the smallest trace it can find that still raises the Nth finding with CODE (N from 1,
default 1, numbered as \`history --finding\` numbers them): delta debugging (ddmin) over the
records, then one record at a time until none can go. Every candidate keeps the header, each
task's order, every nested record with its parent (removing a call removes the calls made
inside it) and the records that create the objects the finding names. The result is
re-audited from the written file: it raises the finding with the same code and objects.
Prints the sizes before and after and the number of replays. Without --time bound hit, the
result is 1-minimal: removing any one kept record (but the creators) loses the finding.

options:
  --finding CODE[:N]  the finding to keep
  -o MIN.jsonl        where to write the minimized trace (atomically; --force to replace)
  --time SECONDS      stop searching after this long and write the smallest trace so far
                      (default 60)
  --kernel VERSION    use this kernel's rules instead of the header's
  --from FORMAT       TRACE is a raw capture (ftrace or bpftrace), imported first
  --json              print {"before","after","replays","minimal","finding","output"}
  --quiet             no progress bar (drawn on stderr only when it is a terminal)

exit status: 0 written (and re-audited), 2 bad input or usage (no such finding, output exists, ...)

examples:
  pasid-ledger minimize samples/buggy-v6.2.jsonl --finding DETACH_WRONG_DOMAIN -o /tmp/min.jsonl
  pasid-ledger minimize capture.jsonl --finding SVA_BOND_LEAKED:2 -o leak.jsonl --time 300
`;

const FLAGS = { '--finding': 'string', '-o': 'string', '--output': 'string', '--time': 'string', '--force': 'bool', '--kernel': 'string', '--from': 'string', '--json': 'bool', '--quiet': 'bool' } as const;

export interface MinimizeRun {
  readonly before: number;
  readonly after: number;
  readonly replays: number;
  readonly minimal: boolean;
  readonly ms: number;
  readonly finding: Finding;
}

/** The minimized trace's text: the header, then the kept records as the trace format writes them. */
export function minimizedText(header: TraceHeader, entries: readonly Entry[]): string {
  return [serializeHeader(header), ...entries.map((e) => serializeRecord(e.record))].join('\n') + '\n';
}

/** Minimizes for `target` and writes the result through the atomic writer; shared with `explore --emit --minimize`. */
export function minimizeToFile(
  entries: readonly Entry[],
  header: TraceHeader,
  profile: Profile,
  target: Finding,
  out: { path: string; force: boolean; inputs: readonly string[] },
  options: { seconds: number; io: CliIo; quiet: boolean },
): Result<MinimizeRun, LedgerError> {
  const t0 = Date.now();
  const progress = openProgress(options.io, { label: 'minimize', total: Math.max(1, Math.round(options.seconds * 1000)), unit: 'replays', quiet: options.quiet });
  const m = minimizeTrace(entries, profile, target, {
    deadline: t0 + options.seconds * 1000,
    now: Date.now,
    onReplay: (replays) => progress.update(Date.now() - t0, replays),
  });
  progress.stop();
  // Why: the output must show the finding on its own, or it is not written at all.
  if (!raises(m.entries, profile, target)) return err(ledgerError('MINIMIZE_LOST_FINDING', `internal error: the minimized trace lost ${target.code}`, { fix: 'please report it with the trace' }));
  const w = writeOutput(out.path, minimizedText(header, m.entries), { force: out.force, inputs: out.inputs });
  if (!w.ok) return w;
  return ok({ before: entries.length, after: m.entries.length, replays: m.replays, minimal: m.minimal, ms: Date.now() - t0, finding: target });
}

async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseArgs(argv, FLAGS, 'minimize');
  if (!parsed.ok) return refuse(io, 'minimize', parsed.error.message);
  const { positional, flags } = parsed.value;
  if (positional.length !== 1) return refuse(io, 'minimize', 'expected one TRACE; see `pasid-ledger minimize --help`');
  const m = /^([A-Z][A-Z0-9_]*)(?::(\d+))?$/.exec(String(flags['--finding'] ?? ''));
  if (!m) return refuse(io, 'minimize', `--finding takes CODE or CODE:N (e.g. DETACH_WRONG_DOMAIN:2), got ${String(flags['--finding'] ?? 'nothing')}`);
  const outPath = (flags['-o'] ?? flags['--output']) as string | undefined;
  if (outPath === undefined) return refuse(io, 'minimize', 'give the output with -o MIN.jsonl');
  const timeText = String(flags['--time'] ?? '60');
  if (!/^\d+(\.\d+)?$/.test(timeText)) return refuse(io, 'minimize', `option --time takes seconds (e.g. 10 or 0.5), got ${timeText}`);
  const kernel = flags['--kernel'] as string | undefined;
  const loaded = await loadTrace(positional[0], io, kernel, flags['--from'] as string | undefined);
  if (!loaded.ok) return refuse(io, 'minimize', loaded.error.message);
  const t = loaded.value;
  const index = buildIndex(t.entries, t.profile, Number.MAX_SAFE_INTEGER);
  const target = nthFinding(index, m[1], Number(m[2] ?? 1), t.file);
  if (!target.ok) return refuse(io, 'minimize', target.error.message);
  const inputs = positional[0] === '-' ? [] : [positional[0]];
  const done = minimizeToFile(t.entries, t.header, t.profile, target.value, { path: outPath, force: flags['--force'] === true, inputs }, { seconds: Number(timeText), io, quiet: flags['--quiet'] === true });
  if (!done.ok) return refuse(io, 'minimize', done.error.message);
  // Re-audit from the written file, as a user would.
  const again = await loadTrace(outPath, io, kernel);
  const kept = again.ok && raises(again.value.entries, again.value.profile, target.value);
  if (!kept) return refuse(io, 'minimize', `${outPath}: the re-audit of the written trace does not raise ${target.value.code} (internal error, please report)`);
  const r = done.value;
  if (flags['--json'] === true) {
    io.stdout.write(`${JSON.stringify({ before: r.before, after: r.after, replays: r.replays, minimal: r.minimal, ms: r.ms, finding: { code: r.finding.code, seq: r.finding.seq, objects: r.finding.objects }, output: outPath }, null, 2)}\n`);
  } else {
    io.stdout.write(`${formatFinding(target.value, t.file)}\n`);
    io.stdout.write(`${outPath}: ${r.before} → ${r.after} records (header kept), ${r.replays} replays in ${(r.ms / 1000).toFixed(1)} s\n`);
    io.stdout.write(r.minimal ? `1-minimal: removing any one kept record (other than the creators of the finding's objects) loses ${r.finding.code}\n` : `not 1-minimal: the --time bound (${timeText} s) stopped the search; the trace still raises ${r.finding.code}\n`);
    io.stdout.write(`re-audited ${outPath}: ${r.finding.code} with the same objects\n`);
  }
  return EXIT.OK;
}

export const minimizeCommand: Command = { name: 'minimize', summary: 'the fewest records of a trace that still raise a finding (delta debugging)', help: HELP, run };
