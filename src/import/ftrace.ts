/** ftrace text (trace, trace_pipe, trace-cmd report) with kprobe/kretprobe/fprobe lines → capture events. */
import type { CaptureEvent } from './captureEvent.js';
import type { CaptureLine } from './lines.js';
import { parseFtraceLine } from './ftraceLine.js';

/** One capture event per line. The tgid column (options/record-tgid) gives `pid`. */
export async function* ftraceEvents(lines: AsyncIterable<CaptureLine>): AsyncGenerator<CaptureEvent> {
  for await (const { line, text, terminated } of lines) {
    // Why: the kernel ends every trace line with \n; a last line without one was cut mid-write, and a
    // cut kprobe line still parses (with a shortened value), so it cannot be trusted.
    if (!terminated) {
      yield { kind: 'truncated', line };
      continue;
    }
    const parsed = parseFtraceLine(text);
    switch (parsed.kind) {
      case 'ignored':
        yield { kind: 'ignored', line };
        break;
      case 'lost':
        yield { kind: 'lost', line, cpu: parsed.cpu, ...(parsed.count !== undefined ? { count: parsed.count } : {}) };
        break;
      case 'other':
        yield { kind: 'foreign', line, what: parsed.what };
        break;
      case 'probe':
        yield {
          kind: parsed.phase,
          line,
          ts: parsed.ts,
          cpu: parsed.cpu,
          tid: parsed.tid,
          ...(parsed.tgid !== undefined ? { pid: parsed.tgid } : {}),
          ...(parsed.comm !== undefined ? { comm: parsed.comm } : {}),
          symbol: parsed.symbol,
          fields: parsed.fields,
        };
        break;
    }
  }
}
