/** bpftrace `-f json` NDJSON from the capture kit → capture events. */
import type { CaptureEvent } from './captureEvent.js';
import type { CaptureLine } from './lines.js';
import { parseBpftraceLine } from './bpftraceLine.js';

export async function* bpftraceEvents(lines: AsyncIterable<CaptureLine>): AsyncGenerator<CaptureEvent> {
  for await (const { line, text, terminated } of lines) {
    const parsed = parseBpftraceLine(text);
    // Why: a cut JSON line can never parse (its braces are unbalanced), so only a last line that
    // fails to parse is truncated; a complete one that merely lacks its newline is kept.
    if (!terminated && (parsed.kind === 'notJson' || parsed.kind === 'other')) {
      yield { kind: 'truncated', line };
      continue;
    }
    switch (parsed.kind) {
      case 'ignored':
        yield { kind: 'ignored', line };
        break;
      case 'lost':
        yield { kind: 'lost', line, ...(parsed.count !== undefined ? { count: parsed.count } : {}) };
        break;
      case 'meta':
        yield { kind: 'meta', line, ...(parsed.kernel !== undefined ? { kernel: parsed.kernel } : {}), ...(parsed.host !== undefined ? { host: parsed.host } : {}) };
        break;
      case 'malformed':
        yield { kind: 'malformed', line, what: parsed.what };
        break;
      case 'notJson':
        yield { kind: 'foreign', line, what: 'not JSON' };
        break;
      case 'other':
        yield { kind: 'foreign', line, what: parsed.what };
        break;
      case 'probe': {
        const { kind: _probe, phase, ...hit } = parsed;
        yield { kind: phase, line, ...hit };
        break;
      }
    }
  }
}
