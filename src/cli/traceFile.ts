/**
 * Loading a whole trace for the time-travel commands (they jump around, so the records are kept in
 * memory), and the time-travel index sidecar `TRACE.idx`: read when it matches the trace, written on
 * request. The only IO of time travel.
 */
import { closeSync, existsSync, openSync, readFileSync, readSync } from 'node:fs';
import type { TraceHeader } from '../../events/records.js';
import type { Profile } from '../../machines/profile.js';
import { ledgerError, err, ok, type LedgerError, type Result } from '../core/result.js';
import { profileOf, type Entry } from '../replay/replayTrace.js';
import { buildIndex, startIndex, type TravelIndex } from '../timetravel/index.js';
import { decodeIndex, encodeIndex, INDEX_FORMAT } from '../timetravel/indexCodec.js';
import { fingerprintOf, type TraceFingerprint } from '../timetravel/fingerprint.js';
import { AtomicOutput } from '../io/output.js';
import type { ReadSummary } from '../log/readItem.js';
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
  /** Size and SHA-256 of the bytes read (null for stdin and captures): what an index is checked against. */
  readonly fingerprint: TraceFingerprint | null;
  /** Seqs after which a capture lost events: findings after them may be artefacts (src/audit/lostEvents.ts). */
  readonly lostAfter: readonly number[];
}

/** Reads every record of a trace (or, with `from`, of a raw capture); the first reader error stops with it. */
export async function loadTrace(path: string, io: CliIo, kernel?: string, from?: string): Promise<Result<LoadedTrace, LedgerError>> {
  let summary: ReadSummary | undefined;
  const input = openTrace(path, io, { from, kernel, onEnd: (s) => (summary = s) });
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
  const onDisk = path !== '-' && from === undefined;
  const read = summary as ReadSummary | undefined;
  return ok({ file: input.file, path: onDisk ? path : null, header, profile: profile.value, entries, warnings, fingerprint: onDisk && read !== undefined ? fingerprintOf(read) : null, lostAfter: input.lostAfter });
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
  const fp = t.fingerprint;
  const usable = path !== null && fp !== null && !options.kernelOverride;
  if (usable && existsSync(sidecarPath(path))) {
    try {
      const lines = readFileSync(sidecarPath(path), 'utf8').split('\n');
      if (lines[lines.length - 1] === '') lines.pop();
      const decoded = decodeIndex(lines, t.entries, t.profile, fp, sidecarPath(path));
      if (decoded.ok) return { index: decoded.value, source: 'sidecar' };
      io.stderr.write(`warning: ${decoded.error.message}\n`);
    } catch (e) {
      io.stderr.write(`warning: ${sidecarPath(path)}: cannot read the index (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); it is not used; pass --write-index to rebuild it, or delete it\n`);
    }
  }
  if (!options.full && !options.write) return { index: startIndex(t.entries, t.profile), source: 'start' };
  const progress = openProgress(io, { label: 'index', total: t.entries.length, unit: 'records', quiet: options.quiet });
  const index = buildIndex(t.entries, t.profile, undefined, undefined, (i) => (i + 1) % 1024 === 0 && progress.update(i + 1));
  progress.stop();
  if (options.write && usable) writeSidecar(index, path, fp, io);
  return { index, source: 'built' };
}

/** Whether the file at path starts like an index this tool wrote (so replacing it loses no user data). */
function looksLikeIndex(path: string): boolean {
  const head = Buffer.alloc(64);
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const n = readSync(fd, head, 0, head.length, 0);
    return head.subarray(0, n).toString('utf8').startsWith(`{"format":"${INDEX_FORMAT}"`);
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Saves the index next to the trace through a temporary file renamed into place; a failure only
 * warns (the index is a cache) and leaves any earlier file as it was. A file of that name that is
 * not an index is never replaced.
 */
function writeSidecar(index: TravelIndex, path: string, fp: TraceFingerprint, io: CliIo): void {
  const target = sidecarPath(path);
  const warn = (why: string): void => void io.stderr.write(`warning: ${why}; continuing without writing the index\n`);
  const existing = existsSync(target);
  if (existing && !looksLikeIndex(target)) return warn(`${target} exists and is not a pasid-ledger index, so it is not replaced`);
  const opened = AtomicOutput.open(target, { force: existing, inputs: [path] });
  if (!opened.ok) return warn(opened.error.message);
  const out = opened.value;
  // Line by line in batches: the index of a long trace does not fit in one string.
  let batch: string[] = [];
  for (const line of encodeIndex(index, fp)) {
    batch.push(line);
    if (batch.length >= 4096) {
      const w = out.write(`${batch.join('\n')}\n`);
      if (!w.ok) return warn(w.error.message);
      batch = [];
    }
  }
  const w = batch.length > 0 ? out.write(`${batch.join('\n')}\n`) : ok(undefined);
  const c = w.ok ? out.commit() : w;
  if (!c.ok) warn(c.error.message);
}
