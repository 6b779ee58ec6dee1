/**
 * The binary time-travel index `TRACE.idx` (format version 3), built in one streaming pass over
 * the trace and read on demand: a seek reads one checkpoint (and the deltas after the last full
 * one), the dead log, and only the trace records from the checkpoint to the target (by the byte
 * offset of every KOFF-th record); `history` reads the per-object record lists. Pure: bytes in,
 * bytes out; the trace's bytes come through a `readAt` function (the CLI's file, a test's buffer).
 *
 * Layout: MAGIC, then blocks (u8 type, u32 raw length, u32 stored length, deflate-raw bytes of a
 * UTF-8 JSON payload), then the footer (JSON: format, version, the trace fingerprint, kernel, K,
 * the block directory), its u32 length, the SHA-256 of every byte before that hash, and END. The
 * hash is checked over the whole file before any block is inflated; then the fingerprint (the
 * trace's size and SHA-256), the kernel and the counts (fingerprint.ts for the trace side).
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
import { positionOf, restoreCheckpoint, type Checkpoint, type Position } from './index.js';
import { DeadLog, LiveTracker, OPEN } from './live.js';
import { recordTokens } from './refs.js';
import type { Timeline } from './timeline.js';

export const INDEX_FORMAT = 'pasid-ledger-index';
/** 3: binary, live-only checkpoints with deltas, a dead log, record offsets, per-object record lists (2 was JSON Lines). */
export const INDEX_VERSION = 3;
export const MAGIC = Buffer.from('PLIDX\u0003\n\u0000', 'latin1');
const END = Buffer.from('PLIDXEND', 'latin1');

/**
 * Records between checkpoints, chosen with `npm run bench` (section "time travel", docs/performance.md):
 * a seek steps at most K + 256 records (~K/2 + 256 on average) after decoding one checkpoint;
 * the index grows by one delta per K records.
 */
export const SIDECAR_K = 1024;
/** Every FULL_EVERY-th checkpoint holds every live object; the others the changes since the previous one. */
export const FULL_EVERY = 16;
/** A byte offset is kept for every KOFF-th record. */
export const KOFF = 128;
/** Records per block of per-object record lists. */
const SEGMENT = 1 << 16;
/** Dead-log entries per block. */
const DEAD_BLOCK = 8192;

const enum Block {
  Checkpoint = 1,
  Dead = 2,
  Postings = 3,
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
  kOff: number;
  records: number;
  /** [at, position of the block, full]. */
  checkpoints: [number, number, boolean][];
  /** Byte offset and line of every kOff-th record, and its seq. */
  offsets: number[];
  lines: number[];
  seqs: number[];
  /** Byte offset just past the last record line. */
  end: number;
  dead: number[];
  deadCount: number;
  /** [first record of the segment, position]. */
  postings: [number, number][];
  findings: Finding[];
  endFindings: Finding[];
  facts: number;
}

interface CheckpointPayload {
  at: number;
  full: boolean;
  /** Live objects (`kind:id`) and origins (`@kind:id`) set since the previous checkpoint (all when full). */
  set: [string, unknown][];
  del: string[];
  nesting: CompactNesting;
  records: number;
  lastSeq: number | null;
  facts: number;
  findings: number;
}

/**
 * The nesting window (1024 seqs) compactly: seqs as gaps, each seq's root as a distance (0 for a
 * top-level call), the function names of top-level calls through a name table. Deflated, a
 * checkpoint's window costs about a kilobyte instead of ~100.
 */
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

function block(type: Block, payload: string): Buffer {
  const raw = Buffer.from(payload, 'utf8');
  const stored = deflateRawSync(raw, { level: 6 });
  const head = Buffer.alloc(9);
  head.writeUInt8(type, 0);
  head.writeUInt32LE(raw.length, 1);
  head.writeUInt32LE(stored.length, 5);
  return Buffer.concat([head, stored]);
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
  #postings = new Map<string, number[]>();
  #segment = 0;
  /** The state map (live objects and origins) as of the last checkpoint, for deltas. */
  #lastState = new Map<string, unknown>();
  #lastOrigin = new Map<string, unknown>();

  constructor(readonly profile: Profile, write: (b: Buffer) => void, readonly k = SIDECAR_K, readonly onRecord?: (stepped: number) => void) {
    this.#write = write;
    this.#replay = new Replay({ profile, validateFacts: false, retainFacts: false });
    this.#tracker = new LiveTracker(this.#replay.world, this.#dead, (i) => this.#closed.push(i));
    this.#footer = { format: INDEX_FORMAT, version: INDEX_VERSION, kernel: profile.kernel, k, kOff: KOFF, records: 0, checkpoints: [], offsets: [], lines: [], seqs: [], dead: [], deadCount: 0, postings: [] };
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
    const e: Entry = { record, line };
    this.#children.add(e, this.#base + this.#window.length);
    this.#window.push(e);
    if (this.#window.length - this.#head > LOOKAHEAD) this.#flush(1);
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
      if (this.#closed.length >= DEAD_BLOCK) this.#flushDead();
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
    const tokens = [...this.#postings.keys()];
    const lists = tokens.map((k) => {
      const l = this.#postings.get(k) as number[];
      // Delta-coded: the gaps are small numbers, which deflate well.
      return l.map((v, i) => (i === 0 ? v - this.#segment : v - l[i - 1]));
    });
    const at = this.#emit(block(Block.Postings, JSON.stringify({ first: this.#segment, tokens, lists })));
    this.#footer.postings.push([this.#segment, at]);
    this.#postings = new Map();
    this.#segment = this.#stepped;
  }

  #flushDead(): void {
    const ids = this.#closed;
    this.#closed = [];
    if (ids.length === 0) return;
    const d = this.#dead;
    const head = { keys: ids.map((i) => d.keys[i]), from: ids.map((i) => d.from[i]), until: ids.map((i) => d.until[i]) };
    const text = `${JSON.stringify(head)}\n${ids.map((i) => JSON.stringify(d.snaps[i])).join('\n')}`;
    this.#footer.dead.push(this.#emit(block(Block.Dead, text)));
    this.#deadWritten += ids.length;
    // Why: the builder's log would hold every dead object twice over (the world holds them too); drop the written snapshots.
    for (const i of ids) d.snaps[i] = '';
  }

  #checkpoint(): void {
    const n = this.#footer.checkpoints.length;
    const full = n % FULL_EVERY === 0;
    const cp = this.#replay.checkpoint(EMPTY_WORLD.get(this.profile) ?? newEmpty(this.profile));
    const set: [string, unknown][] = [];
    const del: string[] = [];
    if (full) this.#tracker.settle(this.#stepped);
    const dirty = this.#tracker.takeDirty();
    const live = this.#tracker.live;
    if (full) {
      for (const [key, snap] of live) set.push([key, snap]);
      this.#lastState = new Map(live);
    } else {
      for (const key of dirty) {
        const snap = live.get(key);
        if (snap !== undefined) set.push([key, snap]);
        else if (this.#lastState.has(key)) del.push(key);
      }
    }
    if (!full) {
      for (const key of dirty) {
        const snap = live.get(key);
        if (snap === undefined) this.#lastState.delete(key);
        else this.#lastState.set(key, snap);
      }
    }
    const origin = new Map<string, unknown>(cp.origin.map(([k, v]) => [`@${k}`, v] as const));
    for (const [k, v] of origin) if (full || this.#lastOrigin.get(k) !== v) set.push([k, v]);
    if (!full) for (const k of this.#lastOrigin.keys()) if (!origin.has(k)) del.push(k);
    this.#lastOrigin = origin;
    const payload: CheckpointPayload = {
      at: this.#stepped,
      full,
      set,
      del,
      nesting: packNesting(cp.nesting),
      records: cp.records,
      lastSeq: cp.lastSeq,
      facts: cp.facts,
      findings: cp.findings,
    };
    const at = this.#emit(block(Block.Checkpoint, JSON.stringify(payload)));
    this.#footer.checkpoints.push([this.#stepped, at, full]);
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
  return head.subarray(0, MAGIC.length).equals(MAGIC) || head.toString('utf8').startsWith(`{"format":"${INDEX_FORMAT}"`);
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

function inflate(bytes: Buffer, at: number, type: Block): string {
  if (bytes.readUInt8(at) !== type) throw new Error(`block at ${at} is not of type ${type}`);
  const stored = bytes.readUInt32LE(at + 5);
  return inflateRawSync(bytes.subarray(at + 9, at + 9 + stored)).toString('utf8');
}

interface DecodedCheckpoint {
  readonly i: number;
  readonly payload: CheckpointPayload;
  /** Live objects and `@`origins at this checkpoint. */
  readonly state: Map<string, unknown>;
}

/** A trace's time-travel index read from its sidecar: checkpoints, dead log and record lists on demand. */
export class DiskIndex implements Timeline {
  readonly length: number;
  readonly k: number;
  readonly findings: readonly Finding[];
  readonly endFindings: readonly Finding[];
  readonly mode: StepMode = 'fast';
  #dead: DeadLog | null = null;
  #last: DecodedCheckpoint | null = null;
  readonly #chunks = new Map<number, Entry[]>();

  constructor(readonly bytes: Buffer, readonly footer: Footer, readonly profile: Profile, readonly readAt: ReadAt, readonly file: string) {
    this.length = footer.records;
    this.k = footer.k;
    this.findings = footer.findings;
    this.endFindings = footer.endFindings;
  }

  /** Size in bytes, checkpoints, dead objects (the bench and `--write-index`'s note). */
  get stats(): { bytes: number; checkpoints: number; deadObjects: number; facts: number } {
    return { bytes: this.bytes.length, checkpoints: this.footer.checkpoints.length, deadObjects: this.footer.deadCount, facts: this.footer.facts };
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

  get dead(): DeadLog {
    if (this.#dead !== null) return this.#dead;
    const d = new DeadLog();
    for (const at of this.footer.dead) {
      const text = inflate(this.bytes, at, Block.Dead);
      const nl = text.indexOf('\n');
      const head = JSON.parse(text.slice(0, nl)) as { keys: string[]; from: number[]; until: number[] };
      const snaps = text.slice(nl + 1).split('\n');
      for (let i = 0; i < head.keys.length; i++) d.push(head.keys[i], snaps[i], head.from[i], head.until[i] ?? OPEN);
    }
    this.#dead = d;
    return d;
  }

  /** The state (live objects and origins) at checkpoint i: the last full one and the deltas after it. */
  #decode(i: number): DecodedCheckpoint {
    const cps = this.footer.checkpoints;
    let start = i;
    while (start > 0 && !cps[start][2]) start--;
    const last = this.#last;
    let state: Map<string, unknown>;
    let from: number;
    if (last !== null && last.i <= i && last.i >= start) {
      if (last.i === i) return last;
      state = new Map(last.state);
      from = last.i + 1;
    } else {
      state = new Map();
      from = start;
    }
    let payload: CheckpointPayload | undefined;
    for (let j = from; j <= i; j++) {
      payload = JSON.parse(inflate(this.bytes, cps[j][1], Block.Checkpoint)) as CheckpointPayload;
      if (payload.full) state.clear();
      for (const key of payload.del) state.delete(key);
      for (const [key, v] of payload.set) state.set(key, v);
    }
    const out = { i, payload: payload as CheckpointPayload, state };
    this.#last = out;
    return out;
  }

  /** The checkpoint usable for target t (at least LOOKAHEAD records before it, see index.ts). */
  #checkpointFor(t: number, notAfter = Infinity): number {
    const limit = Math.min(t + 1 - LOOKAHEAD, notAfter);
    const cps = this.footer.checkpoints;
    let lo = 0;
    let hi = cps.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (cps[mid][0] <= limit) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  #restore(i: number): { replay: Replay; at: number; facts: number } {
    const d = this.#decode(i);
    const p = d.payload;
    const live: [string, Snap<unknown>][] = [];
    const origin: [string, { seq: number; line: number | null }][] = [];
    for (const [key, v] of d.state) {
      if (key.startsWith('@')) origin.push([key.slice(1), v as { seq: number; line: number | null }]);
      else live.push([key, v as Snap<unknown>]);
    }
    const replayCp: ReplayCheckpoint = {
      world: new World(this.profile, 'fast', new Map(live)),
      nesting: unpackNesting(p.nesting),
      origin,
      records: p.records,
      lastSeq: p.lastSeq,
      facts: p.facts,
      findings: p.findings,
    };
    const cp: Checkpoint = { at: p.at, replay: replayCp };
    return { replay: restoreCheckpoint(this.profile, this.mode, cp, this.dead, [], this.findings), at: p.at, facts: p.facts };
  }

  seek(t: number, notAfter?: number): Position {
    if (t < -1 || t >= this.length) throw new Error(`seek: ${t} is outside the trace`);
    const r = this.#restore(this.#checkpointFor(t, notAfter));
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
      const p = JSON.parse(inflate(this.bytes, at, Block.Postings)) as { first: number; tokens: string[]; lists: number[][] };
      p.tokens.forEach((token, i) => {
        if (!tokens.has(token)) return;
        let v = p.first;
        for (const [j, gap] of p.lists[i].entries()) {
          v = j === 0 ? p.first + gap : v + gap;
          if (v <= until) out.add(v);
        }
      });
    }
    return [...out].sort((a, b) => a - b);
  }
}
