/** `pasid-ledger generate --records N`: a synthetic, valid, deterministic trace of one kernel era. */
import type { Command, CliIo } from './command.js';
import { EXIT, refuse } from './command.js';
import { intFlag, parseArgs } from './args.js';
import { DEFAULT_KERNEL, DEFAULT_SEED, generateTrace } from '../generate/generateTrace.js';
import { serializeHeader, serializeRecord } from '../log/serialize.js';
import { writeTraceLines } from '../log/writeTraceLines.js';

const HELP = `usage: pasid-ledger generate --records N [--kernel VERSION] [--seed S] [-o OUT]

Writes a synthetic trace of about N records for one kernel era: device probes,
kernel-DMA PASIDs (global PASID or IOASID, domain alloc/free, attach/detach),
SVA binds of many mms on several devices with their nested records, mm exits,
and three injected bugs (a wrong-domain detach, a leak, a double free). The
model decides every return value, so only the injected bugs raise findings.
The same seed gives the same bytes. About 1 % of N PASID users are live at
steady state (10 k for 1 M records); the end of the trace tears them down.

options:
  --records N        number of records (required)
  --kernel VERSION   kernel era, default ${DEFAULT_KERNEL}
  --seed S           PRNG seed (non-negative integer), default ${DEFAULT_SEED}
  -o, --out OUT      write to OUT instead of stdout

example:
  pasid-ledger generate --records 100000 --kernel 6.2.0 -o /tmp/t.jsonl && pasid-ledger audit /tmp/t.jsonl
`;

async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseArgs(argv, { '--records': 'string', '--kernel': 'string', '--seed': 'string', '-o': 'string', '--out': 'string' }, 'generate');
  if (!parsed.ok) return refuse(io, 'generate', parsed.error.message);
  const { positional, flags } = parsed.value;
  const records = intFlag(flags['--records'], '--records');
  const seed = intFlag(flags['--seed'], '--seed');
  if (!records.ok || !seed.ok) return refuse(io, 'generate', `${(!records.ok ? records.error : (seed as { error: { message: string } }).error).message}`);
  if (positional.length > 0 || records.value === undefined) return refuse(io, 'generate', 'expected --records N and no FILE; see `pasid-ledger generate --help`');
  const trace = generateTrace({ records: records.value, kernel: flags['--kernel'] as string | undefined, seed: seed.value });
  if (!trace.ok) return refuse(io, 'generate', trace.error.message);
  const out = (flags['-o'] ?? flags['--out']) as string | undefined;
  if (out === undefined) {
    // Why: ~1 MB writes with backpressure, so a 1 M-record trace never queues in memory; a closed pipe ends quietly.
    let closed = false;
    io.stdout.on('error', () => (closed = true));
    let buf = `${serializeHeader(trace.value.header)}\n`;
    for (const r of trace.value.records()) {
      buf += `${serializeRecord(r)}\n`;
      if (buf.length < 1 << 20) continue;
      if (closed) return EXIT.OK;
      if (!io.stdout.write(buf)) await new Promise((resolve) => io.stdout.once('drain', resolve));
      buf = '';
    }
    if (!closed) io.stdout.write(buf);
    return EXIT.OK;
  }
  const n = writeTraceLines(out, trace.value.header, trace.value.records());
  io.stderr.write(`${out}: ${n} records, kernel ${trace.value.header.kernel}\n`);
  return EXIT.OK;
}

export const generateCommand: Command = { name: 'generate', summary: 'write a synthetic trace of N records for one kernel era', help: HELP, run };
