/**
 * Opening a trace for the time-travel commands: through its binary index sidecar `TRACE.idx` when
 * it matches (records read on demand by byte offset), else loaded whole and replayed in memory;
 * the sidecar is written on request in one streaming pass. The only IO of time travel.
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import type { TraceHeader } from '../../events/records.js';
import type { Profile } from '../../machines/profile.js';
import { ledgerError, err, ok, type LedgerError, type Result } from '../core/result.js';
import { profileOf, type Entry } from '../replay/replayTrace.js';
import { buildIndex, startIndex } from '../timetravel/index.js';
import { DiskIndex, looksLikeSidecar, openSidecar, SidecarBuilder, SIDECAR_K, type SidecarTrace } from '../timetravel/sidecar.js';
import { memoryTimeline, type Timeline } from '../timetravel/timeline.js';
import { fingerprintOf, type TraceFingerprint } from '../timetravel/fingerprint.js';
import { readTraceFile } from '../log/reader.js';
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

/** Past this many records a command without an index says once how to build one. */
export const LARGE_TRACE = 100_000;

export interface OpenedTimeline {
  readonly timeline: Timeline;
  /** Where it came from: the sidecar (read on demand), a full in-memory build, or the start only. */
  readonly source: 'sidecar' | 'built' | 'start';
  /** The name used in messages. */
  readonly file: string;
  readonly profile: Profile;
}

export interface TimelineOptions {
  readonly command: string;
  readonly kernel?: string;
  readonly from?: string;
  /** The command needs the full run (findings, facts): without a sidecar, a replay pass builds it. */
  readonly full: boolean;
  /** --write-index: build FILE.idx in one streaming pass, then answer from it. */
  readonly write: boolean;
  readonly quiet?: boolean;
}

/**
 * What a time-travel command walks. A trace on disk with a matching FILE.idx is read through it
 * (the checkpoint and the records a question needs, never the whole trace); --write-index builds
 * the index first, streaming; otherwise the trace is loaded and replayed in memory, and past
 * LARGE_TRACE records the command says once how to build the index.
 */
export async function openTimeline(path: string, io: CliIo, o: TimelineOptions): Promise<Result<OpenedTimeline, LedgerError>> {
  const onDisk = path !== '-' && o.from === undefined && existsSync(path);
  // Why: an index records one kernel's rules; --kernel asks for another, so it is neither read nor written.
  const indexable = onDisk && o.kernel === undefined;
  if (indexable && o.write) {
    const built = await writeSidecarStreaming(path, io, o.quiet === true);
    if (!built.ok) return built;
    if (built.value !== null) {
      const opened = readSidecar(path, built.value, io);
      if (opened !== null) return ok({ timeline: opened, source: 'sidecar', file: path, profile: built.value });
    }
  } else if (indexable && existsSync(sidecarPath(path))) {
    const profile = headerProfile(path);
    if (profile !== null) {
      const opened = readSidecar(path, profile, io);
      if (opened !== null) return ok({ timeline: opened, source: 'sidecar', file: path, profile });
    }
  }
  const trace = await loadTrace(path, io, o.kernel, o.from);
  if (!trace.ok) return trace;
  const t = trace.value;
  // PASID_LEDGER_INDEX_HINT sets the threshold (tests; 0 always hints).
  const large = Number(io.env.PASID_LEDGER_INDEX_HINT ?? LARGE_TRACE);
  if (t.entries.length > large && indexable && !o.write) {
    io.stderr.write(`note: ${t.file} has ${t.entries.length} records and no index, so it is replayed from its first record; \`pasid-ledger ${o.command === 'state' ? 'state FILE --at SEQ' : o.command + ' FILE'} --write-index\` builds ${sidecarPath(t.file)} once (one streaming pass), and then state --at, diff, history and travel read only the records they need
`);
  }
  if (!o.full) return ok({ timeline: memoryTimeline(startIndex(t.entries, t.profile)), source: 'start', file: t.file, profile: t.profile });
  const progress = openProgress(io, { label: 'replay', total: t.entries.length, unit: 'records', quiet: o.quiet });
  const index = buildIndex(t.entries, t.profile, undefined, undefined, (i) => (i + 1) % 1024 === 0 && progress.update(i + 1));
  progress.stop();
  return ok({ timeline: memoryTimeline(index), source: 'built', file: t.file, profile: t.profile });
}

/** The profile of a trace file's header (line 1), or null when it cannot be read (the full read then says why). */
function headerProfile(path: string): Profile | null {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const buf = Buffer.alloc(64 * 1024);
    const n = readSync(fd, buf, 0, buf.length, 0);
    const text = buf.subarray(0, n).toString('utf8');
    const nl = text.indexOf('\n');
    const header = JSON.parse(nl < 0 ? text : text.slice(0, nl)) as TraceHeader;
    const p = profileOf(header, undefined, path);
    return p.ok ? p.value : null;
  } catch {
    return null;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function stampOf(path: string): { size: number; stamp: NonNullable<SidecarTrace['stamp']> } {
  const st = statSync(path);
  return { size: st.size, stamp: { mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, ino: st.ino } };
}

/** SHA-256 of a whole file, read in 1 MiB pieces (only when the file's stamp changed since it was indexed). */
function hashFile(path: string): string {
  const h = createHash('sha256');
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(1 << 20);
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n <= 0) break;
      h.update(buf.subarray(0, n));
    }
  } finally {
    closeSync(fd);
  }
  return h.digest('hex');
}

/** The sidecar as a timeline, or null after a warning when it is missing, damaged, stale or unreadable. */
function readSidecar(path: string, profile: Profile, io: CliIo): DiskIndex | null {
  const target = sidecarPath(path);
  try {
    const now = stampOf(path);
    const fd = openSync(path, 'r');
    const reader = (f: number) => (position: number, length: number): Buffer => {
      // Why unsafe: only the bytes read are returned (the subarray below), never the rest.
      const buf = Buffer.allocUnsafe(length);
      let got = 0;
      while (got < length) {
        const n = readSync(f, buf, got, length - got, position + got);
        if (n <= 0) break;
        got += n;
      }
      return buf.subarray(0, got);
    };
    // Why: the index is read where its blocks are (each checked as it is read), never whole.
    const ifd = openSync(target, 'r');
    const source = { size: fstatSync(ifd).size, read: reader(ifd) };
    const onCorrupt = (e: LedgerError) => io.stderr.write(`warning: ${e.message}; answering from a replay of the whole trace\n`);
    // PASID_LEDGER_INDEX_WHOLE_CHECK: up to how many bytes an index is checked whole at open (tests; 0 checks each block as it is read).
    const whole = io.env.PASID_LEDGER_INDEX_WHOLE_CHECK;
    const opened = openSidecar(source, { size: now.size, stamp: now.stamp, sha256: () => hashFile(path) }, profile, reader(fd), target, { onCorrupt, ...(whole !== undefined ? { wholeCheck: Number(whole) } : {}) });
    if (opened.ok) return opened.value;
    closeSync(fd);
    closeSync(ifd);
    io.stderr.write(`warning: ${opened.error.message}\n`);
  } catch (e) {
    io.stderr.write(`warning: ${target}: cannot read the index (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); it is not used; pass --write-index to rebuild it, or delete it\n`);
  }
  return null;
}

/**
 * Builds FILE.idx in one streaming pass over the trace (read, validated, replayed, written as it
 * goes) through a temporary file renamed into place. A reader error is the command's error; a
 * failure to write only warns (the index is a cache: the command then answers without it) and
 * leaves any earlier file as it was. A file of that name that is not an index is never replaced.
 * Returns the trace's profile when the index was written, null when it was not.
 */
export async function writeSidecarStreaming(path: string, io: CliIo, quiet: boolean, k?: number): Promise<Result<Profile | null, LedgerError>> {
  const target = sidecarPath(path);
  const warn = (why: string): Result<null, LedgerError> => {
    io.stderr.write(`warning: ${why}; continuing without writing the index\n`);
    return ok(null);
  };
  const existing = existsSync(target);
  if (existing && !looksLikeIndex(target)) return warn(`${target} exists and is not a pasid-ledger index, so it is not replaced`);
  const opened = AtomicOutput.open(target, { force: existing, inputs: [path] });
  if (!opened.ok) return warn(opened.error.message);
  const out = opened.value;
  const before = stampOf(path);
  let summary: ReadSummary | undefined;
  let builder: SidecarBuilder | undefined;
  let profile: Profile | undefined;
  let failed: LedgerError | null = null;
  const progress = openProgress(io, { label: 'index', total: before.size, unit: 'MB', quiet });
  let lastOffset = 0;
  for await (const item of readTraceFile(path, { onEnd: (s) => (summary = s) })) {
    if (item.kind === 'header') {
      const p = profileOf(item.header, undefined, path);
      if (!p.ok) {
        out.abort();
        return p;
      }
      profile = p.value;
      builder = new SidecarBuilder(profile, (b) => {
        if (failed !== null) return;
        const w = out.write(b);
        if (!w.ok) failed = w.error;
      }, k ?? SIDECAR_K);
    } else if (item.kind === 'record') {
      if (builder === undefined) continue;
      builder.add(item.entry.record, item.entry.line, item.entry.offset);
      if (item.entry.offset - lastOffset > 1 << 22) {
        lastOffset = item.entry.offset;
        progress.update(lastOffset, Math.round(lastOffset / (1 << 20)));
      }
    } else if (item.kind === 'error') {
      progress.stop();
      out.abort();
      return err(item.error);
    } else if (item.kind !== 'warning') {
      progress.stop();
      out.abort();
      return err(ledgerError('HEADER_MISSING', 'a derived-event log was given where a trace is expected', { file: path, line: 1, fix: 'pass the trace, not the log' }));
    }
  }
  progress.stop();
  if (builder === undefined || profile === undefined || summary === undefined) {
    out.abort();
    return err(ledgerError('EMPTY_FILE', 'no header and no records', { file: path, fix: 'capture or write a trace first' }));
  }
  const after = stampOf(path);
  const unchanged = after.size === before.size && after.stamp.mtimeMs === before.stamp.mtimeMs && after.stamp.ctimeMs === before.stamp.ctimeMs;
  const read = summary as ReadSummary;
  builder.finish({ size: read.bytes, sha256: read.sha256, ...(unchanged ? { stamp: after.stamp } : {}) });
  if (failed !== null) {
    out.abort();
    return warn((failed as LedgerError).message);
  }
  const c = out.commit();
  if (!c.ok) return warn(c.error.message);
  return ok(profile);
}

/** Whether the file at path starts like an index this tool wrote (so replacing it loses no user data). */
function looksLikeIndex(path: string): boolean {
  const head = Buffer.alloc(64);
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const n = readSync(fd, head, 0, head.length, 0);
    return looksLikeSidecar(head.subarray(0, n));
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
