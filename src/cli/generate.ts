/** `pasid-ledger generate --records N`: a synthetic, valid, deterministic trace of one kernel era. */
import type { Command, CliIo } from './command.js';
import { EXIT, refuse } from './command.js';
import { intFlag, parseArgs } from './args.js';
import { DEFAULT_KERNEL, DEFAULT_SEED, generateTrace } from '../generate/generateTrace.js';
import { serializeHeader, serializeRecord } from '../log/serialize.js';
import { TraceOutput } from '../io/traceOutput.js';

const HELP = `usage: pasid-ledger generate --records N [--kernel VERSION] [--seed S] [--live L] [-o OUT [--force]]

Writes a synthetic trace of about N records for one kernel era: device probes,
kernel-DMA PASIDs (global PASID or IOASID, domain alloc/free, attach/detach),
SVA binds of many mms on several devices with their nested records, mm exits,
and three injected bugs (a wrong-domain detach, a leak, a double free). The
model decides every return value, so only the injected bugs raise findings.
The same seed gives the same bytes. About 1 % of N PASID users are live at
steady state (10 k for 1 M records; --live fixes the number instead); the end
of the trace tears them down.

options:
  --records N        number of records (required)
  --kernel VERSION   kernel era, default ${DEFAULT_KERNEL}
  --seed S           PRNG seed (non-negative integer), default ${DEFAULT_SEED}
  --live L           keep about L PASID users live at steady state, whatever N
                     (a longer trace of the same workload; at most N / 20);
                     default 1 % of N, at least 20
  -o, --out OUT      write to OUT instead of stdout (OUT appears complete or not at all)
  --force            replace OUT if it exists (default: refuse)

examples:
  pasid-ledger generate --records 100000 --kernel 6.2.0 -o /tmp/t.jsonl && pasid-ledger audit /tmp/t.jsonl
  pasid-ledger generate --records 10000000 --live 1000 -o /tmp/10m.jsonl   # the 100 k trace's workload, 100x longer
`;

async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseArgs(argv, { '--records': 'string', '--kernel': 'string', '--seed': 'string', '--live': 'string', '-o': 'string', '--out': 'string', '--force': 'bool' }, 'generate');
  if (!parsed.ok) return refuse(io, 'generate', parsed.error.message);
  const { positional, flags } = parsed.value;
  const records = intFlag(flags['--records'], '--records');
  const seed = intFlag(flags['--seed'], '--seed');
  const live = intFlag(flags['--live'], '--live');
  if (!records.ok) return refuse(io, 'generate', records.error.message);
  if (!seed.ok) return refuse(io, 'generate', seed.error.message);
  if (!live.ok) return refuse(io, 'generate', live.error.message);
  if (positional.length > 0 || records.value === undefined) return refuse(io, 'generate', 'expected --records N and no FILE; see `pasid-ledger generate --help`');
  const trace = generateTrace({ records: records.value, kernel: flags['--kernel'] as string | undefined, seed: seed.value, live: live.value });
  if (!trace.ok) return refuse(io, 'generate', trace.error.message);
  const path = (flags['-o'] ?? flags['--out']) as string | undefined;
  let out: TraceOutput;
  if (path !== undefined) {
    const opened = TraceOutput.toFile(path, { force: flags['--force'] === true });
    if (!opened.ok) return refuse(io, 'generate', opened.error.message);
    out = opened.value;
  } else out = TraceOutput.toStream(io.stdout);
  // Why: ~1 MB writes with backpressure, so a 1 M-record trace never queues in memory (a closed pipe ends the process: main.ts).
  const failed = (e: { message: string }) => refuse(io, 'generate', `${e.message}; nothing was written`);
  let w = out.push(serializeHeader(trace.value.header));
  for (const r of trace.value.records()) {
    if (!w.ok) break;
    w = out.push(serializeRecord(r));
    if (out.waiting) await out.drained();
  }
  if (!w.ok) {
    out.abort();
    return failed(w.error);
  }
  const done = await out.finish();
  if (!done.ok) return failed(done.error);
  if (path !== undefined) io.stderr.write(`${path}: ${out.count} records, kernel ${trace.value.header.kernel}\n`);
  return EXIT.OK;
}

export const generateCommand: Command = { name: 'generate', summary: 'write a synthetic trace of N records for one kernel era', help: HELP, run };
