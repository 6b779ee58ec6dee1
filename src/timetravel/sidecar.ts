/**
 * The binary time-travel index `TRACE.idx` (format version 5), built in one streaming pass over
 * the trace and read on demand: a seek reads one checkpoint (and the deltas after the last full
 * one, when there are any), the blocks of the dead log its lookups need (`DiskDead`), and only the trace records from the checkpoint to the
 * target (by the byte offset of every KOFF-th record); `history` reads the per-object record
 * lists. A checkpoint's objects are kept as their JSON text and parsed one at a time when the
 * replay reads them, so a seek costs what it touches, not the size of the world. Pure: bytes in,
 * bytes out; the trace's bytes come through a `readAt` function (the CLI's file, a test's buffer).
 *
 * Layout: MAGIC, then blocks (u8 type, u32 raw length, u32 stored length, deflate-raw bytes of the
 * payload), then the footer (JSON: format, version, the trace fingerprint, kernel, K, the block
 * directory), its u32 length, the SHA-256 of every byte before that hash, and END. The hash is
 * checked over the whole file before any block is inflated; then the fingerprint (the trace's size
 * and SHA-256), the kernel and the counts (fingerprint.ts for the trace side). docs/time-travel.md
 * describes each block.
 */
import { createHash } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { Fact, FactBody } from '../../events/facts.js';
import type { CallRecord } from '../../events/records.js';
import type { Snap } from '../../machines/kit/lifecycle.js';
import { World, type StepMode } from '../../machines/kit/world.js';
import type { Profile } from '../../machines/profile.js';
import { err, ledgerError, ok, type LedgerError, type Result } from '../core/result.js';
import type { Finding } from '../replay/finding.js';
import type { NestingState } from '../replay/nesting.js';
import { Replay, type ReplayCheckpoint } from '../replay/replay.js';
import { ChildIndex, LOOKAHEAD, stepEntries, type Entry } from '../replay/replayTrace.js';
import { fingerprintMismatch, type TraceFingerprint } from './fingerprint.js';
import { emptyWorld, positionOf, type Position } from './index.js';
import { DeadLog, LiveTracker, OPEN, restoreKinds, type DeadLayer } from './live.js';
import { recordTokens } from './refs.js';
import type { OnRestore, Timeline } from './timeline.js';

export const INDEX_FORMAT = 'pasid-ledger-index';
/**
 * 5: the dead log in runs sorted by (kind, id), in blocks found through a directory in the footer,
 * read per lookup (v4 read the whole log at the first seek);
 * 4: checkpoints as a header and one line of JSON per object (parsed when read), each with the
 * reach of the calls before it, no end-of-trace bookkeeping, binary record lists;
 * 3: binary, whole-JSON checkpoints; 2: JSON Lines.
 */
export const INDEX_VERSION = 5;
/** "PLIDX", the format version byte, "\n\0". */
const MAGIC_PREFIX = Buffer.from('PLIDX', 'latin1');
export const MAGIC = Buffer.from(`PLIDX${String.fromCharCode(INDEX_VERSION)}\n\u0000`, 'latin1');
const END = Buffer.from('PLIDXEND', 'latin1');

/**
 * Records between checkpoints, chosen with `npm run bench` (section "time travel", docs/performance.md):
 * a seek steps at most K records (K/2 on average) from the nearest usable checkpoint after reading
 * it; the index grows by one checkpoint per K records.
 */
export const SIDECAR_K = 256;
/**
 * Every FULL_EVERY-th checkpoint holds every live object; the others the changes since the previous
 * one. 1: every checkpoint is full, because settling (live.ts) at each one already leaves only the
 * objects changed in the last K records, so a delta would hold about as much (the bench measured it).
 */
export const FULL_EVERY = 1;
/** A byte offset is kept for every KOFF-th record. */
export const KOFF = 128;
/** Records per block of per-object record lists. */
const SEGMENT = 1 << 16;
/**
 * Dead-log entries per run: the builder holds a run's closed entries, then writes them sorted by
 * (kind, id), so a lookup reads at most about one block per run (fewer, larger runs: fewer blocks
 * per lookup, more builder memory).
 */
const DEAD_RUN = 131072;
/** Dead-log entries per block (a block holds one kind; a lookup inflates and decodes one whole block). */
const DEAD_BLOCK = 128;

const enum Block {
  Checkpoint = 1,
  Dead = 2,
  Postings = 3,
  /** The snapshots of the Dead block just before it. */
  DeadSnaps = 4,
}

/** What identifies the trace, plus the stamp that lets a reader skip re-hashing an unchanged file. */
export interface SidecarTrace extends TraceFingerprint {
  /** mtime and ctime (ms) and inode of the trace when it was hashed: all equal means not written since. */
  readonly stamp?: { readonly mtimeMs: number; readonly ctimeMs: number; readonly ino: number };
}

interface Footer {
  format: string;
  version: number;
  trace: SidecarTrace;
  kernel: string;
  k: number;
  fullEvery: number;
  kOff: number;
  records: number;
  /** [at, position of the block, full, reach] (reach: see CheckpointHeader). */
  checkpoints: [number, number, boolean, number][];
  /** Byte offset and line of every kOff-th record, and its seq. */
  offsets: number[];
  lines: number[];
  seqs: number[];
  /** Byte offset just past the last record line. */
  end: number;
  /** The dead log's directory: one row per block, runs in write order, blocks in (kind, id) order within a run. */
  dead: DeadRow[];
  deadCount: number;
  /** [first record of the segment, position]. */
  postings: [number, number][];
  findings: Finding[];
  endFindings: Finding[];
  facts: number;
}

/**
 * A dead-log block: [run, kind, ids of its first and last entries, position, entries, least `from`,
 * greatest `until` (OPEN when any entry is still open)], so a lookup skips the blocks of other
 * kinds, of other ids and of entries not visible at its position without inflating them.
 */
export type DeadRow = [number, string, string, string, number, number, number, number];

/**
 * The first line of a checkpoint block; each further line is the JSON of one stored object, in
 * the order of `kinds`. The replay's end-of-trace bookkeeping (which record created each live
 * object) is not stored: time travel takes the end-of-trace findings from the full run (the footer).
 */
interface CheckpointHeader {
  at: number;
  full: boolean;
  /**
   * The last record (index) nested in a call stepped before `at`, or -1. The full run's state at
   * `at` equals the state of the trace cut after any record t ≥ max(at - 1, reach): every call
   * before `at` saw all its nested records there (index.ts explains the cut).
   */
  reach: number;
  /** Per kind: the ids of the objects stored (all live ones when full, else those set since the previous checkpoint). */
  kinds: [string, string[]][];
  /** `kind:id` of objects gone since the previous checkpoint (deltas only). */
  del: string[];
  nesting: CompactNesting;
  /**
   * The world's lowest-free-ID caches (machines/ids.ts: per ID space a hint and the IDs freed below
   * it): without them the first allocation after a restore probes every allocated ID from the bottom.
   */
  hints: [string, number, number[]][];
  records: number;
  lastSeq: number | null;
  facts: number;
  findings: number;
}

interface CompactNesting {
  gaps: number[];
  /** Per seq in `gaps` order: seq - root, or -1 when the seq has no root entry. */
  up: number[];
  names: string[];
  /** Per seq: index into names of its rootFn, or -1. */
  fn: number[];
  expected: NestingState['expected'];
}

function packNesting(n: NestingState): CompactNesting {
  const root = new Map<number, number>();
  for (let i = 0; i < n.rootOf.length; i += 2) root.set(n.rootOf[i], n.rootOf[i + 1]);
  const fns = new Map(n.rootFn);
  const names: string[] = [];
  const nameIx = new Map<string, number>();
  const out: CompactNesting = { gaps: [], up: [], names, fn: [], expected: n.expected };
  let prev = 0;
  for (const seq of n.order) {
    out.gaps.push(seq - prev);
    prev = seq;
    const r = root.get(seq);
    out.up.push(r === undefined ? -1 : seq - r);
    const f = fns.get(seq);
    if (f === undefined) out.fn.push(-1);
    else {
      let ix = nameIx.get(f);
      if (ix === undefined) nameIx.set(f, (ix = names.push(f) - 1));
      out.fn.push(ix);
    }
  }
  return out;
}

function unpackNesting(c: CompactNesting): NestingState {
  const order = new Float64Array(c.gaps.length);
  const rootOf: number[] = [];
  const rootFn: [number, NestingState['rootFn'][number][1]][] = [];
  let seq = 0;
  c.gaps.forEach((g, i) => {
    seq += g;
    order[i] = seq;
    if (c.up[i] >= 0) rootOf.push(seq, seq - c.up[i]);
    if (c.fn[i] >= 0) rootFn.push([seq, c.names[c.fn[i]] as NestingState['rootFn'][number][1]]);
  });
  return { order, rootOf: Float64Array.from(rootOf), rootFn, expected: c.expected };
}

function block(type: Block, payload: string | Buffer): Buffer {
  const raw = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  const stored = deflateRawSync(raw, { level: 6 });
  const head = Buffer.alloc(9);
  head.writeUInt8(type, 0);
  head.writeUInt32LE(raw.length, 1);
  head.writeUInt32LE(stored.length, 5);
  return Buffer.concat([head, stored]);
}

/** Unsigned LEB128 varints (record lists: gaps between record indices are small). */
function pushVarint(out: number[], v: number): void {
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
}

/**
 * A block of per-object record lists: u32 length of a JSON header ({first, tokens, bytes}: the
 * first record of the segment, the tokens, the byte length of each token's list), the header, then
 * each token's list as varints: the first record's distance from `first`, then the gaps.
 */
function postingsPayload(first: number, lists: Map<string, number[]>): Buffer {
  const tokens: string[] = [];
  const bytes: number[] = [];
  const body: number[] = [];
  for (const [token, list] of lists) {
    const start = body.length;
    let prev = first;
    for (const v of list) {
      pushVarint(body, v - prev);
      prev = v;
    }
    tokens.push(token);
    bytes.push(body.length - start);
  }
  const headText = Buffer.from(JSON.stringify({ first, tokens, bytes }), 'utf8');
  const len = Buffer.alloc(4);
  len.writeUInt32LE(headText.length, 0);
  return Buffer.concat([len, headText, Buffer.from(body)]);
}

/**
 * Writes entries `ids` of a dead log as run `run`: sorted by (kind, id, log order), cut into blocks
 * of one kind of at most `blockSize` entries, each a JSON header ({ids, from, until, order}: order
 * is the entry's place in the log, which a kind's iteration keeps) and one line of JSON per
 * snapshot, the snapshots in a block of their own right after it. `emit` writes a block and
 * returns its position. Returns the directory rows.
 */
export function writeDeadRun(d: DeadLog, ids: readonly number[], run: number, blockSize: number, emit: (b: Buffer) => number): DeadRow[] {
  const rows: DeadRow[] = [];
  const sorted = ids.map((i) => {
    const colon = d.keys[i].indexOf(':');
    return { i, kind: d.keys[i].slice(0, colon), id: d.keys[i].slice(colon + 1) };
  });
  sorted.sort((a, b) => (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : a.i - b.i));
  for (let a = 0; a < sorted.length; ) {
    let b = a + 1;
    while (b < sorted.length && b - a < blockSize && sorted[b].kind === sorted[a].kind) b++;
    const part = sorted.slice(a, b);
    const head = { ids: part.map((e) => e.id), from: part.map((e) => d.from[e.i]), until: part.map((e) => d.until[e.i]), order: part.map((e) => e.i) };
    const snaps = part.map((e) => (typeof d.snaps[e.i] === 'string' ? d.snaps[e.i] : JSON.stringify(d.snaps[e.i]))).join('\n');
    const minFrom = Math.min(...head.from);
    const maxUntil = head.until.includes(OPEN) ? OPEN : Math.max(...head.until);
    // Why two blocks: most lookups find nothing in a block whose id range holds their id, and then only the small first one is inflated.
    const at = emit(block(Block.Dead, JSON.stringify(head)));
    emit(block(Block.DeadSnaps, snaps));
    rows.push([run, part[0].kind, part[0].id, part[part.length - 1].id, at, part.length, minFrom, maxUntil]);
    a = b;
  }
  return rows;
}

/** The facts' tokens need their bodies only. */
type FactLike = FactBody | Fact;

/**
 * Builds the index while the trace streams through it: `add` each record as it is read (with the
 * byte offset of its line), `finish` at the end. Output goes to `write` as it is produced, so
 * memory is what the replay itself holds (the world) plus one segment of record lists.
 */
export class SidecarBuilder {
  readonly #replay: Replay;
  readonly #tracker: LiveTracker;
  readonly #dead = new DeadLog();
  readonly #write: (b: Buffer) => void;
  /** The running hash of every byte written before it (the file's checksum). */
  readonly #hash = createHash('sha256');
  #pos = 0;
  readonly #footer: Omit<Footer, 'trace' | 'end' | 'findings' | 'endFindings' | 'facts'>;
  #window: Entry[] = [];
  #head = 0;
  #base = 0;
  readonly #children = new ChildIndex();
  #stepped = 0;
  #added = 0;
  /** Dead entries whose span is known, waiting for their block. */
  #closed: number[] = [];
  #deadWritten = 0;
  #runs = 0;
  #postings = new Map<string, number[]>();
  #segment = 0;
  /** The live keys as of the last checkpoint, for deltas. */
  #lastKeys = new Set<string>();
  /** Seq → position of its root call, for the records of the last 2 × LOOKAHEAD positions. */
  readonly #rootPos = new Map<number, number>();
  readonly #rootQueue: number[] = [];
  /** [root position, position] of nested records within their root's look-ahead, in position order. */
  #nested: number[] = [];

  constructor(
    readonly profile: Profile,
    write: (b: Buffer) => void,
    readonly k = SIDECAR_K,
    readonly onRecord?: (stepped: number) => void,
    readonly fullEvery = FULL_EVERY,
    /** Dead-log entries per run and per block (tests make them tiny so that lookups cross runs and blocks). */
    readonly deadSizes: { readonly run: number; readonly block: number } = { run: DEAD_RUN, block: DEAD_BLOCK },
  ) {
    this.#write = write;
    this.#replay = new Replay({ profile, validateFacts: false, retainFacts: false });
    this.#tracker = new LiveTracker(this.#replay.world, this.#dead, (i) => {
      this.#closed.push(i);
      // Why: a closed entry is never compared again; its JSON text is a tenth of the snapshot's heap, and a run holds DEAD_RUN of them.
      const snap = this.#dead.snaps[i];
      if (typeof snap !== 'string') this.#dead.snaps[i] = JSON.stringify(snap);
    });
    this.#footer = { format: INDEX_FORMAT, version: INDEX_VERSION, kernel: profile.kernel, k, fullEvery, kOff: KOFF, records: 0, checkpoints: [], offsets: [], lines: [], seqs: [], dead: [], deadCount: 0, postings: [] };
    this.#emit(MAGIC);
    this.#checkpoint();
  }

  #emit(b: Buffer, hashed = true): number {
    const at = this.#pos;
    if (hashed) this.#hash.update(b);
    this.#write(b);
    this.#pos += b.length;
    return at;
  }

  /** A record as read: `offset` is the byte offset of its line. */
  add(record: CallRecord, line: number, offset: number): void {
    const i = this.#added++;
    if (i % KOFF === 0) {
      this.#footer.offsets.push(offset);
      this.#footer.lines.push(line);
      this.#footer.seqs.push(record.seq);
    }
    this.#noteRoot(record, i);
    const e: Entry = { record, line };
    this.#children.add(e, this.#base + this.#window.length);
    this.#window.push(e);
    if (this.#window.length - this.#head > LOOKAHEAD) this.#flush(1);
  }

  /** Where a record's root call is, as the replay's child index sees it (a descendant beyond the root's look-ahead is no one's). */
  #noteRoot(record: CallRecord, pos: number): void {
    const root = record.parent === undefined ? undefined : this.#rootPos.get(record.parent);
    const inside = root !== undefined && pos - root <= LOOKAHEAD;
    this.#rootPos.set(record.seq, inside ? root : pos);
    if (inside) this.#nested.push(root, pos);
    this.#rootQueue.push(record.seq);
    if (this.#rootQueue.length > 2 * LOOKAHEAD) this.#rootPos.delete(this.#rootQueue.shift() as number);
  }

  /** The reach of a checkpoint after `at` records: the last nested record whose root is before `at` (-1: none). */
  #reach(at: number): number {
    let reach = -1;
    const keep: number[] = [];
    for (let j = 0; j < this.#nested.length; j += 2) {
      const root = this.#nested[j];
      const pos = this.#nested[j + 1];
      if (root < at && pos >= at) reach = Math.max(reach, pos);
      if (pos >= at) keep.push(root, pos);
    }
    this.#nested = keep;
    return reach;
  }

  #flush(n: number): void {
    for (let j = 0; j < n && this.#head < this.#window.length; j++) {
      const e = this.#window[this.#head];
      const d = this.#children.take(e, this.#base + this.#head);
      this.#head++;
      const out = this.#replay.step(e.record, e.line, d.records, d.lines);
      this.#stepped++;
      this.#tracker.update(this.#stepped);
      this.#touch(e.record, out.facts);
      if (this.#closed.length >= this.deadSizes.run) this.#flushDead();
      if (this.#stepped % this.k === 0) this.#checkpoint();
      if (this.#stepped % SEGMENT === 0) this.#flushPostings();
      this.onRecord?.(this.#stepped);
    }
    if (this.#head >= 4096) {
      this.#window = this.#window.slice(this.#head);
      this.#base += this.#head;
      this.#head = 0;
    }
  }

  #touch(record: CallRecord, facts: readonly FactLike[]): void {
    const t = this.#stepped - 1;
    for (const token of recordTokens(record, facts as Fact[])) {
      const list = this.#postings.get(token);
      if (list === undefined) this.#postings.set(token, [t]);
      else list.push(t);
    }
  }

  #flushPostings(): void {
    if (this.#postings.size === 0) return;
    const at = this.#emit(block(Block.Postings, postingsPayload(this.#segment, this.#postings)));
    this.#footer.postings.push([this.#segment, at]);
    this.#postings = new Map();
    this.#segment = this.#stepped;
  }

  #flushDead(): void {
    const ids = this.#closed;
    this.#closed = [];
    if (ids.length === 0) return;
    for (const row of writeDeadRun(this.#dead, ids, this.#runs++, this.deadSizes.block, (b) => this.#emit(b))) this.#footer.dead.push(row);
    this.#deadWritten += ids.length;
    // Why: the builder's log would hold every dead object twice over (the world holds them too); drop the written snapshots.
    for (const i of ids) this.#dead.snaps[i] = '';
  }

  #checkpoint(): void {
    const n = this.#footer.checkpoints.length;
    const full = n % this.fullEvery === 0;
    const cp = this.#replay.checkpoint(EMPTY_WORLD.get(this.profile) ?? newEmpty(this.profile));
    if (full) this.#tracker.settle(this.#stepped);
    const dirty = this.#tracker.takeDirty();
    const live = this.#tracker.live;
    const byKind = new Map<string, { ids: string[]; texts: string[] }>();
    const put = (key: string, snap: unknown) => {
      const colon = key.indexOf(':');
      const kindId = key.slice(0, colon);
      let g = byKind.get(kindId);
      if (g === undefined) byKind.set(kindId, (g = { ids: [], texts: [] }));
      g.ids.push(key.slice(colon + 1));
      g.texts.push(JSON.stringify(snap));
    };
    const del: string[] = [];
    if (full) {
      for (const [key, snap] of live) put(key, snap);
      this.#lastKeys = new Set(live.keys());
    } else {
      for (const key of dirty) {
        const snap = live.get(key);
        if (snap !== undefined) {
          put(key, snap);
          this.#lastKeys.add(key);
        } else if (this.#lastKeys.delete(key)) del.push(key);
      }
    }
    const header: CheckpointHeader = {
      at: this.#stepped,
      full,
      reach: this.#reach(this.#stepped),
      kinds: [...byKind].map(([kindId, g]) => [kindId, g.ids]),
      del,
      nesting: packNesting(cp.nesting),
      hints: [...this.#replay.world.lowestFreeHint].map(([key, hint]) => [key, hint, [...(this.#replay.world.freedBelowHint.get(key) ?? [])]]),
      records: cp.records,
      lastSeq: cp.lastSeq,
      facts: cp.facts,
      findings: cp.findings,
    };
    const text = [JSON.stringify(header), ...[...byKind.values()].flatMap((g) => g.texts)].join('\n');
    const at = this.#emit(block(Block.Checkpoint, text));
    this.#footer.checkpoints.push([this.#stepped, at, full, header.reach]);
  }

  /** Steps what is left, runs the end-of-trace checks and writes the dead log, the lists and the footer. */
  finish(trace: SidecarTrace): { records: number; bytes: number; deadObjects: number; findings: number } {
    this.#flush(this.#window.length - this.#head);
    const findings = [...this.#replay.findings];
    const endFindings = this.#replay.end();
    for (const i of this.#tracker.openEntries()) this.#closed.push(i);
    this.#flushDead();
    this.#flushPostings();
    const footer: Footer = { ...this.#footer, trace, records: this.#stepped, end: trace.size, deadCount: this.#deadWritten, findings, endFindings, facts: this.#replay.log.length };
    // The last checkpoint sits at a multiple of K; one at the very end would only cost size.
    const text = Buffer.from(JSON.stringify(footer), 'utf8');
    const len = Buffer.alloc(4);
    len.writeUInt32LE(text.length, 0);
    this.#emit(text);
    this.#emit(len);
    this.#emit(this.#hash.digest(), false);
    this.#emit(END, false);
    return { records: this.#stepped, bytes: this.#pos, deadObjects: this.#deadWritten, findings: findings.length + endFindings.length };
  }
}

const EMPTY_WORLD = new WeakMap<Profile, World>();
function newEmpty(profile: Profile): World {
  const w = new World(profile);
  EMPTY_WORLD.set(profile, w);
  return w;
}

/** Reads `length` bytes of the trace at byte `position`. */
export type ReadAt = (position: number, length: number) => Buffer;

const FIX = 'it is not used; pass --write-index to rebuild it, or delete it';

/** Whether bytes start like an index of any version this tool wrote (so replacing the file loses no user data). */
export function looksLikeSidecar(head: Buffer): boolean {
  return head.subarray(0, MAGIC_PREFIX.length).equals(MAGIC_PREFIX) || head.toString('utf8').startsWith(`{"format":"${INDEX_FORMAT}"`);
}

/**
 * Checks a whole index file and reads its footer: the checksum over every byte first, then the
 * format, the trace fingerprint and the kernel. Any problem is an error value (INDEX_CORRUPT for a
 * damaged or cut file, INDEX_STALE for another trace, kernel or format) and nothing is used.
 * `traceNow` is the trace as it is now (size and SHA-256), or a function computing it when the
 * stamp recorded in the index no longer matches the file.
 */
export function openSidecar(bytes: Buffer, trace: { size: number; stamp?: SidecarTrace['stamp']; sha256: () => string }, profile: Profile, readAt: ReadAt, file = 'index'): Result<DiskIndex, LedgerError> {
  const stale = (what: string) => err(ledgerError('INDEX_STALE', what, { file, line: 1, fix: FIX }));
  const corrupt = (what: string) => err(ledgerError('INDEX_CORRUPT', what, { file, line: 1, fix: FIX }));
  if (!bytes.subarray(0, MAGIC.length).equals(MAGIC)) {
    // Why: an index an older (or newer) pasid-ledger wrote is refused by name, so the user knows to rebuild it.
    if (bytes.length >= MAGIC.length && bytes.subarray(0, MAGIC_PREFIX.length).equals(MAGIC_PREFIX)) return stale(`an index of format version ${bytes.readUInt8(MAGIC_PREFIX.length)}, this pasid-ledger reads version ${INDEX_VERSION}`);
    const head = bytes.subarray(0, 256).toString('utf8');
    const v = /^\{"format":"pasid-ledger-index","version":(\d+)/.exec(head);
    if (v !== null) return stale(`an index of format version ${v[1]}, this pasid-ledger reads version ${INDEX_VERSION}`);
    return stale('not a pasid-ledger index');
  }
  const n = bytes.length;
  if (n < MAGIC.length + 4 + 32 + END.length || !bytes.subarray(n - END.length).equals(END)) return corrupt('the index has no checksum (cut short, or not written by this version)');
  const sum = bytes.subarray(n - END.length - 32, n - END.length);
  if (!createHash('sha256').update(bytes.subarray(0, n - END.length - 32)).digest().equals(sum)) return corrupt('the index content does not match its checksum (damaged or edited)');
  let footer: Footer;
  try {
    const len = bytes.readUInt32LE(n - END.length - 32 - 4);
    footer = JSON.parse(bytes.subarray(n - END.length - 36 - len, n - END.length - 36).toString('utf8')) as Footer;
  } catch (e) {
    return corrupt(`the index footer is unreadable (${(e as Error).message})`);
  }
  if (footer.format !== INDEX_FORMAT || footer.version !== INDEX_VERSION) return stale(`an index of format version ${String(footer.version)}, this pasid-ledger reads version ${INDEX_VERSION}`);
  const rec = footer.trace;
  const sameStamp = rec.stamp !== undefined && trace.stamp !== undefined && rec.stamp.mtimeMs === trace.stamp.mtimeMs && rec.stamp.ctimeMs === trace.stamp.ctimeMs && rec.stamp.ino === trace.stamp.ino;
  // Why: a file not written since it was hashed (same size, mtime, ctime, inode) has the hashed content; ctime cannot be set back from user space.
  const changed = fingerprintMismatch(rec, { size: trace.size, sha256: rec.size === trace.size && sameStamp ? rec.sha256 : trace.sha256() });
  if (changed !== undefined) return stale(changed);
  if (footer.kernel !== profile.kernel) return stale(`the index is for kernel ${footer.kernel} and ${footer.records} records`);
  return ok(new DiskIndex(bytes, footer, profile, readAt, file));
}

function inflateRaw(bytes: Buffer, at: number, type: Block): Buffer {
  if (bytes.readUInt8(at) !== type) throw new Error(`block at ${at} is not of type ${type}`);
  const stored = bytes.readUInt32LE(at + 5);
  return inflateRawSync(bytes.subarray(at + 9, at + 9 + stored));
}

function inflate(bytes: Buffer, at: number, type: Block): string {
  return inflateRaw(bytes, at, type).toString('utf8');
}

interface DecodedCheckpoint {
  readonly i: number;
  readonly head: CheckpointHeader;
  /** The objects at this checkpoint by kind, each still its JSON text (restored worlds parse what they read). */
  readonly kinds: Map<string, Map<string, string>>;
}

/** Decoded checkpoints kept (the region a session walks; a seek then reads no block). */
const DECODED_CACHE = 16;

/** A trace's time-travel index read from its sidecar: checkpoints, dead log and record lists on demand. */
export class DiskIndex implements Timeline {
  readonly length: number;
  readonly k: number;
  readonly findings: readonly Finding[];
  readonly endFindings: readonly Finding[];
  readonly mode: StepMode = 'fast';
  #dead: DiskDead | null = null;
  /** Least recently used first. */
  readonly #decoded = new Map<number, DecodedCheckpoint>();
  readonly #chunks = new Map<number, Entry[]>();

  constructor(readonly bytes: Buffer, readonly footer: Footer, readonly profile: Profile, readonly readAt: ReadAt, readonly file: string) {
    this.length = footer.records;
    this.k = footer.k;
    this.findings = footer.findings;
    this.endFindings = footer.endFindings;
  }

  /** Size in bytes, checkpoints, dead objects and their blocks (all, and read so far) (the bench and `--write-index`'s note). */
  get stats(): { bytes: number; checkpoints: number; deadObjects: number; deadBlocks: number; deadBlocksRead: number; facts: number } {
    return { bytes: this.bytes.length, checkpoints: this.footer.checkpoints.length, deadObjects: this.footer.deadCount, deadBlocks: this.footer.dead.length, deadBlocksRead: this.#dead?.blocksDecoded ?? 0, facts: this.footer.facts };
  }

  /** The records of chunk c (KOFF records from the c-th kept offset), parsed from the trace bytes. */
  #chunk(c: number): Entry[] {
    const hit = this.#chunks.get(c);
    if (hit !== undefined) {
      this.#chunks.delete(c);
      this.#chunks.set(c, hit);
      return hit;
    }
    const f = this.footer;
    const start = f.offsets[c];
    const stop = c + 1 < f.offsets.length ? f.offsets[c + 1] : f.end;
    const text = this.readAt(start, stop - start).toString('utf8');
    const want = Math.min(f.kOff, f.records - c * f.kOff);
    const out: Entry[] = [];
    let line = f.lines[c];
    let from = 0;
    while (out.length < want && from < text.length) {
      let nl = text.indexOf('\n', from);
      if (nl < 0) nl = text.length;
      const s = text.slice(from, nl).trim();
      if (s !== '') {
        const v = JSON.parse(s) as CallRecord & { type?: string };
        if (v.type === undefined) out.push({ record: v, line });
      }
      line++;
      from = nl + 1;
    }
    if (out.length !== want || out[0]?.record.seq !== f.seqs[c]) throw new Error(`${this.file}: the trace's records at byte ${start} are not those the index was built from`);
    this.#chunks.set(c, out);
    if (this.#chunks.size > 64) this.#chunks.delete(this.#chunks.keys().next().value as number);
    return out;
  }

  entry(t: number): Entry {
    return this.#chunk(Math.floor(t / this.footer.kOff))[t % this.footer.kOff];
  }

  range(from: number, to: number): Entry[] {
    const a = Math.max(0, from);
    const b = Math.min(this.length - 1, to);
    const out: Entry[] = [];
    const kOff = this.footer.kOff;
    for (let c = Math.floor(a / kOff); c <= Math.floor(b / kOff) && b >= a; c++) {
      const chunk = this.#chunk(c);
      const lo = Math.max(a - c * kOff, 0);
      const hi = Math.min(b - c * kOff, chunk.length - 1);
      for (let j = lo; j <= hi; j++) out.push(chunk[j]);
    }
    return out;
  }

  indexOf(seq: number): number | undefined {
    const seqs = this.footer.seqs;
    let lo = 0;
    let hi = seqs.length - 1;
    if (hi < 0 || seq < seqs[0]) return undefined;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (seqs[mid] <= seq) lo = mid;
      else hi = mid - 1;
    }
    const chunk = this.#chunk(lo);
    const j = chunk.findIndex((e) => e.record.seq === seq);
    return j < 0 ? undefined : lo * this.footer.kOff + j;
  }

  /** The dead log, read block by block as restored worlds look objects up. */
  get dead(): DeadLayer {
    this.#dead ??= new DiskDead(this.bytes, this.footer.dead);
    return this.#dead;
  }

  /** One checkpoint block: its header and its objects by kind (JSON text, not parsed). */
  #read(j: number): { head: CheckpointHeader; kinds: Map<string, Map<string, string>> } {
    const text = inflate(this.bytes, this.footer.checkpoints[j][1], Block.Checkpoint);
    const nl = text.indexOf('\n');
    const head = JSON.parse(nl < 0 ? text : text.slice(0, nl)) as CheckpointHeader;
    const lines = nl < 0 ? [] : text.slice(nl + 1).split('\n');
    const kinds = new Map<string, Map<string, string>>();
    let n = 0;
    for (const [kindId, ids] of head.kinds) {
      const m = new Map<string, string>();
      for (const id of ids) m.set(id, lines[n++]);
      kinds.set(kindId, m);
    }
    return { head, kinds };
  }

  /** The objects at checkpoint i: the last full one and the deltas after it (decoded ones are kept). */
  #decode(i: number): DecodedCheckpoint {
    const hit = this.#decoded.get(i);
    if (hit !== undefined) {
      this.#decoded.delete(i);
      this.#decoded.set(i, hit);
      return hit;
    }
    const cps = this.footer.checkpoints;
    let start = i;
    while (start > 0 && !cps[start][2]) start--;
    // The nearest decoded checkpoint between the full one and i, if any.
    let from = start;
    let kinds = new Map<string, Map<string, string>>();
    for (let j = i - 1; j >= start; j--) {
      const d = this.#decoded.get(j);
      if (d !== undefined) {
        from = j + 1;
        kinds = d.kinds;
        break;
      }
    }
    let head: CheckpointHeader | undefined;
    for (let j = from; j <= i; j++) {
      const r = this.#read(j);
      head = r.head;
      if (r.head.full) {
        kinds = r.kinds;
        continue;
      }
      // A delta: copy on write, per kind it changes (earlier decoded checkpoints stay as they were).
      const next = new Map(kinds);
      const own = (kindId: string) => {
        const was = next.get(kindId);
        if (was !== undefined && was !== kinds.get(kindId)) return was;
        const m = new Map(was ?? []);
        next.set(kindId, m);
        return m;
      };
      for (const key of r.head.del) {
        const colon = key.indexOf(':');
        own(key.slice(0, colon)).delete(key.slice(colon + 1));
      }
      for (const [kindId, m] of r.kinds) {
        const target = own(kindId);
        for (const [id, text] of m) target.set(id, text);
      }
      kinds = next;
    }
    const out: DecodedCheckpoint = { i, head: head as CheckpointHeader, kinds };
    this.#decoded.set(i, out);
    if (this.#decoded.size > DECODED_CACHE) this.#decoded.delete(this.#decoded.keys().next().value as number);
    return out;
  }

  /**
   * The last checkpoint usable for target t: at or before record t + 1, and whose calls before it
   * saw all their nested records by t (its reach; see CheckpointHeader), at or before `notAfter`.
   */
  #checkpointFor(t: number, notAfter = Infinity): number {
    const limit = Math.min(t + 1, notAfter);
    const cps = this.footer.checkpoints;
    let lo = 0;
    let hi = cps.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (cps[mid][0] <= limit) lo = mid;
      else hi = mid - 1;
    }
    while (lo > 0 && cps[lo][3] > t) lo--;
    return lo;
  }

  #restore(i: number): { replay: Replay; at: number; facts: number } {
    const d = this.#decode(i);
    const p = d.head;
    const replayCp: ReplayCheckpoint = {
      world: emptyWorld(this.profile),
      nesting: unpackNesting(p.nesting),
      origin: [],
      records: p.records,
      lastSeq: p.lastSeq,
      facts: 0,
      findings: p.findings,
    };
    const replay = Replay.restore({ profile: this.profile, mode: this.mode, validateFacts: false }, replayCp, [], this.findings);
    const world = restoreKinds(this.profile, this.mode, d.kinds, this.dead, p.at);
    for (const [key, hint, freed] of p.hints) {
      world.lowestFreeHint.set(key, hint);
      world.freedBelowHint.set(key, [...freed]);
    }
    replay.world = world;
    return { replay, at: p.at, facts: p.facts };
  }

  seek(t: number, notAfter?: number, onRestore?: OnRestore): Position {
    if (t < -1 || t >= this.length) throw new Error(`seek: ${t} is outside the trace`);
    const r = this.#restore(this.#checkpointFor(t, notAfter));
    onRestore?.(r.replay);
    // Why: the cut trace is records [0, t]; nested records after it are invisible to the calls before it.
    if (t >= r.at) stepEntries(r.replay, this.range(r.at, t));
    return positionOf((i) => this.entry(i), t, r.replay, r.facts);
  }

  /** The full run (records decided with their nested records in view) at position `at`, kept for the next factsOf. */
  #full: { replay: Replay; at: number } | null = null;

  factsOf(t: number): readonly Fact[] {
    // A checkpoint is the full run's state itself, so the full run resumes from the last one at or before t.
    let full = this.#full;
    if (full === null || full.at > t || t - full.at > this.k) {
      const cps = this.footer.checkpoints;
      let i = cps.length - 1;
      while (i > 0 && cps[i][0] > t) i--;
      const r = this.#restore(i);
      full = { replay: r.replay, at: r.at };
    }
    const entries = this.range(full.at, t + LOOKAHEAD);
    const children = new ChildIndex();
    entries.forEach((e, pos) => children.add(e, pos));
    const seq = this.entry(t).record.seq;
    const before = full.replay.log.length;
    for (let j = 0; j + full.at <= t; j++) {
      const d = children.take(entries[j], j);
      full.replay.step(entries[j].record, entries[j].line, d.records, d.lines);
    }
    const own = full.replay.log.all().slice(before).filter((f) => f.seq === seq);
    this.#full = { replay: full.replay, at: t + 1 };
    return own;
  }

  touching(tokens: ReadonlySet<string>, until: number): number[] {
    const out = new Set<number>();
    for (const [first, at] of this.footer.postings) {
      if (first > until) break;
      const raw = inflateRaw(this.bytes, at, Block.Postings);
      const len = raw.readUInt32LE(0);
      const p = JSON.parse(raw.subarray(4, 4 + len).toString('utf8')) as { first: number; tokens: string[]; bytes: number[] };
      let pos = 4 + len;
      p.tokens.forEach((token, i) => {
        const end = pos + p.bytes[i];
        if (tokens.has(token)) {
          let v = p.first;
          let x = pos;
          while (x < end) {
            let gap = 0;
            let mul = 1;
            for (;;) {
              const byte = raw[x++];
              gap += (byte & 0x7f) * mul;
              if (byte < 0x80) break;
              mul *= 128;
            }
            v += gap;
            if (v <= until) out.add(v);
          }
        }
        pos = end;
      });
    }
    return [...out].sort((a, b) => a - b);
  }
}

/** One dead-log block decoded: its entries in (id, log order) order, snapshots parsed when first read. */
interface DeadBlock {
  readonly ids: string[];
  readonly from: number[];
  readonly until: number[];
  readonly order: number[];
  /** Position of the snapshots' block. */
  readonly snapsAt: number;
  /** Snapshots (or their JSON text until read), once a lookup found one here. */
  snaps: (Snap<unknown> | string)[] | null;
}

/** A run's blocks of one kind (rows of the directory, in id order) and the span they cover. */
interface DeadRun {
  readonly rows: DeadRow[];
  readonly minFrom: number;
  readonly maxUntil: number;
}

/** Decoded dead-log blocks kept (least recently used first out). */
const DEAD_CACHE = 8192;

const spanHas = (from: number, until: number, at: number): boolean => from <= at && (until === OPEN || at < until);

/**
 * The index's dead log, read on demand: a lookup of one object inflates, per run whose span
 * includes the position, the one block (rarely two) whose id range holds it; a kind's iteration
 * reads that kind's blocks visible at the position and orders the entries by their place in the log.
 */
export class DiskDead implements DeadLayer {
  readonly #byKind = new Map<string, DeadRun[]>();
  readonly #cache = new Map<number, DeadBlock>();
  #decoded = 0;

  constructor(readonly bytes: Buffer, rows: readonly DeadRow[]) {
    let group: DeadRow[] = [];
    const close = () => {
      if (group.length === 0) return;
      const kind = group[0][1];
      let runs = this.#byKind.get(kind);
      if (runs === undefined) this.#byKind.set(kind, (runs = []));
      const minFrom = Math.min(...group.map((r) => r[6]));
      const maxUntil = group.some((r) => r[7] === OPEN) ? OPEN : Math.max(...group.map((r) => r[7]));
      runs.push({ rows: group, minFrom, maxUntil });
      group = [];
    };
    for (const row of rows) {
      if (group.length > 0 && (group[0][0] !== row[0] || group[0][1] !== row[1])) close();
      group.push(row);
    }
    close();
  }

  kinds(): Iterable<string> {
    return this.#byKind.keys();
  }

  /** Blocks inflated so far (the bench and the tests: what a lookup costs). */
  get blocksDecoded(): number {
    return this.#decoded;
  }

  #block(row: DeadRow): DeadBlock {
    const at = row[4];
    const hit = this.#cache.get(at);
    if (hit !== undefined) {
      this.#cache.delete(at);
      this.#cache.set(at, hit);
      return hit;
    }
    this.#decoded++;
    const head = JSON.parse(inflate(this.bytes, at, Block.Dead)) as { ids: string[]; from: number[]; until: number[]; order: number[] };
    if (head.ids.length !== row[5]) throw new Error(`dead-log block at ${at} holds ${head.ids.length} entries, the directory says ${row[5]}`);
    const snapsAt = at + 9 + this.bytes.readUInt32LE(at + 5);
    const b: DeadBlock = { ...head, snapsAt, snaps: null };
    this.#cache.set(at, b);
    if (this.#cache.size > DEAD_CACHE) this.#cache.delete(this.#cache.keys().next().value as number);
    return b;
  }

  #snap(b: DeadBlock, j: number): Snap<unknown> {
    if (b.snaps === null) {
      b.snaps = inflate(this.bytes, b.snapsAt, Block.DeadSnaps).split('\n');
      if (b.snaps.length !== b.ids.length) throw new Error(`dead-log block at ${b.snapsAt} holds ${b.snaps.length} snapshots for ${b.ids.length} entries`);
    }
    const s = b.snaps[j];
    if (typeof s !== 'string') return s;
    const parsed = JSON.parse(s) as Snap<unknown>;
    b.snaps[j] = parsed;
    return parsed;
  }

  lookup(kindId: string, id: string, at: number): Snap<unknown> | undefined {
    for (const run of this.#byKind.get(kindId) ?? []) {
      if (!spanHas(run.minFrom, run.maxUntil, at)) continue;
      const rows = run.rows;
      // The first block whose last id is not before `id`, and those after it that start at or before `id` (one object's entries may span blocks).
      let lo = 0;
      let hi = rows.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (rows[mid][3] < id) lo = mid + 1;
        else hi = mid;
      }
      for (let r = lo; r < rows.length && rows[r][2] <= id; r++) {
        if (!spanHas(rows[r][6], rows[r][7], at)) continue;
        const b = this.#block(rows[r]);
        // The block's ids are sorted (writeDeadRun): the first entry of `id`, then its others after it.
        const ids = b.ids;
        let x = 0;
        let y = ids.length;
        while (x < y) {
          const mid = (x + y) >> 1;
          if (ids[mid] < id) x = mid + 1;
          else y = mid;
        }
        for (let j = x; j < ids.length && ids[j] === id; j++) if (spanHas(b.from[j], b.until[j], at)) return this.#snap(b, j);
      }
    }
    return undefined;
  }

  visibleOf(kindId: string, at: number): Iterable<readonly [string, Snap<unknown>]> {
    const hits: { order: number; b: DeadBlock; j: number }[] = [];
    for (const run of this.#byKind.get(kindId) ?? []) {
      if (!spanHas(run.minFrom, run.maxUntil, at)) continue;
      for (const row of run.rows) {
        if (!spanHas(row[6], row[7], at)) continue;
        const b = this.#block(row);
        for (let j = 0; j < b.ids.length; j++) if (spanHas(b.from[j], b.until[j], at)) hits.push({ order: b.order[j], b, j });
      }
    }
    hits.sort((x, y) => x.order - y.order);
    return hits.map(({ b, j }) => [b.ids[j], this.#snap(b, j)] as const);
  }
}
