/** bpftrace `-f json` NDJSON from the capture kit → capture events. */
import type { CaptureEvent } from './captureEvent.js';
import type { CaptureLine } from './lines.js';
import { parseBpftraceLine } from './bpftraceLine.js';

/** The capture event of one line. Pure. */
export function bpftraceEvent({ line, offset, text, terminated }: CaptureLine): CaptureEvent {
  const parsed = parseBpftraceLine(text);
  // Why: a cut JSON line can never parse (its braces are unbalanced), so only a last line that
  // fails to parse is truncated; a complete one that merely lacks its newline is kept.
  if (!terminated && (parsed.kind === 'notJson' || parsed.kind === 'other')) return { kind: 'truncated', line };
  switch (parsed.kind) {
    case 'ignored':
      return { kind: 'ignored', line };
    case 'lost':
      return { kind: 'lost', line, ...(parsed.count !== undefined ? { count: parsed.count } : {}) };
    case 'meta':
      return { kind: 'meta', line, ...(parsed.kernel !== undefined ? { kernel: parsed.kernel } : {}), ...(parsed.host !== undefined ? { host: parsed.host } : {}) };
    case 'malformed':
      return { kind: 'malformed', line, what: parsed.what };
    case 'notJson':
      return { kind: 'foreign', line, what: 'not JSON' };
    case 'other':
      return { kind: 'foreign', line, what: parsed.what };
    case 'probe': {
      const { kind: _probe, phase, ...hit } = parsed;
      return { kind: phase, line, offset, ...hit };
    }
  }
}
