/** `pasid-ledger diff FILE --from A --to B`: what changed between two points of a trace, per object. */
import type { Command, CliIo } from './command.js';
import { EXIT, refuse } from './command.js';
import { intFlag, parseArgs } from './args.js';
import { diffRange } from '../timetravel/diffRange.js';
import { timelineIndexOf } from '../timetravel/timeline.js';
import { formatFact, formatFindingLine } from '../timetravel/format.js';
import { openTimeline } from './traceFile.js';

const HELP = `usage: pasid-ledger diff FILE --from A --to B [--json] [--kernel VERSION]

Compares the state right after record A with the state right after record B (each
as \`pasid-ledger state --at\` shows it; 0 is the start) and prints, per object, what
changed, then the facts derived and the findings raised by the records in (A, B].

  PASID slot 0000:6a:01.0/5: dom1 → (none)
  IOASID default/5: allocated → freed
  bond 0000:6a:01.0 x mm1: users 2 → 1
  domain dom2: attachments 1 → 0, freed

options:
  --from A           the earlier seq (0 = the start)
  --to B             the later seq
  --json             print {"from", "to", "changes": [...], "facts": [...], "findings": [...]}
  --kernel VERSION   use this kernel's rules instead of the header's
  --write-index      build FILE.idx first (see \`pasid-ledger state --help\`); FILE.idx is
                     used whenever it matches FILE
  --quiet            no progress bar while the index is built

exit status: 0 ok, 2 bad input or usage (a seq not in FILE, A after B)

examples:
  pasid-ledger diff capture.jsonl --from 0 --to 12
  pasid-ledger diff --json capture.jsonl --from 40 --to 41 | jq '.changes[].text'
`;

async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const fail = (message: string) => {
    return refuse(io, 'diff', message);
  };
  const parsed = parseArgs(argv, { '--json': 'bool', '--kernel': 'string', '--from': 'string', '--to': 'string', '--write-index': 'bool', '--quiet': 'bool' }, 'diff');
  if (!parsed.ok) return fail(parsed.error.message);
  const { positional, flags } = parsed.value;
  const from = intFlag(flags['--from'], '--from');
  const to = intFlag(flags['--to'], '--to');
  if (!from.ok) return fail(from.error.message);
  if (!to.ok) return fail(to.error.message);
  if (positional.length !== 1 || from.value === undefined || to.value === undefined) return fail('expected FILE, --from A and --to B; see `pasid-ledger diff --help`');
  const kernel = flags['--kernel'] as string | undefined;
  const opened = await openTimeline(positional[0], io, { command: 'diff', kernel, full: false, write: flags['--write-index'] === true, quiet: flags['--quiet'] === true });
  if (!opened.ok) return fail(opened.error.message);
  const { timeline, file } = opened.value;
  const a = timelineIndexOf(timeline, from.value, '--from', file);
  if (!a.ok) return fail(a.error.message);
  const b = timelineIndexOf(timeline, to.value, '--to', file);
  if (!b.ok) return fail(b.error.message);
  if (a.value > b.value) return fail(`${file}: --from ${from.value} comes after --to ${to.value}; swap them`);
  // Only the objects changed on the way are projected (diffRange.ts); pb's log holds the facts of (A, B].
  const { changes, to: pb } = diffRange(timeline, a.value, b.value);
  const facts = pb.replay.log.all().filter((f) => f.seq > from.value!);
  const findings = pb.replay.findings.filter((f) => f.seq !== null && f.seq > from.value!);
  if (flags['--json'] === true) {
    io.stdout.write(`${JSON.stringify({ from: from.value, to: to.value, changes, facts, findings }, null, 2)}\n`);
    return EXIT.OK;
  }
  const out = [`${file}: from ${from.value === 0 ? 'the start' : `seq ${from.value}`} to seq ${to.value}`];
  out.push('', changes.length === 0 ? 'no object changed' : 'changes:', ...changes.map((c) => `  ${c.text}`));
  if (facts.length > 0) out.push('', `facts in (${from.value}, ${to.value}]:`, ...facts.map((f) => `  ${formatFact(f)}`));
  if (findings.length > 0) out.push('', `findings in (${from.value}, ${to.value}]:`, ...findings.map((f) => `  ${formatFindingLine(f, file)}`));
  io.stdout.write(`${out.join('\n')}\n`);
  return EXIT.OK;
}

export const diffCommand: Command = { name: 'diff', summary: 'what changed between two points of a trace, per object', help: HELP, run };
