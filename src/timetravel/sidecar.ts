/**
 * The binary time-travel index `TRACE.idx` (format version `INDEX_VERSION`, below), built in one streaming pass over
 * the trace and read on demand: a seek reads one checkpoint (and the deltas after the last full
 * one, when there are any), the blocks of the dead log its lookups need (`DiskDead`), and only the trace records from the checkpoint to the
 * target (by the byte offset of every KOFF-th record); `history` reads the per-object record
 * lists. A checkpoint's objects are kept as their JSON text and parsed one at a time when the
 * replay reads them, so a seek costs what it touches, not the size of the world. Pure: bytes in,
 * bytes out; the index's and the trace's bytes come through read functions (the CLI's files, a
 * test's buffer), so nothing reads the whole index.
 *
 * Layout: MAGIC, then blocks (u8 type, u32 raw length, u32 stored length, the first 8 bytes of the
 * SHA-256 of the block's position, those 9 bytes and the stored bytes, then the deflate-raw bytes
 * of the payload), then the footer (JSON: format, version, the trace fingerprint, kernel, K, the
 * block directory), its u32 length, the SHA-256 of MAGIC, the footer and its length, and END. The
 * footer's hash is checked when the index is opened, each block's when it is read (an index of at
 * most WHOLE_CHECK bytes has every block checked at open); then the fingerprint (the trace's size
 * and SHA-256), the kernel and the counts (fingerprint.ts for the trace side). docs/time-travel.md
 * describes each block.
 */
import { createHash } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { Fact, FactBody } from '../../events/facts.js';
import type { CallRecord } from '../../events/records.js';
import type { Snap } from '../../machines/kit/lifecycle.js';
import { storesDeadCompactly, World, type ExpectedChild, type StepMode } from '../../machines/kit/world.js';
import type { Profile } from '../../machines/profile.js';
import { err, ledgerError, ok, type LedgerError, type Result } from '../core/result.js';
import type { Finding } from '../replay/finding.js';
import type { NestingState } from '../replay/nesting.js';
import { Replay, type ReplayCheckpoint } from '../replay/replay.js';
import { ChildIndex, LOOKAHEAD, stepEntries, type Entry } from '../replay/replayTrace.js';
import { ByteReader, ByteWriter } from './binary.js';
import { fingerprintMismatch, type TraceFingerprint } from './fingerprint.js';
import { emptyWorld, positionOf, type Position } from './index.js';
import { buildIndex } from './index.js';
import { ClosedRun } from './closedRun.js';
import { sortedIndices } from './sortedIndices.js';
import { DEAD_STATES, DeadLog, expandStored, isDead, isDeadState, LiveTracker, OPEN, ORDERED_KINDS, PendingLog, restoreKinds, type DeadEntry, type DeadLayer } from './live.js';
import { DeadKindMap, expandRecord } from '../../machines/kit/deadStore.js';
import { FACT_DRIVEN } from '../../machines/objects.js';
import { recordTokens } from './refs.js';
import { memoryTimeline, type OnRestore, type Timeline } from './timeline.js';

export { sortedIndices } from './sortedIndices.js';

export const INDEX_FORMAT = 'pasid-ledger-index';
/**
 * 10: a dead-log block holds entries of dead objects only or of live (settled) ones only, flagged
 * in its directory row, and a checkpoint header counts the dead objects per kind there, so a
 * listing of the live objects reads no block of dead entries;
 * 8: a checkpoint holds what the dead log answers there for the objects the records after it
 * read from it (its prefetch), so a seek reads no dead-log block for them;
 * 7: checkpoint headers, dead-log keys and record-list headers in binary (varints, front-coded
 * ids) instead of JSON, where most of each block's bytes were;
 * 6: a checksum per block, checked when the block is read (v5 hashed the whole file at open); a
 * Bloom filter of each dead-log run's keys, so a lookup reads only the runs that can hold its
 * object; a dead-log block's keys name each snapshot's byte length (a lookup parses only its own);
 * 5: the dead log in runs sorted by (kind, id), in blocks found through a directory in the footer,
 * read per lookup (v4 read the whole log at the first seek);
 * 4: checkpoints as a header and one line of JSON per object (parsed when read), each with the
 * reach of the calls before it, no end-of-trace bookkeeping, binary record lists;
 * 3: binary, whole-JSON checkpoints; 2: JSON Lines.
 */
export const INDEX_VERSION = 10;
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
/** Records per segment of per-object record lists. */
const SEGMENT = 1 << 16;
/**
 * A segment's lists are cut into this many blocks by a hash of their token, so `history` of one
 * object reads one small block per segment instead of every list of the segment.
 */
const POSTING_BUCKETS = 64;
const bucketOf = (token: string): number => keyHashes(token)[0] % POSTING_BUCKETS;
/**
 * Dead-log entries per run: the builder holds a run's closed entries, then writes them sorted by
 * (kind, id), so a lookup reads at most about one block per run (fewer, larger runs: fewer blocks
 * per lookup, more builder memory). Why not 131,072 as before: writing a run briefly holds its
 * keys and sort order as objects, which set the builder's heap peak; at half the run, on 1 M
 * records (1,000 live), peak RSS 260 -> 234 MB, the index 0.75 % larger, seeks and `state --at`
 * as fast (measured back to back).
 */
const DEAD_RUN = 65536;
/**
 * Dead-log entries per block (a block holds one kind; a lookup inflates and decodes one whole
 * block). 256: 5 % less index than 128 on 100 k records, seeks unchanged (measured in format 7);
 * 1024 in format 8, where a seek's lookups are answered by its checkpoint's prefetch and the log is
 * read mostly by a kind's iteration: 1.3 MB less index on 1 M records, `state --at` no slower.
 */
const DEAD_BLOCK = 1024;
/**
 * Bits per key and probes of a run's Bloom filter: about 2 % of the lookups of an object a run
 * does not hold read one of its blocks anyway (1 byte per dead-log entry).
 */
const BLOOM_BITS = 8;
const BLOOM_PROBES = 5;
/**
 * An index of at most this many bytes has every block's checksum checked when it is opened (a
 * few milliseconds); a larger one has each block checked when it is read, so opening costs what
 * the command reads and not the size of the index.
 */
export const WHOLE_CHECK = 4 << 20;
/** A block's header: u8 type, u32 raw length, u32 stored length, 8 bytes of checksum. */
const HEAD = 17;

const enum Block {
  Checkpoint = 1,
  Dead = 2,
  Postings = 3,
  /** The snapshots of the Dead block just before it. */
  DeadSnaps = 4,
  /** A dead-log run's Bloom filter of its keys. */
  Filter = 5,
}

const BLOCK_NAMES: Readonly<Record<number, string>> = { [Block.Checkpoint]: 'checkpoint', [Block.Dead]: 'dead-log key', [Block.Postings]: 'record-list', [Block.DeadSnaps]: 'dead-log snapshot', [Block.Filter]: 'dead-log filter' };

/**
 * Bytes read with a block's header, per type: most blocks fit (one read per block), and a read no
 * larger than the block's usual size (format 7 on 1 M records: a checkpoint ~1.9 KB, a dead-log
 * key block ~2 KB, its snapshots ~1.6 KB, a record-list block ~6 KB).
 */
const READ_AHEAD: Readonly<Record<number, number>> = { [Block.Checkpoint]: 4096, [Block.Postings]: 8192 };
const READ_AHEAD_OTHER = 4096;

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
  /** Per run: the position of its Bloom filter block and its size in bits. */
  deadFilters: [number, number][];
  /** Byte offset just past the last block (where the footer starts). */
  blocksEnd: number;
  deadCount: number;
  /** [first record of the segment, position of the block of each of its POSTING_BUCKETS buckets (-1: none)]. */
  postings: [number, number[]][];
  findings: Finding[];
  endFindings: Finding[];
  facts: number;
}

/**
 * A dead-log block: [run, kind, ids of its first and last entries, position, entries, least `from`,
 * greatest `until` (OPEN when any entry is still open), 1 when its entries are of dead objects and
 * 0 when of live (settled) ones (format 10)], so a lookup skips the blocks of other kinds, of other
 * ids and of entries not visible at its position without inflating them, and a listing of the
 * live objects skips the dead ones.
 */
export type DeadRow = [number, string, string, string, number, number, number, number, number];

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
  /**
   * Per kind: the ids the records up to the next checkpoint read from the dead log of a world
   * restored here (format 8); their texts follow the stored objects' ('' for none there).
   */
  pre: [string, string[]][];
  /** Per kind with any: the dead objects at `at` (format 10), so a listing of the live ones counts the others without reading them. */
  dead: [string, number][];
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

/**
 * A checkpoint's header in binary (format 7; version 6 wrote it as JSON, half of each checkpoint):
 * scalars as varints, each kind's ids front-coded, the nesting window column by column (seq gaps,
 * then root distances, then function indexes: runs of equal small numbers that deflate well), an
 * expectation list as its JSON only when it is not empty.
 */
export function writeCheckpointHeader(h: CheckpointHeader): Buffer {
  const w = new ByteWriter();
  w.uint(h.at).uint(h.full ? 1 : 0).int(h.reach).uint(h.records).uint(h.lastSeq === null ? 0 : 1).int(h.lastSeq ?? 0).uint(h.facts).uint(h.findings);
  w.uint(h.kinds.length);
  for (const [kindId, ids] of h.kinds) w.str(kindId).strs(ids);
  w.strs(h.del);
  w.uint(h.pre.length);
  for (const [kindId, ids] of h.pre) w.str(kindId).strs(ids);
  w.uint(h.dead.length);
  for (const [kindId, count] of h.dead) w.str(kindId).uint(count);
  const n = h.nesting;
  w.uint(n.gaps.length);
  for (const g of n.gaps) w.int(g);
  for (const u of n.up) w.int(u);
  for (const f of n.fn) w.int(f);
  w.strs(n.names);
  // Why only the lists not empty: a root whose expected calls all came acts as one that expects none (nesting.ts `check`).
  const pending = n.expected.filter(([, children]) => children.length > 0);
  w.uint(pending.length);
  let prev = 0;
  for (const [root, children] of pending) {
    w.int(root - prev);
    prev = root;
    w.str(JSON.stringify(children));
  }
  w.uint(h.hints.length);
  for (const [key, hint, freed] of h.hints) {
    w.str(key).int(hint).uint(freed.length);
    let p = hint;
    for (const f of freed) {
      w.int(f - p);
      p = f;
    }
  }
  return w.bytes();
}

export function readCheckpointHeader(r: ByteReader): CheckpointHeader {
  const at = r.uint();
  const full = r.uint() === 1;
  const reach = r.int();
  const records = r.uint();
  const hasSeq = r.uint() === 1;
  const seq = r.int();
  const facts = r.uint();
  const findings = r.uint();
  const kinds: [string, string[]][] = [];
  for (let k = r.uint(); k > 0; k--) kinds.push([r.str(), r.strs()]);
  const del = r.strs();
  const pre: [string, string[]][] = [];
  for (let k = r.uint(); k > 0; k--) pre.push([r.str(), r.strs()]);
  const dead: [string, number][] = [];
  for (let k = r.uint(); k > 0; k--) dead.push([r.str(), r.uint()]);
  const count = r.uint();
  const col = () => Array.from({ length: count }, () => r.int());
  const gaps = col();
  const up = col();
  const fn = col();
  const names = r.strs();
  const expected: [number, ExpectedChild[]][] = [];
  let prev = 0;
  for (let m = r.uint(); m > 0; m--) {
    prev += r.int();
    expected.push([prev, JSON.parse(r.str()) as ExpectedChild[]]);
  }
  const hints: [string, number, number[]][] = [];
  for (let m = r.uint(); m > 0; m--) {
    const key = r.str();
    const hint = r.int();
    const freed: number[] = [];
    let p = hint;
    for (let f = r.uint(); f > 0; f--) freed.push((p += r.int()));
    hints.push([key, hint, freed]);
  }
  return { at, full, reach, kinds, del, pre, dead, nesting: { gaps, up, names, fn, expected }, hints, records, lastSeq: hasSeq ? seq : null, facts, findings };
}

/** The checksum of a block at position `at`: its header's first 9 bytes and stored bytes, tied to where it sits. */
function blockSum(at: number, head: Buffer, stored: Buffer): Buffer {
  const pos = Buffer.alloc(8);
  pos.writeUIntLE(at, 0, 6);
  return createHash('sha256').update(pos).update(head.subarray(0, 9)).update(stored).digest().subarray(0, 8);
}

/** A block as written at position `at` (level 0: stored, for bits that do not compress). */
function encodeBlock(at: number, type: Block, payload: string | Buffer, level = 6): Buffer {
  const raw = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  const stored = deflateRawSync(raw, { level });
  const head = Buffer.alloc(HEAD);
  head.writeUInt8(type, 0);
  head.writeUInt32LE(raw.length, 1);
  head.writeUInt32LE(stored.length, 5);
  blockSum(at, head, stored).copy(head, 9);
  return Buffer.concat([head, stored]);
}

/** Writes one block and returns its position (the builder's output, or a test's buffer). */
export type EmitBlock = (type: Block, payload: string | Buffer, level?: number) => number;

/** Two 32-bit hashes of a key (FNV-1a, and a murmur3 finalizer of it), for the Bloom filters' probes. */
function keyHashes(key: string): [number, number] {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  let g = h ^ (h >>> 16);
  g = Math.imul(g, 0x85ebca6b);
  g ^= g >>> 13;
  g = Math.imul(g, 0xc2b2ae35);
  g ^= g >>> 16;
  return [h >>> 0, (g | 1) >>> 0];
}

function bloomOf(keys: readonly string[]): Buffer {
  const bits = Math.max(64, Math.ceil((keys.length * BLOOM_BITS) / 8) * 8);
  const out = Buffer.alloc(bits / 8);
  for (const key of keys) {
    const [h1, h2] = keyHashes(key);
    for (let j = 0; j < BLOOM_PROBES; j++) {
      const b = (h1 + j * h2) % bits;
      out[b >>> 3] |= 1 << (b & 7);
    }
  }
  return out;
}

function bloomHas(filter: Buffer, [h1, h2]: readonly [number, number]): boolean {
  const bits = filter.length * 8;
  for (let j = 0; j < BLOOM_PROBES; j++) {
    const b = (h1 + j * h2) % bits;
    if ((filter[b >>> 3] & (1 << (b & 7))) === 0) return false;
  }
  return true;
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
 * A block of per-object record lists: u32 length of a binary header (the first record of the
 * segment, the tokens sorted and front-coded, the byte length of each token's list), the header,
 * then each token's list as varints: the first record's distance from `first`, then the gaps.
 */
function postingsPayload(first: number, lists: Map<string, number[]>): Buffer {
  const tokens = [...lists.keys()].sort();
  const bytes: number[] = [];
  const body: number[] = [];
  for (const token of tokens) {
    const start = body.length;
    let prev = first;
    for (const v of lists.get(token) as number[]) {
      pushVarint(body, v - prev);
      prev = v;
    }
    bytes.push(body.length - start);
  }
  const w = new ByteWriter().uint(first).strs(tokens);
  for (const n of bytes) w.uint(n);
  const head = w.bytes();
  const len = Buffer.alloc(4);
  len.writeUInt32LE(head.length, 0);
  return Buffer.concat([len, head, Buffer.from(body)]);
}

/** A record-list block's header. */
function readPostingsHead(raw: Buffer, len: number): { first: number; tokens: string[]; bytes: number[] } {
  const r = new ByteReader(raw, 4, 4 + len);
  const first = r.uint();
  const tokens = r.strs();
  const bytes = tokens.map(() => r.uint());
  return { first, tokens, bytes };
}

/**
 * Writes dead-log entries as run `run`: first a Bloom filter of their keys, then the entries
 * sorted by (kind, id, log order), cut into blocks of one kind of at most `blockSize` entries, each
 * a binary header (ids, from, until, order: the entry's place in the log, which a kind's iteration
 * keeps; tpl: which template stands for its snapshot) and, in a block of its own right after it,
 * the templates, one JSON text a line (format 9; format 8 had one JSON array, parsed whole
 * by the first read of the block): a snapshot of a kind with an own-id field (a
 * domain, an mm, an SVA handle, a global PASID's history) with that field's value replaced by a
 * placeholder, as the world's DeadStore keeps it, each distinct one once; any other snapshot as it is.
 * `emit` writes a block and returns its position. Returns the directory rows and the filter.
 */
export function writeDeadRun(entries: readonly DeadEntry[], run: number, blockSize: number, emit: EmitBlock): { rows: DeadRow[]; filter: [number, number] } {
  const rows: DeadRow[] = [];
  const bloom = bloomOf(entries.map((e) => e.key));
  const filter: [number, number] = [emit(Block.Filter, bloom, 0), bloom.length * 8];
  const sorted = entries.map((e) => {
    const colon = e.key.indexOf(':');
    const kind = e.key.slice(0, colon);
    // Why `.value` of a stored snapshot as it is: a DeadStore record keeps its state there too, and expanding it would copy its context.
    return { e, kind, id: e.key.slice(colon + 1), dead: e.dead ?? isDeadState(kind, (typeof e.snap === 'string' ? (JSON.parse(e.snap) as Snap<unknown>) : e.snap).value) };
  });
  // Why live before dead within a kind: a block is all one or the other (format 10), so a listing of the live objects skips the dead blocks.
  sorted.sort((a, b) => (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : a.dead !== b.dead ? (a.dead ? 1 : -1) : a.id < b.id ? -1 : a.id > b.id ? 1 : a.e.order - b.e.order));
  const band = liveBands(sorted, blockSize);
  for (let a = 0; a < sorted.length; ) {
    let b = a + 1;
    while (b < sorted.length && b - a < blockSize && sorted[b].kind === sorted[a].kind && sorted[b].dead === sorted[a].dead && band[b] === band[a]) b++;
    const part = sorted.slice(a, b);
    // Why templates: most dead objects of a block differ only by their id (every freed paging domain, every exited mm), so a block holds and a reader parses each state once.
    const templates: string[] = [];
    const templateIx = new Map<string, number>();
    const tpl = part.map((x) => {
      const snap = x.e.snap;
      const t = typeof snap === 'string' && x.e.own !== undefined ? { text: snap, own: x.e.own } : templateOf(x.kind, x.id, typeof snap === 'string' ? (JSON.parse(snap) as Snap<unknown>) : expandStored(x.e.key, snap));
      let k = templateIx.get(t.text);
      if (k === undefined) templateIx.set(t.text, (k = templates.push(t.text) - 1));
      return k * 2 + (t.own ? 1 : 0);
    });
    const head = { ids: part.map((x) => x.id), from: part.map((x) => x.e.from), until: part.map((x) => x.e.until), order: part.map((x) => x.e.order), tpl };
    const snaps = templateLines(templates);
    const minFrom = Math.min(...head.from);
    const maxUntil = head.until.includes(OPEN) ? OPEN : Math.max(...head.until);
    // Why two blocks: most lookups find nothing in a block whose id range holds their id, and then only the small first one is inflated.
    const at = emit(Block.Dead, writeDeadKeys(head));
    emit(Block.DeadSnaps, snaps);
    rows.push([run, part[0].kind, part[0].id, part[part.length - 1].id, at, part.length, minFrom, maxUntil, part[0].dead ? 1 : 0]);
    a = b;
  }
  return { rows, filter };
}

/**
 * Blocks of a live part of a run's kind in a band (format 10): its entries ordered by where their
 * span starts and cut into bands of LIVE_BAND blocks, each band then sorted by id on its own.
 * Why: a live part mixes the entries of long-lived objects with those that started later; sorted
 * by id alone, nearly every block holds an entry visible at any position, so a listing of the live
 * objects read ~5 entries for each it showed (1 M records). A lookup asks each band (each is an
 * id-sorted group of its own, DiskDead) and so reads up to one block per band.
 */
const LIVE_BAND = 4;

/**
 * Reorders `sorted` (by kind, dead, id) so that each live part of more than one band is in bands
 * by span start, each sorted by id; returns each entry's band (0 for the other entries).
 */
function liveBands<T extends { e: DeadEntry; kind: string; id: string; dead: boolean }>(sorted: T[], blockSize: number): Int32Array {
  const band = new Int32Array(sorted.length);
  const size = LIVE_BAND * blockSize;
  for (let a = 0; a < sorted.length; ) {
    let b = a + 1;
    while (b < sorted.length && sorted[b].kind === sorted[a].kind && sorted[b].dead === sorted[a].dead) b++;
    if (!sorted[a].dead && b - a > size) {
      const part = sorted.slice(a, b);
      // Stable: entries starting at the same position keep their id order.
      const byFrom = part.map((x, j) => j).sort((x, y) => part[x].e.from - part[y].e.from || x - y);
      const bandOf = new Int32Array(part.length);
      byFrom.forEach((j, rank) => (bandOf[j] = Math.floor(rank / size)));
      const ix = part.map((_, j) => j).sort((x, y) => bandOf[x] - bandOf[y] || x - y);
      ix.forEach((j, k) => {
        sorted[a + k] = part[j];
        band[a + k] = bandOf[j];
      });
    }
    a = b;
  }
  return band;
}

/** A dead-log block's keys as written and read: ids (sorted), spans, places in the log, templates (index × 2, + 1 when the id goes in). */
interface DeadKeys {
  ids: string[];
  from: number[];
  until: number[];
  order: number[];
  tpl: number[];
}

/** Per kind with an own-id field (its `dead` declaration: machines/kit/object.ts), that field. */
const SELF_OF: ReadonlyMap<string, string> = new Map(FACT_DRIVEN.flatMap((k) => (k.factSpec.dead === undefined ? [] : [[k.id, k.factSpec.dead.self] as const])));

/**
 * A snapshot's template in a dead-log block: with its own-id field's value replaced by a
 * placeholder of its type ('' or 0, as machines/kit/deadStore.ts does) when that field holds the
 * id exactly (`own`), else the snapshot itself. `expandRecord` turns it back, key order included.
 */
function templateOf(kindId: string, id: string, snap: Snap<unknown>): { text: string; own: boolean } {
  const self = SELF_OF.get(kindId);
  const ctx = snap.context as Record<string, unknown> | null;
  if (self !== undefined && ctx !== null && typeof ctx === 'object' && !Array.isArray(ctx)) {
    const v = ctx[self];
    const placeholder = typeof v === 'string' && v === id ? '' : typeof v === 'number' && String(v) === id ? 0 : undefined;
    if (placeholder !== undefined) return { text: JSON.stringify({ value: snap.value, context: { ...ctx, [self]: placeholder } }), own: true };
  }
  return { text: JSON.stringify(snap), own: false };
}

/**
 * A dead-log block's templates as text (format 9): a first line of the context field lists
 * (shapes), then one line per template, so a reader parses only the templates of the entries it
 * reads (JSON.stringify escapes every newline inside a text). A template `{"value":V,"context":{K1:
 * X1,...}}` is written as `[shape, V, X1, ...]` with the shape its K1... (a domain's ten field
 * names once a block, not in each of its ~1,000 templates: half the bytes to inflate and parse);
 * anything else (a context that is not a plain object, a field named __proto__, other fields) as
 * `[-1, T]`, T its JSON. `templateOfLine` reads a line back to the JSON value of the template text,
 * key order included.
 */
export function templateLines(texts: readonly string[]): string {
  const shapes: string[][] = [];
  const shapeIx = new Map<string, number>();
  const lines = texts.map((text) => {
    const t = JSON.parse(text) as unknown;
    const asIs = `[-1,${text}]`;
    if (t === null || typeof t !== 'object' || Array.isArray(t)) return asIs;
    const top = Object.keys(t);
    const { value, context } = t as { value: unknown; context: unknown };
    if (top.length !== 2 || top[0] !== 'value' || top[1] !== 'context' || typeof value !== 'string' || context === null || typeof context !== 'object' || Array.isArray(context)) return asIs;
    const keys = Object.keys(context);
    if (keys.includes('__proto__')) return asIs;
    const shapeKey = JSON.stringify(keys);
    let k = shapeIx.get(shapeKey);
    if (k === undefined) shapeIx.set(shapeKey, (k = shapes.push(keys) - 1));
    const ctx = context as Record<string, unknown>;
    return JSON.stringify([k, value, ...keys.map((f) => ctx[f])]);
  });
  return [JSON.stringify(shapes), ...lines].join('\n');
}

/** A block's shapes line read back: a list of field-name lists, or undefined when it is not one. */
export function shapesOfLine(line: string): string[][] | undefined {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return undefined;
  }
  return Array.isArray(v) && v.every((k) => Array.isArray(k) && k.every((f) => typeof f === 'string' && f !== '__proto__')) ? (v as string[][]) : undefined;
}

/** A template line read back (`templateLines`), or undefined when it is not one of these shapes. */
export function templateOfLine(line: string, shapes: readonly (readonly string[])[]): Snap<unknown> | undefined {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!Array.isArray(v)) return undefined;
  // A template kept as it is: a snapshot, so an object (a kind's iteration and the own-id field read it as one).
  if (v[0] === -1) return v.length === 2 && v[1] !== null && typeof v[1] === 'object' && !Array.isArray(v[1]) ? (v[1] as Snap<unknown>) : undefined;
  const shape = typeof v[0] === 'number' ? shapes[v[0]] : undefined;
  if (shape === undefined || v.length !== shape.length + 2 || typeof v[1] !== 'string') return undefined;
  const context: Record<string, unknown> = {};
  for (let i = 0; i < shape.length; i++) context[shape[i]] = v[i + 2];
  return { value: v[1], context };
}

/**
 * Binary (format 7): the ids front-coded (sorted, they share their device or address prefix), then
 * column by column: `from`, the span's length + 1 (0: still open), the place in the log as the
 * distance from the entry before it, the snapshot lengths.
 */
function writeDeadKeys(k: DeadKeys): Buffer {
  const w = new ByteWriter();
  w.strs(k.ids);
  for (const f of k.from) w.uint(f);
  k.until.forEach((u, j) => w.uint(u === OPEN ? 0 : u - k.from[j] + 1));
  let prev = 0;
  for (const o of k.order) {
    w.int(o - prev);
    prev = o;
  }
  for (const n of k.tpl) w.uint(n);
  return w.bytes();
}

/** A dead-log block's keys as read: the columns in typed arrays (outside the JS heap: the cache keeps up to 1 M entries, which its collector would trace). */
interface ReadKeys {
  readonly ids: string[];
  readonly from: Float64Array;
  readonly until: Float64Array;
  readonly order: Float64Array;
  readonly tpl: Int32Array;
}

function readDeadKeys(raw: Buffer): ReadKeys {
  const r = new ByteReader(raw);
  const ids = r.strs();
  const n = ids.length;
  const from = new Float64Array(n);
  const until = new Float64Array(n);
  const order = new Float64Array(n);
  const tpl = new Int32Array(n);
  for (let j = 0; j < n; j++) from[j] = r.uint();
  for (let j = 0; j < n; j++) {
    const u = r.uint();
    until[j] = u === 0 ? OPEN : from[j] + u - 1;
  }
  let prev = 0;
  for (let j = 0; j < n; j++) order[j] = prev += r.int();
  for (let j = 0; j < n; j++) {
    const t = r.uint();
    // Why: an Int32Array would wrap a larger number into another template.
    if (t > 0x7fffffff) throw new Error('dead-log keys: a template number out of range');
    tpl[j] = t;
  }
  if (r.pos !== raw.length) throw new Error('dead-log keys: bytes left over');
  return { ids, from, until, order, tpl };
}

/** Blocks written into memory after MAGIC, as the builder writes them (tests). */
export function memoryEmitter(): { emit: EmitBlock; bytes: () => Buffer } {
  const parts: Buffer[] = [MAGIC];
  let pos = MAGIC.length;
  return {
    emit: (type, payload, level) => {
      const b = encodeBlock(pos, type, payload, level);
      parts.push(b);
      pos += b.length;
      return pos - b.length;
    },
    bytes: () => Buffer.concat(parts),
  };
}

/** The entries of an in-memory log (indices into it) as the builder hands them to writeDeadRun (tests). */
export function entriesOfLog(d: DeadLog, ids: readonly number[]): DeadEntry[] {
  return ids.map((i) => ({ order: i, key: d.keys[i], from: d.from[i], until: d.until[i], snap: d.snaps[i] }));
}

/** The facts' tokens need their bodies only. */
type FactLike = FactBody | Fact;

/**
 * A kind map that tells `note` of each read (has or get) of an object (the builder: what a restored
 * world would read), over the map the world keeps for that kind.
 */
function noting(Base: new () => Map<string, Snap<unknown>>) {
  return class extends Base {
    constructor(readonly kindId: string, readonly note: (kindId: string, id: string) => void) {
      super();
    }
    override get(id: string): Snap<unknown> | undefined {
      this.note(this.kindId, id);
      return super.get(id);
    }
    override has(id: string): boolean {
      this.note(this.kindId, id);
      return super.has(id);
    }
  };
}
const NotingMap = noting(Map);
/** The same for a kind whose dead objects the world keeps compactly (as its own map for it). */
const NotingDeadKindMap = noting(DeadKindMap);

/** Adds an object's JSON text to its kind's group (a checkpoint's objects, its prefetch). */
function putByKind(groups: Map<string, { ids: string[]; texts: string[] }>, key: string, text: string): void {
  const colon = key.indexOf(':');
  const kindId = key.slice(0, colon);
  let g = groups.get(kindId);
  if (g === undefined) groups.set(kindId, (g = { ids: [], texts: [] }));
  g.ids.push(key.slice(colon + 1));
  g.texts.push(text);
}

/**
 * A checkpoint not written yet: its header, its objects, and what the records after it read
 * from the dead log of a world restored there (`pre`: key → the stored form of the log entry
 * visible there, or null for none; `preLive`: live objects read, which join `pre` when they are
 * settled at the next checkpoint and so left out of this one).
 */
interface HeldCheckpoint {
  header: CheckpointHeader;
  byKind: Map<string, { ids: string[]; texts: string[] }>;
  readonly pre: Map<string, Snap<unknown> | null>;
  readonly preLive: Map<string, Snap<unknown>>;
}

/**
 * Builds the index while the trace streams through it: `add` each record as it is read (with the
 * byte offset of its line), `finish` at the end. Output goes to `write` as it is produced, so
 * memory is what the replay itself holds (the world) plus one segment of record lists.
 */
export class SidecarBuilder {
  readonly #replay: Replay;
  readonly #tracker: LiveTracker;
  readonly #dead = new PendingLog();
  readonly #write: (b: Buffer) => void;
  #pos = 0;
  readonly #footer: Omit<Footer, 'trace' | 'end' | 'findings' | 'endFindings' | 'facts' | 'blocksEnd'>;
  #window: Entry[] = [];
  #head = 0;
  #base = 0;
  readonly #children = new ChildIndex();
  #stepped = 0;
  #added = 0;
  /** Dead entries whose span is known (and those open at the end), waiting for their run. */
  readonly #closed = new ClosedRun();
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
    // Why noting maps: a checkpoint keeps what a world restored there reads from the dead log (its prefetch), and only the replay knows what it reads.
    const note = (kindId: string, id: string) => this.#noteRead(kindId, id);
    this.#replay.world = World.fromKindMaps(profile, 'fast', FACT_DRIVEN.filter((kind) => !ORDERED_KINDS.has(kind.id)).map((kind) => [kind.id, storesDeadCompactly(kind.id) ? new NotingDeadKindMap(kind.id, note) : new NotingMap(kind.id, note)] as const));
    this.#tracker = new LiveTracker(this.#replay.world, this.#dead, (i) => this.#close(i));
    this.#footer = { format: INDEX_FORMAT, version: INDEX_VERSION, kernel: profile.kernel, k, fullEvery, kOff: KOFF, records: 0, checkpoints: [], offsets: [], lines: [], seqs: [], dead: [], deadFilters: [], deadCount: 0, postings: [] };
    this.#emit(MAGIC);
    this.#checkpoint();
  }

  #emit(b: Buffer): number {
    const at = this.#pos;
    this.#write(b);
    this.#pos += b.length;
    return at;
  }

  readonly #emitBlock: EmitBlock = (type, payload, level) => this.#emit(encodeBlock(this.#pos, type, payload, level));

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
      this.#noting = true;
      const out = this.#replay.step(e.record, e.line, d.records, d.lines);
      this.#noting = false;
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
    const buckets = Array.from({ length: POSTING_BUCKETS }, () => new Map<string, number[]>());
    for (const [token, list] of this.#postings) buckets[bucketOf(token)].set(token, list);
    const ats = buckets.map((b) => (b.size === 0 ? -1 : this.#emitBlock(Block.Postings, postingsPayload(this.#segment, b))));
    this.#footer.postings.push([this.#segment, ats]);
    this.#postings = new Map();
    this.#segment = this.#stepped;
  }

  /**
   * Moves a closed entry (or one open at the end) out of the log into the run being gathered, as
   * its template's text (writeDeadRun's), made once here rather than parsed back there. Why: it is
   * never compared again, and the run keeps it outside the JS heap (closedRun.ts).
   */
  #close(i: number): void {
    const e = this.#dead.take(i);
    const colon = e.key.indexOf(':');
    const snap = typeof e.snap === 'string' ? (JSON.parse(e.snap) as Snap<unknown>) : expandStored(e.key, e.snap);
    const t = templateOf(e.key.slice(0, colon), e.key.slice(colon + 1), snap);
    this.#closed.add({ order: e.order, key: e.key, from: e.from, until: e.until, snap: t.text, own: t.own, dead: isDead(e.key, snap) });
  }

  #flushDead(): void {
    if (this.#closed.length === 0) return;
    // Why: the written entries are forgotten, so the builder holds the open entries and one run, never the whole trace's.
    this.#deadWritten += this.#closed.length;
    const { rows, filter } = this.#closed.drain((entries) => writeDeadRun(entries, this.#runs++, this.deadSizes.block, this.#emitBlock));
    for (const row of rows) this.#footer.dead.push(row);
    this.#footer.deadFilters.push(filter);
  }

  /**
   * Checkpoints taken since the last settling, not written yet: the objects settled at the next
   * one are left out of them (their log entries hold the same snapshot from before these
   * checkpoints), so a long-lived state is stored once, in the log, not also in a checkpoint.
   */
  #held: HeldCheckpoint[] = [];
  /** Whether the replay is stepping a record (its reads are noted; the tracker's and the checkpoints' are not). */
  #noting = false;
  /** Per kind, the ids read since the last checkpoint. */
  #read = new Map<string, Set<string>>();

  /**
   * A read while stepping: the first one since the last checkpoint of an object the records since
   * did not change is answered, in a world restored at that checkpoint, by the checkpoint's objects
   * (a live one) or else by the dead log there (what its entry open now holds, or none).
   */
  #noteRead(kindId: string, id: string): void {
    if (!this.#noting) return;
    let seen = this.#read.get(kindId);
    if (seen === undefined) this.#read.set(kindId, (seen = new Set()));
    if (seen.has(id)) return;
    seen.add(id);
    const key = `${kindId}:${id}`;
    const held = this.#held[this.#held.length - 1];
    if (held === undefined || this.#tracker.touched(key)) return;
    const live = this.#tracker.live.get(key);
    if (live !== undefined) held.preLive.set(key, live);
    else {
      const open = this.#tracker.openSnap(key);
      // Why not a text: a closed entry's snap becomes its template's text; an open one is never closed yet (no prefetch then: the log answers).
      if (typeof open !== 'string') held.pre.set(key, open ?? null);
    }
  }

  #writeHeld(settled: ReadonlySet<string>): void {
    for (const { header, byKind, pre, preLive } of this.#held) {
      const kinds: [string, string[]][] = [];
      const texts: string[] = [];
      for (const [kindId, g] of byKind) {
        const ids: string[] = [];
        g.ids.forEach((id, j) => {
          if (settled.has(`${kindId}:${id}`)) return;
          ids.push(id);
          texts.push(g.texts[j]);
        });
        if (ids.length > 0) kinds.push([kindId, ids]);
      }
      header.kinds = kinds;
      // The prefetch: dead-log answers at this checkpoint, and the live objects read that are left out of it (settled at the next one: the log answers for them).
      const preKinds = new Map<string, { ids: string[]; texts: string[] }>();
      const put = (key: string, text: string) => putByKind(preKinds, key, text);
      for (const [key, snap] of pre) put(key, snap === null ? '' : JSON.stringify(expandStored(key, snap)));
      for (const [key, snap] of preLive) if (settled.has(key)) put(key, JSON.stringify(snap));
      // Why sorted by id: front-coded ids, and neighbouring texts alike, take fewer bytes.
      header.pre = [];
      for (const [kindId, g] of preKinds) {
        const ix = g.ids.map((_, j) => j).sort((x, y) => (g.ids[x] < g.ids[y] ? -1 : g.ids[x] > g.ids[y] ? 1 : 0));
        header.pre.push([kindId, ix.map((j) => g.ids[j])]);
        for (const j of ix) texts.push(g.texts[j]);
      }
      const head = writeCheckpointHeader(header);
      const len = Buffer.alloc(4);
      len.writeUInt32LE(head.length, 0);
      const at = this.#emitBlock(Block.Checkpoint, Buffer.concat([len, head, Buffer.from(texts.join('\n'), 'utf8')]));
      this.#footer.checkpoints.push([header.at, at, header.full, header.reach]);
    }
    this.#held = [];
  }

  #checkpoint(): void {
    const n = this.#footer.checkpoints.length + this.#held.length;
    const full = n % this.fullEvery === 0;
    const cp = this.#replay.checkpoint(EMPTY_WORLD.get(this.profile) ?? newEmpty(this.profile));
    if (full) this.#writeHeld(new Set(this.#tracker.settle(this.#stepped)));
    const dirty = this.#tracker.takeDirty();
    const live = this.#tracker.live;
    const byKind = new Map<string, { ids: string[]; texts: string[] }>();
    const put = (key: string, snap: unknown) => putByKind(byKind, key, JSON.stringify(snap));
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
      pre: [],
      dead: [...this.#tracker.deadCounts].filter(([, n]) => n > 0).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
      nesting: packNesting(cp.nesting),
      hints: [...this.#replay.world.lowestFreeHint].map(([key, hint]) => [key, hint, [...(this.#replay.world.freedBelowHint.get(key) ?? [])]]),
      records: cp.records,
      lastSeq: cp.lastSeq,
      facts: cp.facts,
      findings: cp.findings,
    };
    this.#held.push({ header, byKind, pre: new Map(), preLive: new Map() });
    this.#read = new Map();
    this.#tracker.takeTouched();
  }

  /** Steps what is left, runs the end-of-trace checks and writes the dead log, the lists and the footer. */
  finish(trace: SidecarTrace): { records: number; bytes: number; deadObjects: number; findings: number } {
    this.#flush(this.#window.length - this.#head);
    const findings = [...this.#replay.findings];
    const endFindings = this.#replay.end();
    // Why run by run: most dead objects' entries are open to the end; one run of them all held every one as an object at once.
    const run = this.deadSizes.run;
    for (const i of this.#tracker.openEntries()) {
      this.#close(i);
      if (this.#closed.length >= run) this.#flushDead();
    }
    const close = (i: number) => {
      this.#close(i);
      if (this.#closed.length >= run) this.#flushDead();
    };
    while (this.#tracker.takeOpenDead(run, close) > 0);
    this.#flushDead();
    this.#flushPostings();
    this.#writeHeld(new Set());
    const footer: Footer = { ...this.#footer, trace, records: this.#stepped, end: trace.size, deadCount: this.#deadWritten, findings, endFindings, facts: this.#replay.log.length, blocksEnd: this.#pos };
    // The last checkpoint sits at a multiple of K; one at the very end would only cost size.
    const text = Buffer.from(JSON.stringify(footer), 'utf8');
    const len = Buffer.alloc(4);
    len.writeUInt32LE(text.length, 0);
    this.#emit(text);
    this.#emit(len);
    this.#emit(footerSum(text, len));
    this.#emit(END);
    return { records: this.#stepped, bytes: this.#pos, deadObjects: this.#deadWritten, findings: findings.length + endFindings.length };
  }
}

/** The footer's checksum: MAGIC (the format version), the footer and its length. */
function footerSum(text: Buffer, len: Buffer): Buffer {
  return createHash('sha256').update(MAGIC).update(text).update(len).digest();
}

const EMPTY_WORLD = new WeakMap<Profile, World>();
function newEmpty(profile: Profile): World {
  const w = new World(profile);
  EMPTY_WORLD.set(profile, w);
  return w;
}

/** Reads `length` bytes of the trace at byte `position`. */
export type ReadAt = (position: number, length: number) => Buffer;

/** The index's bytes: its size and a reader (the CLI's file, read where a block is; a test's buffer). */
export interface IndexSource {
  readonly size: number;
  read(position: number, length: number): Buffer;
}

export const bufferSource = (b: Buffer): IndexSource => ({ size: b.length, read: (p, n) => b.subarray(p, p + n) });

const FIX = 'it is not used; pass --write-index to rebuild it, or delete it';
const DAMAGED = 'the index content does not match its checksum (damaged or edited)';

/** Whether bytes start like an index of any version this tool wrote (so replacing the file loses no user data). */
export function looksLikeSidecar(head: Buffer): boolean {
  return head.subarray(0, MAGIC_PREFIX.length).equals(MAGIC_PREFIX) || head.toString('utf8').startsWith(`{"format":"${INDEX_FORMAT}"`);
}

/** A block that failed its check, found while reading (the index is then not used: DiskIndex falls back). */
export class IndexCorrupt extends Error {
  constructor(readonly error: LedgerError) {
    super(error.message);
  }
}

/**
 * Reads and checks the block of `type` at `at`: inside the blocks, its checksum, its inflated
 * length. Anything else throws IndexCorrupt naming the block; nothing unchecked is returned.
 */
function readBlock(src: IndexSource, blocksEnd: number, at: number, type: Block, file: string): { raw: Buffer; next: number } {
  const fail = (why: string) => new IndexCorrupt(ledgerError('INDEX_CORRUPT', `${DAMAGED.slice(0, -1)}: the ${BLOCK_NAMES[type] ?? 'unknown'} block at byte ${at}${why === '' ? '' : `, ${why}`})`, { file, line: 1, fix: FIX }));
  if (!(at >= MAGIC.length && at + HEAD <= blocksEnd)) throw fail('outside the blocks');
  // Why: most blocks are a few KB; one read of the header and what follows usually holds the whole block.
  const first = src.read(at, Math.min(HEAD + (READ_AHEAD[type] ?? READ_AHEAD_OTHER), blocksEnd - at));
  const head = first.subarray(0, HEAD);
  if (head.length < HEAD || head.readUInt8(0) !== type) throw fail('of another type');
  const stored = head.readUInt32LE(5);
  if (at + HEAD + stored > blocksEnd) throw fail('longer than the blocks');
  const body = HEAD + stored <= first.length ? first.subarray(HEAD, HEAD + stored) : src.read(at + HEAD, stored);
  if (body.length !== stored || !blockSum(at, head, body).equals(head.subarray(9, HEAD))) throw fail('');
  let raw: Buffer;
  try {
    raw = inflateRawSync(body);
  } catch {
    throw fail('not inflatable');
  }
  if (raw.length !== head.readUInt32LE(1)) throw fail('of another length');
  return { raw, next: at + HEAD + stored };
}

/** Checks every block's header and checksum, from the first to the footer (a small index at open). */
function checkAllBlocks(src: IndexSource, blocksEnd: number): boolean {
  let at = MAGIC.length;
  while (at < blocksEnd) {
    if (at + HEAD > blocksEnd) return false;
    const head = src.read(at, HEAD);
    const stored = head.readUInt32LE(5);
    if (at + HEAD + stored > blocksEnd) return false;
    if (!blockSum(at, head, src.read(at + HEAD, stored)).equals(head.subarray(9, HEAD))) return false;
    at += HEAD + stored;
  }
  return at === blocksEnd;
}

export interface OpenOptions {
  /**
   * Told once when a block read later fails its check: the index then answers from a replay of
   * the whole trace (the in-memory index), never from the block. Without it, the failure throws.
   */
  readonly onCorrupt?: (error: LedgerError) => void;
  /** Indexes of at most this many bytes have every block checked at open (tests lower it). */
  readonly wholeCheck?: number;
}

/**
 * Checks an index and reads its footer: the footer's checksum first (and every block's when the
 * index is small), then the format, the trace fingerprint and the kernel. Any problem is an error
 * value (INDEX_CORRUPT for a damaged or cut file, INDEX_STALE for another trace, kernel or format)
 * and nothing is used. A larger index has each block checked when it is read. `traceNow` is the
 * trace as it is now (size and SHA-256), or a function computing it when the stamp recorded in the
 * index no longer matches the file.
 */
export function openSidecar(index: Buffer | IndexSource, trace: { size: number; stamp?: SidecarTrace['stamp']; sha256: () => string }, profile: Profile, readAt: ReadAt, file = 'index', options: OpenOptions = {}): Result<DiskIndex, LedgerError> {
  const src = Buffer.isBuffer(index) ? bufferSource(index) : index;
  const stale = (what: string) => err(ledgerError('INDEX_STALE', what, { file, line: 1, fix: FIX }));
  const corrupt = (what: string) => err(ledgerError('INDEX_CORRUPT', what, { file, line: 1, fix: FIX }));
  const n = src.size;
  const start = src.read(0, Math.min(n, 256));
  if (!start.subarray(0, MAGIC.length).equals(MAGIC)) {
    // Why: an index an older (or newer) pasid-ledger wrote is refused by name, so the user knows to rebuild it.
    if (start.length >= MAGIC.length && start.subarray(0, MAGIC_PREFIX.length).equals(MAGIC_PREFIX)) return stale(`an index of format version ${start.readUInt8(MAGIC_PREFIX.length)}, this pasid-ledger reads version ${INDEX_VERSION}`);
    const v = /^\{"format":"pasid-ledger-index","version":(\d+)/.exec(start.toString('utf8'));
    if (v !== null) return stale(`an index of format version ${v[1]}, this pasid-ledger reads version ${INDEX_VERSION}`);
    return stale('not a pasid-ledger index');
  }
  const tail = MAGIC.length + 4 + 32 + END.length;
  if (n < tail || !src.read(n - END.length, END.length).equals(END)) return corrupt('the index has no checksum (cut short, or not written by this version)');
  const lenBuf = src.read(n - END.length - 36, 4);
  const len = lenBuf.readUInt32LE(0);
  if (len > n - tail) return corrupt(DAMAGED);
  const text = src.read(n - END.length - 36 - len, len);
  if (!footerSum(text, lenBuf).equals(src.read(n - END.length - 32, 32))) return corrupt(DAMAGED);
  let footer: Footer;
  try {
    footer = JSON.parse(text.toString('utf8')) as Footer;
  } catch (e) {
    return corrupt(`the index footer is unreadable (${(e as Error).message})`);
  }
  if (footer.format !== INDEX_FORMAT || footer.version !== INDEX_VERSION) return stale(`an index of format version ${String(footer.version)}, this pasid-ledger reads version ${INDEX_VERSION}`);
  // Why: the footer is where the blocks end; bytes cut from or added to the blocks move it.
  if (footer.blocksEnd !== n - END.length - 36 - len) return corrupt(DAMAGED);
  if (n <= (options.wholeCheck ?? WHOLE_CHECK) && !checkAllBlocks(src, footer.blocksEnd)) return corrupt(DAMAGED);
  const rec = footer.trace;
  const sameStamp = rec.stamp !== undefined && trace.stamp !== undefined && rec.stamp.mtimeMs === trace.stamp.mtimeMs && rec.stamp.ctimeMs === trace.stamp.ctimeMs && rec.stamp.ino === trace.stamp.ino;
  // Why: a file not written since it was hashed (same size, mtime, ctime, inode) has the hashed content; ctime cannot be set back from user space.
  const changed = fingerprintMismatch(rec, { size: trace.size, sha256: rec.size === trace.size && sameStamp ? rec.sha256 : trace.sha256() });
  if (changed !== undefined) return stale(changed);
  if (footer.kernel !== profile.kernel) return stale(`the index is for kernel ${footer.kernel} and ${footer.records} records`);
  return ok(new DiskIndex(src, footer, profile, readAt, file, options.onCorrupt));
}

interface DecodedCheckpoint {
  readonly i: number;
  readonly head: CheckpointHeader;
  /** The objects at this checkpoint by kind, each still its JSON text (restored worlds parse what they read). */
  readonly kinds: Map<string, Map<string, string>>;
  /** This checkpoint's prefetch by kind: id → the dead log's answer there ('' for none). */
  readonly pre: Map<string, Map<string, string>>;
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
  /** After a block failed its check: the in-memory index of the whole trace, which answers instead. */
  #fallback: { timeline: Timeline; dead: DeadLog } | null = null;

  constructor(readonly source: IndexSource, readonly footer: Footer, readonly profile: Profile, readonly readAt: ReadAt, readonly file: string, readonly onCorrupt?: (error: LedgerError) => void) {
    this.length = footer.records;
    this.k = footer.k;
    this.findings = footer.findings;
    this.endFindings = footer.endFindings;
  }

  /** Size in bytes, checkpoints, dead objects and their blocks (all, and read so far) (the bench and `--write-index`'s note). */
  get stats(): { bytes: number; checkpoints: number; deadObjects: number; deadBlocks: number; deadBlocksRead: number; facts: number } {
    return { bytes: this.source.size, checkpoints: this.footer.checkpoints.length, deadObjects: this.footer.deadCount, deadBlocks: this.footer.dead.length, deadBlocksRead: this.#dead?.blocksDecoded ?? 0, facts: this.footer.facts };
  }

  /** Whether a block failed its check, so the in-memory index answers (the tests and the CLI's note). */
  get fellBack(): boolean {
    return this.#fallback !== null;
  }

  #readBlock(at: number, type: Block): Buffer {
    return readBlock(this.source, this.footer.blocksEnd, at, type, this.file).raw;
  }

  /**
   * A block failed its check: from now on the in-memory index of the whole trace (the same K, so
   * its dead log holds the same entries with the same spans) answers, and the block is never used.
   */
  #fallBack(e: unknown): { timeline: Timeline; dead: DeadLog } {
    if (!(e instanceof IndexCorrupt)) throw e;
    if (this.#fallback !== null) return this.#fallback;
    if (this.onCorrupt === undefined) throw e;
    this.onCorrupt(e.error);
    const index = buildIndex(this.range(0, this.length - 1), this.profile, this.k, this.mode);
    this.#fallback = { timeline: memoryTimeline(index), dead: index.dead };
    return this.#fallback;
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
    this.#dead ??= new DiskDead(this.file, (at, type) => readBlock(this.source, this.footer.blocksEnd, at, type, this.file), this.footer.dead, this.footer.deadFilters, (e) => this.#fallBack(e).dead);
    return this.#dead;
  }

  /** One checkpoint block: its header and its objects by kind (JSON text, not parsed). */
  #read(j: number): { head: CheckpointHeader; kinds: Map<string, Map<string, string>>; pre: Map<string, Map<string, string>> } {
    const raw = this.#readBlock(this.footer.checkpoints[j][1], Block.Checkpoint);
    const len = raw.readUInt32LE(0);
    const head = readCheckpointHeader(new ByteReader(raw, 4, 4 + len));
    const lines = raw.length === 4 + len ? [] : raw.toString('utf8', 4 + len).split('\n');
    const kinds = new Map<string, Map<string, string>>();
    let n = 0;
    for (const [kindId, ids] of head.kinds) {
      const m = new Map<string, string>();
      for (const id of ids) m.set(id, lines[n++]);
      kinds.set(kindId, m);
    }
    const pre = new Map<string, Map<string, string>>();
    for (const [kindId, ids] of head.pre) {
      const m = new Map<string, string>();
      // Why ?? '': a last text that is empty (none there) leaves no line after the header.
      for (const id of ids) m.set(id, lines[n++] ?? '');
      pre.set(kindId, m);
    }
    return { head, kinds, pre };
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
    let pre = new Map<string, Map<string, string>>();
    for (let j = from; j <= i; j++) {
      const r = this.#read(j);
      head = r.head;
      // Why the last block's only: a prefetch answers for its own checkpoint's position.
      pre = r.pre;
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
    const out: DecodedCheckpoint = { i, head: head as CheckpointHeader, kinds, pre };
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
    const world = restoreKinds(this.profile, this.mode, d.kinds, this.dead, p.at, d.pre, new Map(p.dead));
    for (const [key, hint, freed] of p.hints) {
      world.lowestFreeHint.set(key, hint);
      world.freedBelowHint.set(key, [...freed]);
    }
    replay.world = world;
    return { replay, at: p.at, facts: p.facts };
  }

  seek(t: number, notAfter?: number, onRestore?: OnRestore): Position {
    if (t < -1 || t >= this.length) throw new Error(`seek: ${t} is outside the trace`);
    if (this.#fallback !== null) return this.#fallback.timeline.seek(t, notAfter, onRestore);
    let r: { replay: Replay; at: number; facts: number };
    try {
      r = this.#restore(this.#checkpointFor(t, notAfter));
    } catch (e) {
      return this.#fallBack(e).timeline.seek(t, notAfter, onRestore);
    }
    onRestore?.(r.replay);
    // Why: the cut trace is records [0, t]; nested records after it are invisible to the calls before it.
    if (t >= r.at) stepEntries(r.replay, this.range(r.at, t));
    return positionOf((i) => this.entry(i), t, r.replay, r.facts);
  }

  /** The full run (records decided with their nested records in view) at position `at`, kept for the next factsOf. */
  #full: { replay: Replay; at: number } | null = null;

  factsOf(t: number): readonly Fact[] {
    if (this.#fallback !== null) return this.#fallback.timeline.factsOf(t);
    // A checkpoint is the full run's state itself, so the full run resumes from the last one at or before t.
    let full = this.#full;
    if (full === null || full.at > t || t - full.at > this.k) {
      const cps = this.footer.checkpoints;
      let i = cps.length - 1;
      while (i > 0 && cps[i][0] > t) i--;
      try {
        const r = this.#restore(i);
        full = { replay: r.replay, at: r.at };
      } catch (e) {
        return this.#fallBack(e).timeline.factsOf(t);
      }
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
    if (this.#fallback !== null) return this.#fallback.timeline.touching(tokens, until);
    try {
      return this.#touching(tokens, until);
    } catch (e) {
      return this.#fallBack(e).timeline.touching(tokens, until);
    }
  }

  #touching(tokens: ReadonlySet<string>, until: number): number[] {
    const out = new Set<number>();
    const wanted = new Set([...tokens].map(bucketOf));
    for (const [first, ats] of this.footer.postings) {
      if (first > until) break;
      for (const bucket of wanted) {
        const at = ats[bucket];
        if (at === undefined || at < 0) continue;
        const raw = this.#readBlock(at, Block.Postings);
        const len = raw.readUInt32LE(0);
        const p = readPostingsHead(raw, len);
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
    }
    return [...out].sort((a, b) => a - b);
  }
}

/** One dead-log block decoded: its entries in (id, log order) order, snapshots parsed when first read. */
interface DeadBlock {
  readonly ids: string[];
  readonly from: Float64Array;
  readonly until: Float64Array;
  readonly order: Float64Array;
  readonly kind: string;
  /** Each entry's template: index × 2, + 1 when its id goes into the own-id field. */
  readonly tpl: Int32Array;
  /** Position of the snapshots' block. */
  readonly snapsAt: number;
  /** Once a lookup found an entry here: where each line of the templates' block starts (one more: the end + 1). */
  starts: Int32Array | null;
  /** Line i of the templates' block as text, and its shapes (line 0). */
  line: ((i: number) => string) | null;
  shapes: string[][] | null;
  /** Per template, how many entries name it. */
  uses: Int32Array | null;
  /** The templates parsed so far (by template), and the snapshots made of them (by entry). */
  templates: (Snap<unknown> | undefined)[];
  /** Why sized when made: filled out of order, an empty array would fall back to a dictionary. */
  readonly parsed: (Snap<unknown> | undefined)[];
}

/** A run's blocks of one kind (rows of the directory, in id order) and the span they cover. */
interface DeadRun {
  readonly run: number;
  /** Whether its entries are of dead objects (else of live, settled ones). */
  readonly dead: boolean;
  readonly rows: DeadRow[];
  readonly minFrom: number;
  readonly maxUntil: number;
}

/** Decoded dead-log blocks kept (least recently used first out): at most 1 M entries. */
const DEAD_CACHE = 4096;

const spanHas = (from: number, until: number, at: number): boolean => from <= at && (until === OPEN || at < until);

/** Reads and checks one block of the index (throws IndexCorrupt when it fails its check): its payload and where the next block starts. */
export type BlockReader = (at: number, type: Block) => { raw: Buffer; next: number };

/**
 * The index's dead log, read on demand: a lookup of one object asks each run whose span includes
 * the position and whose Bloom filter may hold the object, and inflates there the one block
 * (rarely two) whose id range holds it; a kind's iteration reads that kind's blocks visible at the
 * position and orders the entries by their place in the log. When a block fails its check,
 * `onFail` gives the in-memory log of the same entries, which answers from then on.
 */
export class DiskDead implements DeadLayer {
  readonly #byKind = new Map<string, DeadRun[]>();
  readonly #cache = new Map<number, DeadBlock>();
  readonly #filters = new Map<number, Buffer>();
  #decoded = 0;
  #instead: DeadLayer | null = null;

  constructor(
    /** The index file, named by its errors. */
    readonly file: string,
    readonly read: BlockReader,
    rows: readonly DeadRow[],
    /** Per run: its filter's position and bits (the footer's deadFilters). */
    readonly filterRows: readonly (readonly [number, number])[],
    readonly onFail: (e: unknown) => DeadLayer = (e) => {
      throw e;
    },
  ) {
    let group: DeadRow[] = [];
    const close = () => {
      if (group.length === 0) return;
      const kind = group[0][1];
      let runs = this.#byKind.get(kind);
      if (runs === undefined) this.#byKind.set(kind, (runs = []));
      const minFrom = Math.min(...group.map((r) => r[6]));
      const maxUntil = group.some((r) => r[7] === OPEN) ? OPEN : Math.max(...group.map((r) => r[7]));
      runs.push({ run: group[0][0], dead: group[0][8] === 1, rows: group, minFrom, maxUntil });
      group = [];
    };
    // Why a group per flag, and a new one where the ids start again (a live part's next band): each is sorted by id on its own (writeDeadRun), which a lookup's binary search needs.
    for (const row of rows) {
      if (group.length > 0 && (group[0][0] !== row[0] || group[0][1] !== row[1] || group[0][8] !== row[8] || row[2] < group[group.length - 1][3])) close();
      group.push(row);
    }
    close();
  }

  /** A dead log written into a buffer (tests). */
  static fromBytes(bytes: Buffer, rows: readonly DeadRow[], filters: readonly (readonly [number, number])[], file = 'dead log'): DiskDead {
    return new DiskDead(file, (at, type) => readBlock(bufferSource(bytes), bytes.length, at, type, file), rows, filters);
  }

  kinds(): Iterable<string> {
    return this.#byKind.keys();
  }

  /** Blocks inflated so far (the bench and the tests: what a lookup costs). */
  get blocksDecoded(): number {
    return this.#decoded;
  }

  #filter(run: number): Buffer {
    let f = this.#filters.get(run);
    if (f === undefined) {
      const [at, bits] = this.filterRows[run];
      f = this.read(at, Block.Filter).raw;
      if (f.length * 8 !== bits) throw new IndexCorrupt(ledgerError('INDEX_CORRUPT', `${DAMAGED.slice(0, -1)}: the dead-log filter of run ${run} has ${f.length * 8} bits, the directory says ${bits})`, { file: this.file, line: 1, fix: FIX }));
      this.#filters.set(run, f);
    }
    return f;
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
    const { raw, next } = this.read(at, Block.Dead);
    let head: ReadKeys;
    try {
      head = readDeadKeys(raw);
    } catch {
      throw new IndexCorrupt(ledgerError('INDEX_CORRUPT', `${DAMAGED.slice(0, -1)}: the dead-log block at byte ${at} is unreadable)`, { file: this.file, line: 1, fix: FIX }));
    }
    if (head.ids.length !== row[5] || head.tpl.length !== row[5]) throw new IndexCorrupt(ledgerError('INDEX_CORRUPT', `${DAMAGED.slice(0, -1)}: the dead-log block at byte ${at} holds ${head.ids.length} entries, the directory says ${row[5]})`, { file: this.file, line: 1, fix: FIX }));
    const b: DeadBlock = { ids: head.ids, from: head.from, until: head.until, order: head.order, kind: row[1], tpl: head.tpl, snapsAt: next, starts: null, line: null, shapes: null, uses: null, templates: [], parsed: new Array<Snap<unknown> | undefined>(head.ids.length) };
    this.#cache.set(at, b);
    if (this.#cache.size > DEAD_CACHE) this.#cache.delete(this.#cache.keys().next().value as number);
    return b;
  }

  #corrupt(at: number, what: string): IndexCorrupt {
    return new IndexCorrupt(ledgerError('INDEX_CORRUPT', `${DAMAGED.slice(0, -1)}: the dead-log block at byte ${at} ${what})`, { file: this.file, line: 1, fix: FIX }));
  }

  /** A block's template lines and where each starts (its shapes line first), checked against its keys (each template is parsed when first read). */
  #lines(b: DeadBlock): Int32Array {
    if (b.starts !== null) return b.starts;
    // Why outside any try: a block that fails its check throws IndexCorrupt naming it, which must reach the caller as it is.
    const raw = this.read(b.snapsAt, Block.DeadSnaps).raw;
    const starts: number[] = [0];
    for (let nl = raw.indexOf(10); nl >= 0; nl = raw.indexOf(10, nl + 1)) starts.push(nl + 1);
    starts.push(raw.length + 1);
    // Why decoded a line at a time, from the bytes: the cache keeps blocks, and bytes outside the JS heap cost its collector nothing (a text of the whole block is copied by each scavenge it lives through).
    const line = (i: number) => raw.toString('utf8', starts[i], starts[i + 1] - 1);
    const shapes = shapesOfLine(line(0));
    if (shapes === undefined) throw this.#corrupt(b.snapsAt, 'has an unreadable shapes line');
    const n = starts.length - 2;
    const uses = new Int32Array(n);
    for (let j = 0; j < b.tpl.length; j++) {
      const k = b.tpl[j] >> 1;
      if (k >= n) throw this.#corrupt(b.snapsAt, 'does not hold the templates its keys name');
      uses[k]++;
    }
    b.line = line;
    b.shapes = shapes;
    b.templates = new Array<Snap<unknown> | undefined>(n);
    b.uses = uses;
    b.starts = Int32Array.from(starts);
    return b.starts;
  }

  /** Template k of a block, parsed from its line (each time: `#snap` keeps what it makes). */
  #parseTemplate(b: DeadBlock, k: number): Snap<unknown> {
    this.#lines(b);
    const t = templateOfLine((b.line as (i: number) => string)(k + 1), b.shapes as string[][]);
    if (t === undefined) throw this.#corrupt(b.snapsAt, `has an unreadable template on line ${k + 2}`);
    return t;
  }

  #snap(b: DeadBlock, j: number): Snap<unknown> {
    const hit = b.parsed[j];
    if (hit !== undefined) return hit;
    const k = b.tpl[j] >> 1;
    this.#lines(b);
    let snap: Snap<unknown>;
    if ((b.tpl[j] & 1) === 0) {
      // The snapshot itself, shared by the block's entries that name it.
      snap = b.templates[k] ??= this.#parseTemplate(b, k);
    } else if ((b.uses as Int32Array)[k] === 1) {
      // Why in place: a template only this entry names (most are: a domain's attachment count, a handle's mm) is parsed for it alone, so its id goes straight in, with no copy of the context.
      snap = this.#parseTemplate(b, k);
      const self = SELF_OF.get(b.kind) as string;
      const ctx = snap.context as Record<string, unknown> | null;
      if (ctx === null || typeof ctx !== 'object' || !Object.hasOwn(ctx, self)) throw this.#corrupt(b.snapsAt, `has a template without its own-id field on line ${k + 2}`);
      ctx[self] = typeof ctx[self] === 'number' ? Number(b.ids[j]) : b.ids[j];
    } else {
      const t = (b.templates[k] ??= this.#parseTemplate(b, k));
      snap = expandRecord({ value: t.value as string, context: t.context as Record<string, unknown>, self: SELF_OF.get(b.kind) as string }, b.ids[j]);
    }
    b.parsed[j] = snap;
    return snap;
  }

  lookup(kindId: string, id: string, at: number): Snap<unknown> | undefined {
    if (this.#instead !== null) return this.#instead.lookup(kindId, id, at);
    try {
      return this.#lookup(kindId, id, at);
    } catch (e) {
      this.#instead = this.onFail(e);
      return this.#instead.lookup(kindId, id, at);
    }
  }

  #lookup(kindId: string, id: string, at: number): Snap<unknown> | undefined {
    let hashes: [number, number] | undefined;
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
      if (lo >= rows.length || rows[lo][2] > id) continue;
      // Why: most runs do not hold a given object; their filter says so without inflating a block.
      if (!bloomHas(this.#filter(run.run), (hashes ??= keyHashes(`${kindId}:${id}`)))) continue;
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
    if (this.#instead !== null) return this.#instead.visibleOf(kindId, at);
    try {
      return this.#visibleOf(kindId, at);
    } catch (e) {
      this.#instead = this.onFail(e);
      return this.#instead.visibleOf(kindId, at);
    }
  }

  visibleLiveOf(kindId: string, at: number): Iterable<readonly [string, Snap<unknown>]> {
    if (this.#instead !== null) return this.#instead.visibleLiveOf(kindId, at);
    try {
      return this.#visibleOf(kindId, at, true);
    } catch (e) {
      this.#instead = this.onFail(e);
      return this.#instead.visibleLiveOf(kindId, at);
    }
  }

  /** A kind's entries visible at `at` in log order; `liveOnly`: only the blocks of live objects' entries are read, in no particular order. */
  #visibleOf(kindId: string, at: number, liveOnly = false): (readonly [string, Snap<unknown>])[] {
    const blocks: DeadBlock[] = [];
    let n = 0;
    for (const run of this.#byKind.get(kindId) ?? []) {
      if (!spanHas(run.minFrom, run.maxUntil, at) || (liveOnly && run.dead)) continue;
      for (const row of run.rows) {
        if (!spanHas(row[6], row[7], at)) continue;
        const b = this.#block(row);
        blocks.push(b);
        for (let j = 0; j < b.ids.length; j++) if (spanHas(b.from[j], b.until[j], at)) n++;
      }
    }
    // Why typed arrays: one entry a slot, not three growing arrays of boxed numbers (a kind's iteration visits ~10^5 entries on 1 M records).
    const bOf = new Int32Array(n);
    const jOf = new Int32Array(n);
    const orders = new Float64Array(n);
    let i = 0;
    for (let bi = 0; bi < blocks.length; bi++) {
      const b = blocks[bi];
      for (let j = 0; j < b.ids.length; j++) {
        if (!spanHas(b.from[j], b.until[j], at)) continue;
        bOf[i] = bi;
        jOf[i] = j;
        orders[i++] = b.order[j];
      }
    }
    // Log order: a restored world iterates the kind as the in-memory log does (ties, which the log never has, in the order found); a listing of the live objects sorts them itself.
    const out = new Array<readonly [string, Snap<unknown>]>(n);
    if (liveOnly) {
      for (let x = 0; x < n; x++) out[x] = [blocks[bOf[x]].ids[jOf[x]], this.#snap(blocks[bOf[x]], jOf[x])];
      return out;
    }
    const sorted = sortedIndices(orders);
    for (let x = 0; x < n; x++) {
      const k = sorted[x];
      const b = blocks[bOf[k]];
      out[x] = [b.ids[jOf[k]], this.#snap(b, jOf[k])];
    }
    return out;
  }
}
