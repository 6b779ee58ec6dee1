/** `pasid-ledger whatif FILE --skip SEQ | --move SEQ:TO`: how the findings change if a record had not happened, or elsewhere. */
import type { Command, CliIo } from './command.js';
import { EXIT, refuse } from './command.js';
import { parseArgs } from './args.js';
import { whatIf, type Edit, type FindingChange } from '../timetravel/whatif.js';
import { loadTrace } from './traceFile.js';

const HELP = `usage: pasid-ledger whatif FILE (--skip SEQ | --move SEQ:TO) [--force] [--json] [--kernel VERSION]

Replays FILE with one record edited and shows how the findings change: the ones that
go away and the new ones. Findings are compared by code and the objects they name,
not by seq. The edited trace is renumbered 1..n (parents follow); seqs are shown in
FILE's numbering.

  --skip SEQ       remove record SEQ and the calls nested in it
  --move SEQ:TO    move top-level record SEQ (with its nested calls) to right after
                   record TO (and TO's nested calls); TO = 0 moves it first. A task
                   runs its calls in order: passing a record of the same tid is refused
  --force          move past records of the same task anyway
  --json           print {"edit", "gone": [...], "new": [...], "kept"}
  --kernel VERSION use this kernel's rules instead of the header's

exit status: 0 ok, 2 bad input or usage (a seq not in FILE, a refused move)

examples:
  pasid-ledger whatif capture.jsonl --skip 6
  pasid-ledger whatif capture.jsonl --move 9:4
  pasid-ledger whatif capture.jsonl --move 9:4 --force --json
`;

function line(c: FindingChange, file: string): string {
  const f = c.finding;
  const at = c.originalSeq === null ? 'end of trace' : `seq ${c.originalSeq}`;
  return `  ${f.code} at ${at}${f.line !== null ? ` (${file}:${f.line})` : ''}: ${c.message}`;
}

async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const fail = (message: string) => {
    return refuse(io, 'whatif', message);
  };
  const parsed = parseArgs(argv, { '--skip': 'string', '--move': 'string', '--force': 'bool', '--json': 'bool', '--kernel': 'string' }, 'whatif');
  if (!parsed.ok) return fail(parsed.error.message);
  const { positional, flags } = parsed.value;
  const skip = flags['--skip'];
  const move = flags['--move'];
  if (positional.length !== 1 || (skip === undefined) === (move === undefined)) return fail('expected FILE and one of --skip SEQ or --move SEQ:TO; see `pasid-ledger whatif --help`');
  let edit: Edit;
  if (skip !== undefined) {
    if (!/^\d+$/.test(String(skip))) return fail(`--skip takes a seq, got ${String(skip)}`);
    edit = { skip: Number(skip) };
  } else {
    const m = /^(\d+):(\d+)$/.exec(String(move));
    if (!m) return fail(`--move takes SEQ:TO (e.g. --move 9:4), got ${String(move)}`);
    edit = { move: Number(m[1]), to: Number(m[2]), force: flags['--force'] === true };
  }
  const trace = await loadTrace(positional[0], io, flags['--kernel'] as string | undefined);
  if (!trace.ok) return fail(trace.error.message);
  const file = trace.value.file;
  const r = whatIf(trace.value.entries, trace.value.profile, edit, file);
  if (!r.ok) return fail(r.error.message);
  const { gone, added, kept } = r.value;
  const what = 'skip' in edit ? `without seq ${edit.skip}` : `with seq ${edit.move} moved after ${edit.to === 0 ? 'the start' : `seq ${edit.to}`}`;
  if (flags['--json'] === true) {
    io.stdout.write(`${JSON.stringify({ edit, gone, new: added, kept }, null, 2)}\n`);
    return EXIT.OK;
  }
  const out = [`${file} ${what}: ${gone.length} finding(s) gone, ${added.length} new, ${kept} unchanged`];
  if (gone.length > 0) out.push('gone:', ...gone.map((c) => line(c, file)));
  if (added.length > 0) out.push('new:', ...added.map((c) => line(c, file)));
  io.stdout.write(`${out.join('\n')}\n`);
  return EXIT.OK;
}

export const whatifCommand: Command = { name: 'whatif', summary: 'replay with one record skipped or moved and compare the findings', help: HELP, run };
