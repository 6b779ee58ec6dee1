/**
 * Loading a whole trace for the time-travel commands (they jump around, so the records are kept in
 * memory), and the time-travel index sidecar `TRACE.idx`: read when it matches the trace, written on
 * request. The only IO of time travel.
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, readSync, renameSync, statSync, writeSync } from 'node:fs';
import type { TraceHeader } from '../../events/records.js';
import type { Profile } from '../../machines/profile.js';
import { ledgerError, err, ok, type LedgerError, type Result } from '../core/result.js';
import { profileOf, type Entry } from '../replay/replayTrace.js';
import { buildIndex, startIndex, type TravelIndex } from '../timetravel/index.js';
import { decodeIndex, encodeIndex, type Fingerprint } from '../timetravel/indexCodec.js';
import type { CliIo } from './command.js';
import { openTrace } from './input.js';
import { openProgress } from './progress.js';

export interface LoadedTrace {
  readonly file: string;
  /** The path on disk, null for stdin. */
  readonly path: string | null;
  readonly header: TraceHeader;
  readonly profile: Profile;
  readonly entries: Entry[];
  readonly warnings: readonly LedgerError[];
}

/** Reads every record of a trace (or, with `from`, of a raw capture); the first reader error stops with it. */
export async function loadTrace(path: string, io: CliIo, kernel?: string, from?: string): Promise<Result<LoadedTrace, LedgerError>> {
  const input = openTrace(path, io, { from, kernel });
  if ('code' in input) return err(input);
  const entries: Entry[] = [];
  const warnings: LedgerError[] = [];
  let header: TraceHeader | undefined;
  for await (const item of input.items) {
    if (item.kind === 'header') header = item.header;
    else if (item.kind === 'record') entries.push({ record: item.entry.record, line: item.entry.line });
    else if (item.kind === 'warning') warnings.push(item.warning);
    else if (item.kind === 'error') return err(item.error);
    else return err(ledgerError('HEADER_MISSING', 'a derived-event log was given where a trace is expected', { file: input.file, line: 1, fix: 'pass the trace, not the log' }));
  }
  if (header === undefined) return err(ledgerError('EMPTY_FILE', 'no header and no records', { file: input.file, fix: 'capture or write a trace first' }));
  const profile = profileOf(header, kernel, input.file);
  if (!profile.ok) return profile;
  // A capture is imported afresh each time: no sidecar index next to it.
  return ok({ file: input.file, path: path === '-' || from !== undefined ? null : path, header, profile: profile.value, entries, warnings });
}

const SAMPLE = 1 << 16;

/** Size and SHA-256 of the first and last 64 KiB: a changed, grown or truncated trace shows. */
export function fingerprint(path: string): Fingerprint {
  const size = statSync(path).size;
  const fd = openSync(path, 'r');
  try {
    const hash = (start: number) => {
      const buf = Buffer.alloc(Math.min(SAMPLE, size - start));
      readSync(fd, buf, 0, buf.length, start);
      return createHash('sha256').update(buf).digest('hex');
    };
    return { size, head: hash(0), tail: hash(Math.max(0, size - SAMPLE)) };
  } finally {
    closeSync(fd);
  }
}

export const sidecarPath = (path: string) => `${path}.idx`;

export interface OpenedIndex {
  readonly index: TravelIndex;
  /** Where it came from: the sidecar, a full build, or the start only (seeks replay from record 1). */
  readonly source: 'sidecar' | 'built' | 'start';
}

/**
 * The index of a loaded trace: the sidecar when it matches; otherwise built (`full`: a replay pass
 * with checkpoints, needed for the full run's facts and findings) or just the start checkpoint.
 * With `write`, a built index is saved as the sidecar (atomically: temp file then rename).
 */
export function openIndex(t: LoadedTrace, options: { full: boolean; write: boolean; kernelOverride: boolean; quiet?: boolean }, io: CliIo): OpenedIndex {
  const path = t.path;
  // Why: an index records one kernel's rules; --kernel asks for another, so it is neither read nor written.
  const usable = path !== null && !options.kernelOverride;
  if (usable && existsSync(sidecarPath(path))) {
    try {
      const lines = readFileSync(sidecarPath(path), 'utf8').split('\n');
      if (lines[lines.length - 1] === '') lines.pop();
      const decoded = decodeIndex(lines, t.entries, t.profile, fingerprint(path), sidecarPath(path));
      if (decoded.ok) return { index: decoded.value, source: 'sidecar' };
      io.stderr.write(`warning: ${decoded.error.message}\n`);
    } catch (e) {
      io.stderr.write(`warning: ${sidecarPath(path)}: cannot read the index (${(e as Error).message}); it is rebuilt from the trace\n`);
    }
  }
  if (!options.full && !options.write) return { index: startIndex(t.entries, t.profile), source: 'start' };
  const progress = openProgress(io, { label: 'index', total: t.entries.length, unit: 'records', quiet: options.quiet });
  const index = buildIndex(t.entries, t.profile, undefined, undefined, (i) => (i + 1) % 1024 === 0 && progress.update(i + 1));
  progress.stop();
  if (options.write && usable) writeSidecar(index, path, io);
  return { index, source: 'built' };
}

/** Saves the index next to the trace; a failure only warns (the index is a cache). */
function writeSidecar(index: TravelIndex, path: string, io: CliIo): void {
  try {
    const tmp = `${sidecarPath(path)}.tmp`;
    // Line by line in batches: the index of a long trace does not fit in one string.
    const fd = openSync(tmp, 'w');
    try {
      let batch: string[] = [];
      for (const line of encodeIndex(index, fingerprint(path))) {
        batch.push(line);
        if (batch.length >= 4096) {
          writeSync(fd, `${batch.join('\n')}\n`);
          batch = [];
        }
      }
      if (batch.length > 0) writeSync(fd, `${batch.join('\n')}\n`);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, sidecarPath(path));
  } catch (e) {
    io.stderr.write(`warning: ${sidecarPath(path)}: cannot write the index (${(e as Error).message}); continuing without it\n`);
  }
}
