/** `pasid-ledger history FILE --pasid N | --dev BDF | ... | --finding CODE[:N]`: who changed this object. */
import type { Command, CliIo } from './command.js';
import { EXIT, refuse } from './command.js';
import { parseArgs, type FlagSpec } from './args.js';
import { chainEnd, chainTokens, historyOf, nthFinding, type HistoryItem } from '../timetravel/history.js';
import { selectorToken, SELECTOR_KINDS } from '../timetravel/refs.js';
import { formatFact, formatFindingLine, formatRecord } from '../timetravel/format.js';
import type { CallRecord } from '../../events/records.js';
import { openTimeline } from './traceFile.js';
import { openProgress } from './progress.js';

const HELP = `usage: pasid-ledger history FILE (--pasid N | --dev BDF | --domain D | --mm M |
                                  --allocator OPS | --handle H | --ioasid N |
                                  --finding CODE[:N]) [--json] [--kernel VERSION] [--write-index]

Lists every record that touched an object: its args or return name it, or a fact it
produced does (PasidAttached names dev, pasid and domain, ...). For each record: the
record, its facts and findings, and the object's state right before and right after.
This is the "who changed this refcount" view.

--finding CODE[:N] lists the chain that led to the Nth finding with that code (N from
1, default 1): the records that touched the objects the finding names, up to it (an
end-of-trace leak follows the object its creating record named).

options:
  --pasid N | --dev BDF | --domain D | --mm M | --allocator OPS | --handle H | --ioasid N
                     the object (one selector)
  --finding CODE[:N] the chain of the Nth finding with CODE
  --json             print {"selector", "records": [...]}
  --kernel VERSION   use this kernel's rules instead of the header's
  --write-index      build FILE.idx first (one streaming pass); with it, history reads only
                     the records that touched the object (its per-object record lists)
  --quiet            no progress bar while the index is built (drawn on stderr only on a terminal)

exit status: 0 ok (also when nothing touched the object), 2 bad input or usage

examples:
  pasid-ledger history capture.jsonl --pasid 5
  pasid-ledger history capture.jsonl --domain dom2 --json | jq '.records[].seq'
  pasid-ledger history capture.jsonl --finding DETACH_WRONG_DOMAIN:1
`;

function formatItem(i: HistoryItem, file: string): string {
  const out = [formatRecord({ seq: i.seq, tid: i.tid, fn: i.fn, args: i.args, ret: i.ret, ...(i.parent === null ? {} : { parent: i.parent }), ...(i.caller !== undefined ? { caller: i.caller } : {}) } as CallRecord, i.line)];
  for (const f of i.facts) out.push(`    fact ${formatFact(f)}`);
  for (const f of i.findings) out.push(`    finding ${formatFindingLine(f, file)}`);
  if (i.changes.length > 0) for (const c of i.changes) out.push(`    ${c.text}`);
  else out.push(`    no change: ${i.after.map((o) => `${o.label}: ${o.state}`).join('; ') || '(no such object)'}`);
  return out.join('\n');
}

async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const fail = (message: string) => {
    return refuse(io, 'history', message);
  };
  const spec: FlagSpec = Object.fromEntries([...SELECTOR_KINDS.map((k) => [`--${k}`, 'string'] as const), ['--finding', 'string'], ['--json', 'bool'], ['--kernel', 'string'], ['--write-index', 'bool'], ['--quiet', 'bool']]) as FlagSpec;
  const parsed = parseArgs(argv, spec, 'history');
  if (!parsed.ok) return fail(parsed.error.message);
  const { positional, flags } = parsed.value;
  const chosen = [...SELECTOR_KINDS.filter((k) => flags[`--${k}`] !== undefined).map((k) => `--${k}`), ...(flags['--finding'] !== undefined ? ['--finding'] : [])];
  if (positional.length !== 1 || chosen.length !== 1) return fail(`expected FILE and exactly one selector (got ${chosen.join(', ') || 'none'}); see \`pasid-ledger history --help\``);
  const kernel = flags['--kernel'] as string | undefined;
  const opened = await openTimeline(positional[0], io, { command: 'history', kernel, full: true, write: flags['--write-index'] === true, quiet: flags['--quiet'] === true });
  if (!opened.ok) return fail(opened.error.message);
  const { timeline: index, file } = opened.value;
  let tokens: Set<string>;
  let until = index.length - 1;
  let selector: string;
  let header: string;
  if (chosen[0] === '--finding') {
    const m = /^([A-Z][A-Z0-9_]*)(?::(\d+))?$/.exec(String(flags['--finding']));
    if (!m) return fail(`--finding takes CODE or CODE:N (e.g. DETACH_WRONG_DOMAIN:2), got ${String(flags['--finding'])}`);
    const f = nthFinding(index, m[1], m[2] === undefined ? 1 : Number(m[2]), file);
    if (!f.ok) return fail(f.error.message);
    tokens = chainTokens(index, f.value);
    until = chainEnd(index, f.value);
    selector = `finding ${m[1]}:${m[2] ?? 1}`;
    header = `${formatFindingLine(f.value, file)}\nchain (records that touched ${[...tokens].join(', ') || 'nothing named'}):`;
  } else {
    const kind = SELECTOR_KINDS.find((k) => `--${k}` === chosen[0]) ?? 'pasid';
    const value = String(flags[chosen[0]]);
    tokens = new Set([selectorToken(kind, value)]);
    selector = `${kind} ${value}`;
    header = `history of ${selector} in ${file}:`;
  }
  // The records come from the per-object lists of FILE.idx when there is one; each costs a seek.
  const progress = openProgress(io, { label: 'history', total: 0, unit: 'records', quiet: flags['--quiet'] === true });
  const items = historyOf(index, tokens, until, (done, total) => {
    if (done === 1) progress.setTotal(total);
    progress.update(done, done);
  });
  progress.stop();
  if (flags['--json'] === true) {
    io.stdout.write(`${JSON.stringify({ selector, tokens: [...tokens], records: items }, null, 2)}\n`);
    return EXIT.OK;
  }
  io.stdout.write(`${header}\n${items.length === 0 ? `no record touched ${selector}` : items.map((i) => formatItem(i, file)).join('\n')}\n`);
  return EXIT.OK;
}

export const historyCommand: Command = { name: 'history', summary: 'every record that touched an object, with its state before and after', help: HELP, run };
