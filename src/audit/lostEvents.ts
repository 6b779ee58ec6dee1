/** Marking findings that a capture's lost events may explain (a missed alloc makes a later free look unknown). Pure. */
import type { Finding } from '../replay/finding.js';

/** The finding, marked when events were lost before its record (or anywhere, for end-of-trace checks). */
export function markLost(f: Finding, lostAfter: readonly number[]): Finding {
  if (lostAfter.length === 0) return f;
  const first = Math.min(...lostAfter);
  const affected = f.atEnd || (f.seq !== null && f.seq > first);
  if (!affected || f.maybeLostEvents) return f;
  return { ...f, maybeLostEvents: true, message: `${f.message} [events were lost after seq ${first}: may be an artefact of the capture]` };
}
