/**
 * Bulk writer of a trace known to be valid (a generated one): canonical lines written in chunks of
 * about 1 MB, not one write per line as TraceWriter does for live captures. Synchronous.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import type { CallRecord, TraceHeader } from '../../events/records.js';
import { serializeHeader, serializeRecord } from './serialize.js';

const CHUNK = 1 << 20;

/** Writes header and records to fd; returns the number of records written. */
export function writeTraceLinesToFd(fd: number, header: TraceHeader, records: Iterable<CallRecord>): number {
  let buf = `${serializeHeader(header)}\n`;
  let n = 0;
  for (const r of records) {
    buf += `${serializeRecord(r)}\n`;
    n++;
    if (buf.length >= CHUNK) {
      writeSync(fd, buf);
      buf = '';
    }
  }
  if (buf.length > 0) writeSync(fd, buf);
  return n;
}

/** Writes a whole trace to path (created or truncated). */
export function writeTraceLines(path: string, header: TraceHeader, records: Iterable<CallRecord>): number {
  const fd = openSync(path, 'w');
  try {
    return writeTraceLinesToFd(fd, header, records);
  } finally {
    closeSync(fd);
  }
}
