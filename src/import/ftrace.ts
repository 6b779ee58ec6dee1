/** ftrace text (trace, trace_pipe, trace-cmd report) with kprobe/kretprobe/fprobe lines → capture events. */
import type { CaptureEvent } from './captureEvent.js';
import type { CaptureLine } from './lines.js';
import { parseFtraceLine, type FtraceLine } from './ftraceLine.js';
import { rawText } from './rawValue.js';

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
      return { kind: 'foreign', line, what: parsed.what, foreign: parsed.foreign };
    case 'marker':
      return markerEvent(line, offset, parsed);
    case 'kmsg':
      return { kind: 'kmsg', line, ...(parsed.ts !== undefined ? { ts: parsed.ts } : {}), text: parsed.text };
    case 'console':
      return { kind: 'kernelLog', line, ts: parsed.ts, cpu: parsed.cpu, tid: parsed.tid, ...(parsed.comm !== undefined ? { comm: parsed.comm } : {}), text: parsed.text };
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
        ...(parsed.caller !== undefined ? { caller: parsed.caller } : {}),
        fields: parsed.fields,
      };
  }
}

/**
 * The kit's trace_marker lines: `capture kernel=RELEASE kit=… [noreturn=FN,FN]` at start (the
 * kernel, and the functions whose return probe could not be defined), `device dev=NAME
 * max_pasids=N [group=G]` for each device already behind an IOMMU when the capture started.
 */
function markerEvent(line: number, offset: number, m: Extract<FtraceLine, { kind: 'marker' }>): CaptureEvent {
  const text = (key: string): string | undefined => {
    const v = m.fields.get(key);
    return v === undefined ? undefined : rawText(v);
  };
  if (m.word === 'capture') {
    const kernel = text('kernel');
    const noReturn = (text('noreturn') ?? '').split(',').filter((s) => s !== '');
    return { kind: 'meta', line, ...(kernel !== undefined && kernel !== '' ? { kernel } : {}), ...(noReturn.length > 0 ? { noReturn } : {}) };
  }
  if (m.word === 'device') {
    const fields = new Map(m.fields);
    fields.set('ret', { t: 'num', v: 0n });
    return { kind: 'call', line, offset, ts: m.ts, cpu: m.cpu, tid: m.tid, ...(m.comm !== undefined ? { comm: m.comm } : {}), symbol: 'iommu_probe_device', fields, marker: true };
  }
  return { kind: 'foreign', line, what: `a kit marker "${m.word}" this version does not read` };
}
