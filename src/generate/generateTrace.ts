/**
 * A synthetic trace of one kernel era: device probes, kernel-DMA PASID users (global PASID or
 * IOASID, domain, attach/detach), SVA binds of many mms on several devices, mm exits, plus a few
 * injected bugs (a wrong-domain detach, a leak, a double free). The model itself decides every
 * return value and the nested records, so the trace is what that era's kernel would have logged;
 * only the injected bugs raise findings. Pure and deterministic for a seed (no Math.random, no clock).
 */
import { isFailure } from '../../events/ret.js';
import { RECORD_SPECS, type CallName, type CallRecord, type TraceHeader } from '../../events/records.js';
import { TRACE_FORMAT, TRACE_FORMAT_VERSION } from '../../events/records.js';
import { decideCall } from '../../machines/calls/index.js';
import { World } from '../../machines/kit/world.js';
import type { Profile } from '../../machines/profile.js';
import { profileFor } from '../../machines/profile.js';
import { err, ledgerError, ok, type LedgerError, type Result } from '../core/result.js';
import { Bag, Prng } from './prng.js';

export interface GenerateOptions {
  /** Records to produce (the last call's nested records may be cut off by the draining, never split). */
  readonly records: number;
  readonly kernel?: string;
  readonly seed?: number;
  /**
   * PASID users live at steady state, whatever the length: a longer trace of the same workload
   * (the bench's size sweep). Default: 1 % of `records`, at least 20 (the traces of earlier versions).
   */
  readonly live?: number;
}

export interface GeneratedTrace {
  readonly header: TraceHeader;
  readonly profile: Profile;
  /** The records, produced lazily (a 1 M-record trace never sits in memory). */
  records(): Generator<CallRecord>;
}

export const DEFAULT_KERNEL = '6.8.0';
export const DEFAULT_SEED = 1;

const KDMA_DEVICES = 16;
const SVA_DEVICES = 8;
const IOMMUS = ['dmar0', 'dmar1'];
/** Live PASID users at steady state per record of the trace (10 k for 1 M records) unless `live` is given. */
const LIVE_PER_RECORD = 1 / 100;
const MIN_LIVE = 20;
/** The fewest records per live user `live` may ask for (below it the trace is ramp-up and tear-down). */
const RECORDS_PER_LIVE = 20;

/** The steady-state live population of a trace of `records` records without `live`. */
export const defaultLive = (records: number): number => Math.max(MIN_LIVE, Math.round(records * LIVE_PER_RECORD));

const kdmaDev = (i: number) => `0000:3a:${(i >> 3).toString(16).padStart(2, '0')}.${i & 7}`;
const svaDev = (i: number) => `0000:6a:${(i >> 3).toString(16).padStart(2, '0')}.${i & 7}`;
const mmName = (n: number) => `0xffff8881${n.toString(16).padStart(8, '0')}`;

/** A kernel-DMA PASID user: a device PASID with its domain (own, or the device's long-lived one). */
interface KdmaUnit {
  readonly dev: number;
  readonly pasid: number;
  readonly domain: string | null;
  readonly ownDomain: boolean;
}

interface Bond {
  readonly dev: number;
  readonly mm: MmState;
  readonly handle: string;
}

interface MmState {
  readonly n: number;
  readonly name: string;
  readonly devs: Set<number>;
  live: boolean;
}

type Bug = 'wrongDomainDetach' | 'leak' | 'doubleFree';

export function generateTrace(options: GenerateOptions): Result<GeneratedTrace, LedgerError> {
  const kernel = options.kernel ?? DEFAULT_KERNEL;
  const profile = profileFor(kernel);
  if (profile === null) {
    return err(ledgerError('KERNEL_UNSUPPORTED', `kernel version "${kernel}" is not one pasid-ledger models (5.5 or later)`, { field: '--kernel', fix: 'give e.g. --kernel 6.8.0' }));
  }
  if (!Number.isInteger(options.records) || options.records < 1) {
    return err(ledgerError('USAGE', `--records takes a positive integer, got ${options.records}`, { field: '--records', fix: 'e.g. --records 100000' }));
  }
  if (options.live !== undefined && (!Number.isInteger(options.live) || options.live < 1)) {
    return err(ledgerError('USAGE', `--live takes a positive integer, got ${options.live}`, { field: '--live', fix: 'e.g. --live 1000, or leave it out for 1 % of --records' }));
  }
  // Why: ramp-up and tear-down take about 8 records per live user; with fewer than 20 per user the trace never reaches its steady state.
  if (options.live !== undefined && options.live * RECORDS_PER_LIVE > options.records) {
    return err(ledgerError('USAGE', `--live ${options.live} needs at least ${options.live * RECORDS_PER_LIVE} records to reach its steady state, got --records ${options.records}`, { field: '--live', fix: `give at most --live ${Math.floor(options.records / RECORDS_PER_LIVE)}, or more --records` }));
  }
  const header: TraceHeader = {
    type: 'header',
    format: TRACE_FORMAT,
    version: TRACE_FORMAT_VERSION,
    kernel,
    source: 'generated',
    description: `pasid-ledger generate --records ${options.records} --kernel ${kernel} --seed ${options.seed ?? DEFAULT_SEED}${options.live !== undefined ? ` --live ${options.live}` : ''}`,
  };
  const live = options.live ?? defaultLive(options.records);
  return ok({ header, profile, records: () => run(profile, options.records, options.seed ?? DEFAULT_SEED, live) });
}

/** Which return kinds are void: their records carry `ret: null` even when the model leaves it open. */
const VOID_RET = new Set<CallName>((Object.keys(RECORD_SPECS) as CallName[]).filter((f) => RECORD_SPECS[f].ret === 'retVoid'));

function* run(p: Profile, total: number, seed: number, target: number): Generator<CallRecord> {
  const rng = new Prng(seed);
  const world = new World(p, 'fast');
  const out: CallRecord[] = [];
  let seq = 0;
  let ts = 1_000_000;

  /** Emits one top-level call: the model decides its return and the nested calls, which follow it. */
  const call = <F extends CallName>(fn: F, args: Record<string, unknown>, tid: number): CallRecord => {
    ts += 1 + rng.int(2000);
    // Why the casts: the args are drawn from the catalogue at run time, so no static type says they fit fn (test/generate validates every record).
    const rec = { seq: ++seq, ts, cpu: rng.int(8), tid, fn, args } as unknown as CallRecord & { ret?: unknown };
    const d = decideCall(world, rec);
    if (d.ret !== undefined) rec.ret = d.ret;
    else if (VOID_RET.has(fn)) rec.ret = null;
    out.push(rec);
    for (const c of d.children) {
      const childArgs: Record<string, unknown> = { ...c.args };
      // The model leaves out arguments it does not check; a capture has them all.
      if (c.fn === 'ioasid_alloc' && childArgs.private === undefined) childArgs.private = fn === 'iommu_sva_bind_device' ? args.mm : null;
      // v6.14+ removal is the static blocking domain's set_dev_pasid (647b7aad1949): it is never allocated, so it has a fixed name.
      if (c.fn === 'set_dev_pasid' && childArgs.domain === undefined) childArgs.domain = 'blocking-domain';
      for (const [name, kind] of Object.entries(RECORD_SPECS[c.fn].args as Record<string, string>)) {
        if (childArgs[name] !== undefined || kind.endsWith('?')) continue;
        childArgs[name] = args[name] ?? (kind === 'nameOrNull' ? null : undefined);
      }
      const child = { seq: ++seq, ts: ts + 1, cpu: rec.cpu, tid, parent: rec.seq, fn: c.fn, args: childArgs } as unknown as CallRecord & { ret?: unknown };
      ts++;
      if (c.ret !== undefined) child.ret = c.ret;
      else if (VOID_RET.has(c.fn)) child.ret = null;
      out.push(child);
    }
    return rec;
  };
  const failed = (r: CallRecord) => isFailure(r.ret);

  const attach = p.calls.has('iommu_attach_device_pasid');
  const globalPasid = p.calls.has('iommu_alloc_global_pasid');
  const ioasidFree: CallName | null = p.calls.has('ioasid_free') ? 'ioasid_free' : p.calls.has('ioasid_put') ? 'ioasid_put' : null;
  const ioasid = p.calls.has('ioasid_alloc');

  // Boot: program the root tables, probe the devices; each kernel-DMA device gets a long-lived DMA domain.
  for (const iommu of IOMMUS) call('iommu_set_root_entry', { iommu, ecap_smts: true }, 1);
  const devDomain: (string | null)[] = [];
  for (let i = 0; i < KDMA_DEVICES; i++) {
    call('iommu_probe_device', { dev: kdmaDev(i), max_pasids: 1 << 16, iommu: IOMMUS[i & 1] }, 1);
    devDomain.push(attach ? String(call('iommu_domain_alloc', { type: 'dma', dev: kdmaDev(i) }, 1).ret) : null);
  }
  for (let i = 0; i < SVA_DEVICES; i++) call('iommu_probe_device', { dev: svaDev(i), max_pasids: 1 << 20, iommu: IOMMUS[i & 1] }, 1);

  // PASIDs the generator hands out itself where the era has no allocator for kernel DMA (v6.4, v6.5),
  // from the top half of the device range so they never meet the SVA PASIDs of the global IDA.
  const ownPasids: { next: number; free: number[] }[] = Array.from({ length: KDMA_DEVICES }, () => ({ next: 1 << 15, free: [] }));
  const kdma = new Bag<KdmaUnit>();
  const bonds = new Bag<Bond>();
  const idleMms = new Bag<MmState>();
  let mms = 0;

  const bugs: { at: number; bug: Bug }[] = [
    { at: Math.floor(total * 0.3), bug: 'wrongDomainDetach' },
    { at: Math.floor(total * 0.5), bug: 'leak' },
    { at: Math.floor(total * 0.7), bug: 'doubleFree' },
  ];
  let destroyOps = 0;
  let destroyRecords = 0;

  const kdmaCreate = (): void => {
    const dev = rng.int(KDMA_DEVICES);
    const tid = 200 + dev;
    let pasid: number;
    if (globalPasid) {
      const r = call('iommu_alloc_global_pasid', { dev: kdmaDev(dev) }, tid);
      if (typeof r.ret !== 'number') return;
      pasid = r.ret;
    } else if (ioasid) {
      const r = call('ioasid_alloc', { set: null, min: 1, max: (1 << 16) - 1, private: null }, tid);
      if (typeof r.ret !== 'number') return;
      pasid = r.ret;
    } else {
      const own = ownPasids[dev];
      pasid = own.free.pop() ?? own.next++;
    }
    if (!attach) return kdma.add({ dev, pasid, domain: null, ownDomain: false });
    const ownDomain = rng.chance(0.5);
    const domain = ownDomain ? String(call('iommu_domain_alloc', { type: 'dma', dev: kdmaDev(dev) }, tid).ret) : (devDomain[dev] as string);
    const r = call('iommu_attach_device_pasid', { domain, dev: kdmaDev(dev), pasid }, tid);
    kdma.add({ dev, pasid, domain: failed(r) ? null : domain, ownDomain });
  };

  const freePasid = (u: KdmaUnit, tid: number): void => {
    if (globalPasid) call('iommu_free_global_pasid', { pasid: u.pasid }, tid);
    else if (ioasidFree !== null) call(ioasidFree, { ioasid: u.pasid }, tid);
    else ownPasids[u.dev].free.push(u.pasid);
  };

  const kdmaDestroy = (u: KdmaUnit, bug: Bug | null): void => {
    const tid = 200 + u.dev;
    if (u.domain !== null) {
      // The injected wrong-domain detach names the next device's long-lived domain.
      const domain = bug === 'wrongDomainDetach' ? (devDomain[(u.dev + 1) % KDMA_DEVICES] as string) : u.domain;
      call('iommu_detach_device_pasid', { domain, dev: kdmaDev(u.dev), pasid: u.pasid }, tid);
    }
    freePasid(u, tid);
    if (bug === 'doubleFree' && (globalPasid || ioasidFree !== null)) freePasid(u, tid);
    if (u.ownDomain && u.domain !== null) {
      call('iommu_domain_free', { domain: u.domain }, tid);
      if (bug === 'doubleFree' && !(globalPasid || ioasidFree !== null)) call('iommu_domain_free', { domain: u.domain }, tid);
    }
  };

  const svaCreate = (): void => {
    let mm: MmState | null = null;
    // Exited mms leave the idle pool lazily, when drawn.
    while (mm === null && idleMms.size > 0 && !rng.chance(0.35)) {
      const drawn = idleMms.take(rng);
      if (drawn.live) mm = drawn;
    }
    if (mm === null) {
      const n = ++mms;
      mm = { n, name: mmName(n), devs: new Set(), live: true };
    }
    let dev = rng.int(SVA_DEVICES);
    for (let k = 0; k < SVA_DEVICES && mm.devs.has(dev); k++) dev = (dev + 1) % SVA_DEVICES;
    if (!mm.devs.has(dev)) {
      const r = call('iommu_sva_bind_device', { dev: svaDev(dev), mm: mm.name, drvdata: null }, 1000 + mm.n);
      if (!failed(r)) {
        mm.devs.add(dev);
        bonds.add({ dev, mm, handle: String(r.ret) });
      }
    }
    // An mm binds a few devices; it waits for its next bind in the idle pool.
    if (mm.devs.size < SVA_DEVICES) idleMms.add(mm);
  };

  const svaDestroy = (b: Bond): void => {
    const tid = 1000 + b.mm.n;
    call('iommu_sva_unbind_device', { handle: b.handle }, tid);
    b.mm.devs.delete(b.dev);
    // The process exits once its last bond is gone (sometimes it keeps running and binds again).
    if (b.mm.devs.size === 0 && rng.chance(0.6)) {
      b.mm.live = false;
      call('mm_pasid_drop', { mm: b.mm.name }, tid);
    } else if (b.mm.devs.size === SVA_DEVICES - 1) idleMms.add(b.mm);
  };

  let bugIndex = 0;
  while (seq < total) {
    const live = kdma.size + bonds.size;
    const perDestroy = destroyOps === 0 ? 4 : destroyRecords / destroyOps;
    const draining = total - seq <= live * perDestroy * 1.25 + 16;
    if (draining && live === 0) break;
    const next = bugs[bugIndex];
    if (next !== undefined && seq >= next.at && kdma.size > 0) {
      bugIndex++;
      const u = kdma.take(rng);
      if (next.bug !== 'leak') kdmaDestroy(u, next.bug);
    } else if (!draining && (live === 0 || rng.next() < 0.5 + 0.5 * (1 - live / target))) {
      if (rng.chance(0.5)) kdmaCreate();
      else svaCreate();
    } else {
      const before = seq;
      const fromKdma = bonds.size === 0 || (kdma.size > 0 && rng.chance(kdma.size / live));
      if (fromKdma) kdmaDestroy(kdma.take(rng), null);
      else svaDestroy(bonds.take(rng));
      destroyOps++;
      destroyRecords += seq - before;
    }
    for (const r of out) yield r;
    out.length = 0;
  }
  // mms that are still running exit at the end of the capture.
  for (const mm of idleMms.items) {
    if (seq >= total) break;
    if (mm.live && mm.devs.size === 0) {
      mm.live = false;
      call('mm_pasid_drop', { mm: mm.name }, 1000 + mm.n);
    }
  }
  for (const r of out) yield r;
}
