/**
 * TEST-ONLY: writes a trace back out as a capture (ftrace kprobe text or bpftrace NDJSON) the way the
 * kit would have recorded it, so importing the capture can be compared with the trace it came from.
 * Kernel pointers are invented per name; a pointer is reused after the object it named was freed.
 */
import { RECORD_SPECS, type CallName, type CallRecord, type Ret } from '../../events/records.js';
import { INVALID_IOASID, IOMMU_PASID_INVALID, type FieldKind, type FieldList } from '../../events/fields.js';
import { CAPTURE_MAPPINGS } from '../../src/import/catalog.js';
import { errnoNumber } from '../../src/import/errno.js';
import type { Errno } from '../../events/fields.js';

/** One step of the capture, in capture order: which record's arguments or return it carried. */
export interface CaptureStep {
  readonly seq: number;
  readonly phase: 'entry' | 'exit' | 'call';
}

export interface EmittedCapture {
  readonly text: string;
  readonly order: readonly CaptureStep[];
}

const U64 = 1n << 64n;
const DOMAIN_TYPE_VALUES: Record<string, number> = { blocked: 0, identity: 4, unmanaged: 1, dma: 3, dma_fq: 11, sva: 16, nested: 64 };
const POINTER_RETS = new Set(['retHandle', 'retPtr', 'retDomain']);

/** Is this argument of fn a kernel pointer in the capture (named by the importer)? */
export function isPointerArg(fn: CallName, arg: string): boolean {
  const names: Readonly<Record<string, { from: string }>> | undefined = CAPTURE_MAPPINGS[fn].names;
  return names?.[arg]?.from === 'pointer';
}

/** Is this return value a pointer name (not NULL, not an ERR_PTR errno)? */
export function isPointerRet(fn: CallName, ret: Ret | undefined): ret is string {
  return POINTER_RETS.has(RECORD_SPECS[fn].ret) && typeof ret === 'string' && !ret.startsWith('-E');
}

/** The retiring argument of fn, if fn frees an object. */
export function retiredArg(fn: CallName): string | undefined {
  return CAPTURE_MAPPINGS[fn].retires;
}

/**
 * Capture order of a trace: entries in seq order; a call's exit comes before the next entry on its
 * task that is not nested in it, or at the end. `leavesAsCalls` emits childless calls as one record.
 */
export function captureOrder(records: readonly CallRecord[], leavesAsCalls: boolean): CaptureStep[] {
  const hasChildren = new Set(records.flatMap((r) => (r.parent !== undefined ? [r.parent] : [])));
  const open = new Map<number, number[]>();
  const order: CaptureStep[] = [];
  for (const r of records) {
    const stack = open.get(r.tid) ?? [];
    while (stack.length > 0 && stack[stack.length - 1] !== r.parent) order.push({ seq: stack.pop() as number, phase: 'exit' });
    if (leavesAsCalls && !hasChildren.has(r.seq)) order.push({ seq: r.seq, phase: 'call' });
    else {
      order.push({ seq: r.seq, phase: 'entry' });
      stack.push(r.seq);
    }
    open.set(r.tid, stack);
  }
  for (const stack of open.values()) while (stack.length > 0) order.push({ seq: stack.pop() as number, phase: 'exit' });
  return order;
}

/**
 * Why: a trace may give one name to objects of two kinds (a domain and a handle both called "mm@100");
 * in memory they are two objects, so they get two addresses (the importer names pointers per kind).
 */
function pointerKey(fn: CallName, arg: string | null, name: string): string {
  const m = CAPTURE_MAPPINGS[fn] as { names?: Record<string, { category?: string }>; retCategory?: string };
  return `${(arg === null ? m.retCategory : m.names?.[arg]?.category) ?? '?'}:${name}`;
}

class Pointers {
  readonly #byName = new Map<string, bigint>();
  readonly #free: bigint[] = [];
  /**
   * Freed handles keep their address (never handed out again here): a later use of the name is a
   * stale use of that address, which the importer maps back to the freed handle (use-after-free).
   */
  readonly #stale = new Map<string, bigint>();
  readonly #created = new Set<string>();
  /** Pointers an open call holds as an argument: the allocator cannot hand them out yet. */
  readonly #pinned = new Map<bigint, number>();
  #next = 0xffff888100000000n;

  of(name: string): bigint {
    let p = this.#byName.get(name) ?? this.#stale.get(name);
    if (p === undefined) {
      const reusable = this.#free.findIndex((f) => !this.#pinned.has(f));
      p = reusable >= 0 ? this.#free.splice(reusable, 1)[0] : (this.#next += 0x40n);
      this.#byName.set(name, p);
    }
    return p;
  }

  pin(p: bigint, by: number): void {
    this.#pinned.set(p, (this.#pinned.get(p) ?? 0) + by);
    if (this.#pinned.get(p) === 0) this.#pinned.delete(p);
  }

  /** The object was freed; `reuse`: its address may be handed out again (not for handles, above). */
  free(name: string, reuse: boolean): void {
    const p = this.#byName.get(name);
    if (p === undefined) return;
    this.#byName.delete(name);
    if (reuse || !this.#created.has(name)) this.#free.push(p);
    else this.#stale.set(name, p);
    this.#created.delete(name);
  }

  /** A new object of this name (a bind's return): a fresh address even if an old one was freed. */
  create(name: string): bigint {
    if (!this.#byName.has(name)) this.#stale.delete(name);
    this.#created.add(name);
    return this.of(name);
  }
}

type Value = { kind: 'ptr'; v: bigint } | { kind: 'str'; v: string } | { kind: 'int'; v: bigint };

function argValue(fn: CallName, arg: string, kind: FieldKind, value: unknown, ptrs: Pointers): Value {
  if (value === null) return { kind: 'ptr', v: 0n };
  if (kind === 'name' || kind === 'nameOrNull') return isPointerArg(fn, arg) ? { kind: 'ptr', v: ptrs.of(pointerKey(fn, arg, String(value))) } : { kind: 'str', v: String(value) };
  if (kind === 'dev' || kind === 'text') return { kind: 'str', v: String(value) };
  if (kind === 'bool') return { kind: 'int', v: value === true ? 1n : 0n };
  if (value === INVALID_IOASID || value === IOMMU_PASID_INVALID) return { kind: 'int', v: 0xffffffffn };
  if (kind === 'domainType') return DOMAIN_TYPE_VALUES[String(value)] !== undefined ? { kind: 'int', v: BigInt(DOMAIN_TYPE_VALUES[String(value)]) } : { kind: 'str', v: String(value) };
  return { kind: 'int', v: BigInt(value as number) };
}

/** The return as the kernel's register would hold it (64-bit pattern), or undefined for void. */
function retValue(fn: CallName, ret: Ret | undefined, ptrs: Pointers): bigint | undefined {
  const kind = RECORD_SPECS[fn].ret;
  if (kind === 'retVoid') return undefined;
  if (ret === null || ret === undefined) return 0n;
  if (typeof ret === 'boolean') return ret ? 1n : 0n;
  if (typeof ret === 'number') return BigInt(ret);
  if (ret === INVALID_IOASID || ret === IOMMU_PASID_INVALID) return 0xffffffffn;
  if (ret.startsWith('-E')) return U64 - BigInt(errnoNumber(ret as Errno));
  return kind === 'retPtr' ? ptrs.of(pointerKey(fn, null, ret)) : ptrs.create(pointerKey(fn, null, ret));
}

function argEntries(r: CallRecord, ptrs: Pointers): [string, Value][] {
  const spec: FieldList = RECORD_SPECS[r.fn].args;
  const args = r.args as Record<string, unknown>;
  return Object.entries(spec).flatMap(([arg, k]) =>
    arg in args ? [[arg, argValue(r.fn, arg, k.replace('?', '') as FieldKind, args[arg], ptrs)] as [string, Value]] : [],
  );
}

function walk(records: readonly CallRecord[], leavesAsCalls: boolean, write: (r: CallRecord, step: CaptureStep, now: number, ptrs: Pointers) => string): EmittedCapture {
  const bySeq = new Map(records.map((r) => [r.seq, r]));
  const ptrs = new Pointers();
  const order = captureOrder(records, leavesAsCalls);
  const lines: string[] = [];
  const pinnedBySeq = new Map<number, bigint[]>();
  let now = 0;
  for (const step of order) {
    const r = bySeq.get(step.seq) as CallRecord;
    if (step.phase !== 'exit') now = Math.max(now, r.ts);
    lines.push(write(r, step, now, ptrs));
    if (step.phase === 'entry') {
      const held = argEntries(r, ptrs).flatMap(([, v]) => (v.kind === 'ptr' && v.v !== 0n ? [v.v] : []));
      held.forEach((p) => ptrs.pin(p, 1));
      pinnedBySeq.set(r.seq, held);
    } else if (step.phase === 'exit') (pinnedBySeq.get(r.seq) ?? []).forEach((p) => ptrs.pin(p, -1));
    const retired = retiredArg(r.fn);
    if (step.phase !== 'entry' && retired !== undefined) ptrs.free(pointerKey(r.fn, retired, String((r.args as Record<string, unknown>)[retired])), r.fn !== 'iommu_sva_unbind_device');
  }
  return { text: lines.join('\n') + '\n', order };
}

const hex = (v: bigint): string => `0x${BigInt.asUintN(64, v).toString(16)}`;

/** ftrace kprobe/kretprobe text as `ftrace-probes.sh` would produce (tracefs `trace`, record-tgid on). */
export function emitFtrace(records: readonly CallRecord[]): EmittedCapture {
  const body = walk(records, false, (r, step, now, ptrs) => {
    const symbol = CAPTURE_MAPPINGS[r.fn].symbols[0];
    const ts = step.phase === 'exit' ? now : r.ts;
    const time = `${Math.floor(ts / 1e9)}.${String(Math.floor((ts % 1e9) / 1000)).padStart(6, '0')}`;
    const task = `${(r.comm ?? '<...>').padStart(16)}-${String(r.tid).padEnd(7)} (${String(r.tid).padStart(7)}) [${String(r.cpu).padStart(3, '0')}] ..... ${time.padStart(12)}:`;
    if (step.phase === 'exit') {
      const ret = retValue(r.fn, r.ret, ptrs) ?? 0n;
      const signed = RECORD_SPECS[r.fn].ret === 'retInt' || RECORD_SPECS[r.fn].ret === 'retIntValue' ? BigInt.asIntN(32, ret) : ret;
      return `${task} ${symbol}__return: (caller_fn+0x2a/0x100 <- ${symbol}) ret=${hex(signed)}`;
    }
    const fields = argEntries(r, ptrs).map(([k, v]) => (v.kind === 'str' ? `${k}="${v.v}"` : v.kind === 'ptr' ? `${k}=${hex(v.v)}` : `${k}=${v.v}`));
    return `${task} ${symbol}: (${symbol}+0x4/0x200)${fields.length > 0 ? ' ' + fields.join(' ') : ''}`;
  });
  return { text: '# tracer: nop\n#\n' + body.text, order: body.order };
}

/** bpftrace `-f json` NDJSON as the generated kit script would produce. */
export function emitBpftrace(records: readonly CallRecord[], kernel: string): EmittedCapture {
  const body = walk(records, true, (r, step, now, ptrs) => {
    const symbol = CAPTURE_MAPPINGS[r.fn].symbols[0];
    const o: Record<string, unknown> = { ts: step.phase === 'exit' ? now : r.ts, cpu: r.cpu, tid: r.tid, pid: r.tid };
    if (r.comm !== undefined) o.comm = r.comm;
    o.fn = symbol;
    o.ph = step.phase;
    if (step.phase !== 'exit') for (const [k, v] of argEntries(r, ptrs)) o[k] = v.kind === 'str' ? v.v : v.kind === 'ptr' ? hex(v.v) : Number(v.v);
    if (step.phase !== 'entry') {
      const ret = retValue(r.fn, r.ret, ptrs);
      const kind = RECORD_SPECS[r.fn].ret;
      if (ret !== undefined) o.ret = POINTER_RETS.has(kind) ? hex(ret) : kind === 'retInt' || kind === 'retIntValue' ? Number(BigInt.asIntN(32, ret)) : Number(ret);
    }
    return JSON.stringify({ type: 'printf', data: JSON.stringify(o) + '\n' });
  });
  const meta = JSON.stringify({ type: 'printf', data: JSON.stringify({ capture: 'pasid-ledger', kernel }) + '\n' });
  return { text: `${meta}\n${body.text}`, order: body.order };
}
