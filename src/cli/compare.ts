/** `pasid-ledger compare FILE --kernel A --kernel B | --kernel-range A..B`: what changes on another kernel. */
import type { Command, CliIo } from './command.js';
import { EXIT, refuse } from './command.js';
import { parseArgs } from './args.js';
import { loadTrace } from './traceFile.js';
import { profileFor, type Profile } from '../../machines/profile.js';
import { compareTrace, hasDifferences, reportJson, reportText } from '../compare/report.js';

const HELP = `usage: pasid-ledger compare FILE --kernel A [--kernel B ...] [--json]
       pasid-ledger compare FILE --kernel-range A..B [--json]

Replays FILE's calls under each kernel's rules and shows, per record, where the
return, the state changes (facts: what is allocated, freed, bound, attached, with
refcounts) or the findings differ. On every kernel the model decides every return
(a recorded return belongs to the kernel it was recorded on); the recording is
checked separately against its own kernel (the header's) and its disagreements
are listed first. Differences are grouped by cause:

  calls that do not exist in one of the kernels
  different returns
  different state changes (refcounts, lifetimes)
  findings that appear, vanish or change the kernel reaction

and each is tied to the era boundary responsible: the first boundary between the
two kernels at which it appears (a bisection over the era table's boundaries, not
over every release), with the flag or call range that changes there, its commit
and section of the semantics doc. When several flags change at that boundary,
each is applied alone to the kernel before it to name the one responsible.

  --kernel V         a kernel to compare (repeat it: consecutive pairs are compared
                     in the order given; one --kernel compares the header's kernel with V)
  --kernel-range A..B  compare A with B and list every era boundary between them with
                     the differences that first appear there
  --all              list every difference (the text lists 20 per cause and counts the rest)
  --json             print the report as JSON, every difference (schema
                     pasid-ledger-compare/1, docs/compare.md)

exit status: 0 no difference, 1 differences, 2 bad input or usage (an unknown or
unsupported kernel, a trace that does not validate)

examples:
  pasid-ledger compare samples/buggy-v6.2.jsonl --kernel 6.2.0 --kernel 6.12.0
  pasid-ledger compare capture.jsonl --kernel 6.12.0
  pasid-ledger compare samples/clean-v6.8.jsonl --kernel-range 6.6..6.12 --json
`;

/** `A..B` → [A, B] (each end still to be checked as a kernel); null when it is not of that form. Pure. */
export function parseKernelRange(text: string): readonly [string, string] | null {
  const parts = text.split('..');
  const end = (t: string) => /^[^\s.](?:\S*[^\s.])?$/.test(t);
  return parts.length === 2 && end(parts[0]) && end(parts[1]) ? [parts[0], parts[1]] : null;
}

/** Differences listed per cause in the text report unless --all (a long capture differs on many records). */
const TEXT_LIMIT = 20;

function kernelProfile(kernel: string, option: string): Profile | string {
  const p = profileFor(kernel);
  if (p !== null) return p;
  return `${option} ${kernel}: not a kernel version pasid-ledger models (5.5 or later, e.g. 6.8.0 or v6.9-rc3)`;
}

async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const fail = (message: string) => refuse(io, 'compare', message);
  const parsed = parseArgs(argv, { '--kernel': 'string[]', '--kernel-range': 'string', '--json': 'bool', '--all': 'bool' }, 'compare');
  if (!parsed.ok) return fail(parsed.error.message);
  const { positional, flags } = parsed.value;
  if (positional.length !== 1) return fail('expected one FILE; see `pasid-ledger compare --help`');
  const listed = (flags['--kernel'] as string[] | undefined) ?? [];
  const range = flags['--kernel-range'] as string | undefined;
  if (range !== undefined && listed.length > 0) return fail('give either --kernel (repeated) or --kernel-range A..B, not both');
  if (range === undefined && listed.length === 0) return fail('name the kernels: --kernel A --kernel B, or --kernel-range A..B; see `pasid-ledger compare --help`');
  let names: string[];
  if (range !== undefined) {
    const ends = parseKernelRange(range);
    if (ends === null) return fail(`--kernel-range takes A..B (e.g. 6.1..6.12), got ${range}`);
    names = [...ends];
  } else names = listed;
  // Every kernel is checked before the trace is read: a typo costs nothing.
  const given: Profile[] = [];
  for (const k of names) {
    const p = kernelProfile(k, range !== undefined ? '--kernel-range' : '--kernel');
    if (typeof p === 'string') return fail(p);
    given.push(p);
  }
  const trace = await loadTrace(positional[0], io);
  if (!trace.ok) return fail(trace.error.message);
  for (const w of trace.value.warnings) io.stderr.write(`warning: ${w.message}\n`);
  const kernels = given.length === 1 ? [trace.value.profile, given[0]] : given;
  const report = compareTrace(trace.value.file, trace.value.entries, trace.value.profile, kernels, range !== undefined ? 'range' : 'kernels');
  const limit = flags['--all'] === true ? Number.POSITIVE_INFINITY : TEXT_LIMIT;
  io.stdout.write(flags['--json'] === true ? `${JSON.stringify(reportJson(report), null, 2)}\n` : `${reportText(report, limit)}\n`);
  return hasDifferences(report) ? EXIT.FINDINGS : EXIT.OK;
}

export const compareCommand: Command = { name: 'compare', summary: 'replay a trace under several kernels and show what differs, and which era boundary causes it', help: HELP, run };
