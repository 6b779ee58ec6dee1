/** ftrace text (trace, trace_pipe, trace-cmd report) with kprobe/kretprobe/fprobe lines → capture events. */
import type { CaptureEvent } from './captureEvent.js';
import type { CaptureLine } from './lines.js';
import { parseFtraceLine } from './ftraceLine.js';

/** The capture event of one line. The TGID column (options/record-tgid) gives `pid`. Pure. */
export function ftraceEvent({ line, offset, text, terminated }: CaptureLine): CaptureEvent {
  // Why: the kernel ends every trace line with \n; a last line without one was cut mid-write, and a
  // cut kprobe line still parses (with a shortened value), so it cannot be trusted.
  if (!terminated) return { kind: 'truncated', line };
  const parsed = parseFtraceLine(text);
  switch (parsed.kind) {
    case 'ignored':
      return { kind: 'ignored', line };
    case 'lost':
      return { kind: 'lost', line, cpu: parsed.cpu, ...(parsed.count !== undefined ? { count: parsed.count } : {}) };
    case 'other':
      return { kind: 'foreign', line, what: parsed.what };
    case 'probe':
      return {
        kind: parsed.phase,
        line,
        offset,
        ts: parsed.ts,
        cpu: parsed.cpu,
        tid: parsed.tid,
        ...(parsed.tgid !== undefined ? { pid: parsed.tgid } : {}),
        ...(parsed.comm !== undefined ? { comm: parsed.comm } : {}),
        symbol: parsed.symbol,
        fields: parsed.fields,
      };
  }
}
