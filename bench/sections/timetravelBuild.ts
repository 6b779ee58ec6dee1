/** Child process of the time-travel bench: builds TRACE.idx with K (argv) in one streaming pass; prints wall ms and peak RSS. */
import { writeSidecarStreaming } from '../../src/cli/traceFile.js';
import type { CliIo } from '../../src/cli/command.js';
import { boundHeapGrowth } from '../../src/io/heap.js';

// Why: the CLI entry bounds V8's heap growth before `--write-index` runs; the bench measures that build, not V8's default.
boundHeapGrowth(process.env);

const [path, k] = process.argv.slice(2);
const io = { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: {} } as unknown as CliIo;
const t0 = performance.now();
const r = await writeSidecarStreaming(path, io, true, Number(k));
if (!r.ok || r.value === null) {
  process.stderr.write(`${r.ok ? 'not written' : r.error.message}\n`);
  process.exit(1);
}
const u = process.resourceUsage();
process.stdout.write(JSON.stringify({ ms: Math.round(performance.now() - t0), cpuMs: Math.round((u.userCPUTime + u.systemCPUTime) / 1000), peakRssMb: Math.round((u.maxRSS * 1024) / (1 << 20)) }));
