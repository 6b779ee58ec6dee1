/**
 * One line of ftrace text in any of the layouts people have: tracefs `trace`/`trace_pipe` (with or
 * without the TGID column and the flags), `trace-cmd report` (default, `-l`, `-t`, `--ts-diff`) and
 * `perf script` after `perf probe`. The task/CPU/time prefix is matched on a bounded head of the line,
 * the rest is scanned by hand, so the time is linear in the line length. Pure.
 *
 * Layouts (kernel trace_output.c; trace-cmd tracecmd/trace-read.c trace_show_data(); perf
 * tools/perf/builtin-script.c perf_sample__fprintf_start() and process_event()):
 *   tracefs       `%16s-%-7d [(%7d)] [%03d] FLAGS %5lu.%06lu: EVENT: INFO`
 *   trace-cmd     `%16s-%-5d [%03d] FLAGS %5llu.%06llu: [(+DIFF)] EVENT: INFO` (-t: 9 fraction digits)
 *   trace-cmd -l  `%8.8s-%-5d %3dFLAGS %5llu.%06llu: EVENT: INFO` (comm cut to 8, CPU glued to the flags)
 *   perf script   `%16s %7d [%03d] %12s: GROUP:EVENT: INFO` (the event name right-aligned)
 * INFO of a kprobe is `(SYM+off/size)` / `(CALLER+off/size [mod] <- SYM)` from tracefs, and the
 * kernel's print fmt `(%lx)` / `(%lx <- %lx)` (the function's address, then the return address) from
 * libtraceevent readers (trace-cmd, perf), which print no symbols: the event name tells the function.
 */
import type { ForeignKind, RawValue } from './captureEvent.js';
import { callForSymbol } from './catalog.js';
import { baseSymbol } from './rawValue.js';

/** The task/CPU/time prefix never needs more than this (comm ≤ 16, pid, tgid, cpu, flags, time). */
const HEAD_LIMIT = 192;
/** tracefs and trace-cmd: `COMM-PID [(TGID)] ([CPU] [FLAGS] | CPUFLAGS) SECS.FRAC:` on the head. */
const DASH_PREFIX = /^\s*(.{1,16})-(\d+)\s+(?:\(\s*(\d+|-+)\)\s+)?(?:\[(\d+)\](?:\s+[^\s\d][^\s:]*)?|(\d+)[^\s\d][^\s:]*)\s+(\d+)\.(\d+):(?:\s|$)/;
/** perf script: `COMM TID [CPU] SECS.FRAC:` (also `PID/TID`). */
const PERF_PREFIX = /^\s*(.{0,16}?)\s+(?:\d+\/)?(\d+)\s+\[(\d+)\]\s+(\d+)\.(\d+):(?:\s|$)/;
/** tracefs `CPU:N [LOST M EVENTS]`; trace-cmd report `CPU:N [M EVENTS DROPPED]`. */
const LOST_LINE = /^\s*CPU:\s?(\d+) \[(?:LOST(?: (\d+))? EVENTS|(\d+) EVENTS DROPPED|EVENTS DROPPED)\]\s*$/;
/** function_graph body lines: ` 1)   0.123 us    |  foo();` or ` 1)               |  foo() {`. */
const FUNCGRAPH_LINE = /^\s*\d+\)[^|]{0,40}\|/;
const HEX_ADDRESS = /^(?:0x)?[0-9a-fA-F]{6,16}$/;

export type FtraceLine =
  | { readonly kind: 'ignored' }
  | { readonly kind: 'lost'; readonly cpu: number; readonly count?: number }
  | {
      readonly kind: 'probe';
      readonly phase: 'entry' | 'exit';
      readonly comm?: string;
      readonly tid: number;
      readonly tgid?: number;
      readonly cpu: number;
      readonly ts: number;
      /** The event name without its group and `__return`/`__entry`/`__exit` suffix. */
      readonly event: string;
      /** The probed function: from the event name when it names one we model, else from the location. */
      readonly symbol: string;
      /** Where a return went back to: `caller+off/size [mod]` (tracefs) or `0xADDRESS` (trace-cmd, perf). */
      readonly caller?: string;
      readonly fields: ReadonlyMap<string, RawValue>;
    }
  /** A `pasid_ledger: WORD key=value…` line the kit wrote through trace_marker. */
  | {
      readonly kind: 'marker';
      readonly word: string;
      readonly comm?: string;
      readonly tid: number;
      readonly cpu: number;
      readonly ts: number;
      readonly fields: ReadonlyMap<string, RawValue>;
    }
  /**
   * A kernel log line traced by the printk:console tracepoint (the kit enables it): printed in the
   * context of the task that logged it from v5.19 (printk_sprint), with the console's `[  t]` header before.
   */
  | {
      readonly kind: 'console';
      readonly comm?: string;
      readonly tid: number;
      readonly cpu: number;
      readonly ts: number;
      readonly text: string;
    }
  /** A kernel log line the kit appended after the trace (`pasid_ledger-dmesg: [  t] TEXT`): no task, dmesg's clock. */
  | { readonly kind: 'kmsg'; readonly ts?: number; readonly text: string }
  | { readonly kind: 'other'; readonly what: string; readonly foreign: ForeignKind };

/** What the kit writes before its marker text (tracefs prints `tracing_mark_write: TEXT`). */
const MARKER_PREFIX = 'pasid_ledger: ';
/** The events trace_marker text appears under: tracefs `tracing_mark_write`, trace-cmd `print`, perf `ftrace:print`. */
const MARKER_EVENTS = new Set(['tracing_mark_write', 'print']);
/** Suffixes of return events: the kit and perf probe `__return`, fprobe `__exit`; fprobe entries `__entry`. */
const EXIT_SUFFIXES = ['__return', '__exit'] as const;
const ENTRY_SUFFIX = '__entry';
/** The printk tracepoint (events/printk/console) and the `<L>[   1.234567] ` header kernels before v5.19 put before its text. */
const CONSOLE_EVENT = 'console';
const CONSOLE_HEADER = /^(?:<\d>)?\[\s*\d+\.\d+\]\s?/;
/** What ftrace-probes.sh stop puts before each kernel log line it appends when an oops switched tracing off. */
const DMESG_PREFIX = 'pasid_ledger-dmesg: ';
const DMESG_HEADER = /^\[\s*(\d+)\.(\d+)\]\s?/;

/** Preamble lines of `trace-cmd report`, `perf script` and tracefs headers carry nothing to import. */
function isPreamble(t: string): boolean {
  return t === '' || t.startsWith('#') || t.startsWith('version =') || t.startsWith('cpus=') || /^CPU ?\d+ (is empty|data recorded)/.test(t.slice(0, 40));
}

/** Seconds and a fraction of 6 (µs, tracefs) or 9 (ns, trace-cmd -t, perf --ns) digits, to integer ns. */
function toNs(secs: string, frac: string): number {
  const digits = frac.length >= 9 ? frac.slice(0, 9) : frac.padEnd(9, '0');
  return Number(secs) * 1_000_000_000 + Number(digits);
}

interface Prefix {
  readonly comm?: string;
  readonly tid: number;
  readonly tgid?: number;
  readonly cpu: number;
  readonly ts: number;
  /** Index in the line just after the timestamp's colon. */
  readonly end: number;
}

function prefixOf(text: string): Prefix | undefined {
  const head = text.length > HEAD_LIMIT ? text.slice(0, HEAD_LIMIT) : text;
  const d = DASH_PREFIX.exec(head);
  if (d !== null) {
    const [all, comm, tid, tgid, cpuBracket, cpuGlued, secs, frac] = d;
    return {
      ...(comm.trim() !== '<...>' ? { comm: comm.trim() } : {}),
      tid: Number(tid),
      ...(tgid !== undefined && /^\d+$/.test(tgid) ? { tgid: Number(tgid) } : {}),
      cpu: Number(cpuBracket ?? cpuGlued),
      ts: toNs(secs, frac),
      end: all.trimEnd().length,
    };
  }
  const p = PERF_PREFIX.exec(head);
  if (p !== null) {
    const [all, comm, tid, cpu, secs, frac] = p;
    const c = comm.trim();
    return { ...(c !== '' && c !== ':-1' ? { comm: c } : {}), tid: Number(tid), cpu: Number(cpu), ts: toNs(secs, frac), end: all.trimEnd().length };
  }
  return undefined;
}

/** Index of the first non-space at or after `i`. */
function skipSpaces(text: string, i: number): number {
  while (i < text.length && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9)) i++;
  return i;
}

/** Index of the first space at or after `i` (or the end). */
function nextSpace(text: string, i: number): number {
  while (i < text.length && text.charCodeAt(i) !== 32 && text.charCodeAt(i) !== 9) i++;
  return i;
}

/** The event name without group, and whether it names a return. */
function eventName(token: string): { name: string; exit: boolean } {
  // perf prints `group:event`; a name never holds `:` itself.
  const name = token.slice(token.lastIndexOf(':') + 1);
  for (const s of EXIT_SUFFIXES) if (name.endsWith(s) && name.length > s.length) return { name: name.slice(0, -s.length), exit: true };
  if (name.endsWith(ENTRY_SUFFIX) && name.length > ENTRY_SUFFIX.length) return { name: name.slice(0, -ENTRY_SUFFIX.length), exit: false };
  return { name, exit: false };
}

export function parseFtraceLine(text: string): FtraceLine {
  if (text.startsWith(DMESG_PREFIX)) {
    const rest = text.slice(DMESG_PREFIX.length);
    const h = DMESG_HEADER.exec(rest);
    return { kind: 'kmsg', ...(h !== null ? { ts: toNs(h[1], h[2]) } : {}), text: (h !== null ? rest.slice(h[0].length) : rest).trimEnd() };
  }
  const t = text.trimStart();
  if (isPreamble(t)) return { kind: 'ignored' };
  const pre = prefixOf(text);
  if (pre === undefined) {
    const lost = LOST_LINE.exec(t.length > HEAD_LIMIT ? t.slice(0, HEAD_LIMIT) : t);
    if (lost !== null) {
      const count = lost[2] ?? lost[3];
      return { kind: 'lost', cpu: Number(lost[1]), ...(count !== undefined ? { count: Number(count) } : {}) };
    }
    if (FUNCGRAPH_LINE.test(t.length > HEAD_LIMIT ? t.slice(0, HEAD_LIMIT) : t)) return { kind: 'other', what: 'a function_graph line', foreign: 'function_graph' };
    return { kind: 'other', what: 'not an ftrace event line', foreign: 'text' };
  }
  // After the time: trace-cmd --ts-diff's `(+N)` (blank on the first event), then the event token.
  let i = skipSpaces(text, pre.end);
  if (text.startsWith('(+', i)) {
    const close = text.indexOf(')', i);
    if (close > 0 && close - i < 32) i = skipSpaces(text, close + 1);
  }
  const tokenEnd = nextSpace(text, i);
  const token = text.slice(i, tokenEnd);
  if (!token.endsWith(':')) {
    // tracefs function tracer: `func <-parent`; anything else without `EVENT:` is not an event line.
    return text.startsWith('<-', skipSpaces(text, tokenEnd))
      ? { kind: 'other', what: 'a function-tracer line', foreign: 'function' }
      : { kind: 'other', what: 'not an ftrace event line', foreign: 'text' };
  }
  const rawEvent = token.slice(0, -1);
  const rest = text.slice(skipSpaces(text, tokenEnd));
  const { name, exit: exitByName } = eventName(rawEvent);
  if (MARKER_EVENTS.has(name)) return marker(name, rest, pre);
  if (name === CONSOLE_EVENT && !rest.startsWith('(')) {
    return { kind: 'console', ...(pre.comm !== undefined ? { comm: pre.comm } : {}), tid: pre.tid, cpu: pre.cpu, ts: pre.ts, text: rest.replace(CONSOLE_HEADER, '').trimEnd() };
  }
  if (name === 'function' || name === 'funcgraph_entry' || name === 'funcgraph_exit') {
    return { kind: 'other', what: `a ${name === 'function' ? 'function-tracer' : 'function_graph'} line`, foreign: name === 'function' ? 'function' : 'function_graph' };
  }
  if (!rest.startsWith('(')) return { kind: 'other', what: `event ${name} is a tracepoint, not a kprobe or fprobe`, foreign: 'tracepoint' };
  const close = rest.indexOf(')');
  if (close < 0) return { kind: 'other', what: `event ${name}: the probe location has no closing parenthesis`, foreign: 'text' };
  const location = rest.slice(1, close);
  const arrow = location.indexOf(' <- ');
  const exit = arrow >= 0 || exitByName;
  const left = arrow >= 0 ? location.slice(0, arrow) : location;
  const right = arrow >= 0 ? location.slice(arrow + 4) : undefined;
  // libtraceevent prints `(FUNC <- RET_IP)` as raw addresses; tracefs `(CALLER+off/size <- FUNC)` as symbols.
  const raw = HEX_ADDRESS.test(left.trim()) && (right === undefined || HEX_ADDRESS.test(right.trim()));
  const locSymbol = raw ? undefined : baseSymbol(arrow >= 0 ? (right ?? '') : left);
  const symbol = callForSymbol(name) !== undefined || locSymbol === undefined || locSymbol === '' ? name : locSymbol;
  const caller = right === undefined ? undefined : raw ? `0x${right.trim().replace(/^0x/, '')}` : left.trim();
  return {
    kind: 'probe',
    phase: exit ? 'exit' : 'entry',
    ...(pre.comm !== undefined ? { comm: pre.comm } : {}),
    tid: pre.tid,
    ...(pre.tgid !== undefined ? { tgid: pre.tgid } : {}),
    cpu: pre.cpu,
    ts: pre.ts,
    event: name,
    symbol,
    ...(caller !== undefined && caller !== '' ? { caller } : {}),
    fields: parseFields(rest.slice(close + 1)),
  };
}

function marker(name: string, rest: string, pre: Prefix): FtraceLine {
  const at = rest.indexOf(MARKER_PREFIX);
  if (at < 0) return { kind: 'other', what: `a ${name} line that is not the kit's`, foreign: 'tracepoint' };
  const text = rest.slice(at + MARKER_PREFIX.length);
  const sp = text.indexOf(' ');
  return {
    kind: 'marker',
    word: sp < 0 ? text : text.slice(0, sp),
    ...(pre.comm !== undefined ? { comm: pre.comm } : {}),
    tid: pre.tid,
    cpu: pre.cpu,
    ts: pre.ts,
    fields: parseFields(sp < 0 ? '' : text.slice(sp + 1)),
  };
}

/**
 * `a=1 dev="0000:00:02.0" p=0xffff…` → map, in one pass. A quoted value runs to the next `"` followed
 * by a space or the end; a bare word without `=` is skipped.
 */
export function parseFields(text: string): Map<string, RawValue> {
  const fields = new Map<string, RawValue>();
  const n = text.length;
  let i = 0;
  while (i < n) {
    i = skipSpaces(text, i);
    if (i >= n) break;
    let eq = i;
    while (eq < n && text.charCodeAt(eq) !== 61 && text.charCodeAt(eq) !== 32 && text.charCodeAt(eq) !== 9) eq++;
    if (eq >= n || text.charCodeAt(eq) !== 61) {
      i = eq; // a bare word: not a field
      continue;
    }
    const key = text.slice(i, eq);
    i = eq + 1;
    if (text.charCodeAt(i) === 34) {
      let close = text.indexOf('"', i + 1);
      while (close >= 0 && close + 1 < n && text.charCodeAt(close + 1) !== 32) close = text.indexOf('"', close + 1);
      const end = close < 0 ? n : close;
      fields.set(key, { t: 'str', v: text.slice(i + 1, end) });
      i = end + 1;
    } else {
      const end = nextSpace(text, i);
      fields.set(key, { t: 'word', v: text.slice(i, end) });
      i = end;
    }
  }
  return fields;
}
