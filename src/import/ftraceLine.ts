/**
 * One line of ftrace text (tracefs `trace`/`trace_pipe`, `trace-cmd report`): the task/CPU/time
 * prefix, the event name, the kprobe/fprobe location and the `key=value` fields. One compiled regex
 * per line shape; the field list is scanned by hand (quoted strings may hold spaces). Pure.
 */
import type { RawValue } from './captureEvent.js';
import { baseSymbol } from './rawValue.js';

/**
 * `COMM-PID [(TGID)] [CPU] [FLAGS] SECS.FRAC: EVENT: REST`. COMM is at most 16 characters and may
 * contain `-` and spaces, so the split is on the last `-` (greedy, bounded). trace-cmd `-l` prints
 * `0d.h1.` (CPU glued to the flags) instead of `[000] d.h1.`; the flags column is optional.
 */
const EVENT_LINE =
  /^\s*(.{1,16})-(\d+)\s+(?:\(\s*(\d+|-+)\)\s+)?(?:\[(\d+)\]|(\d+)(?=[^\s\d]))\s*(?:(\S+)\s+)?(\d+)\.(\d+):\s+(\S+?):(?:\s+(.*))?$/;
/** `(SYM+off/size)` at entry, `(CALLER+off/size [mod] <- SYM)` at return (kprobetrace.rst, fprobetrace.rst). */
const PROBE_LOCATION = /^\(([^()]*?)(?: <- ([^()]*?))?\)(?:\s+(.*))?$/;
/** tracefs `CPU:N [LOST M EVENTS]`; trace-cmd report `CPU:N [M EVENTS DROPPED]`. */
const LOST_LINE = /^\s*CPU:\s?(\d+) \[(?:LOST(?: (\d+))? EVENTS|(\d+) EVENTS DROPPED)\]\s*$/;

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
      readonly event: string;
      readonly symbol: string;
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
  | { readonly kind: 'other'; readonly what: string };

/** What the kit writes before its marker text (tracefs prints `tracing_mark_write: TEXT`). */
const MARKER_PREFIX = 'pasid_ledger: ';
/** The events trace_marker text appears under: tracefs `tracing_mark_write`, trace-cmd `print`. */
const MARKER_EVENTS = new Set(['tracing_mark_write', 'print']);

/** Preamble lines of `trace-cmd report` and tracefs headers carry nothing to import. */
function isPreamble(text: string): boolean {
  const t = text.trimStart();
  return t === '' || t.startsWith('#') || t.startsWith('version =') || t.startsWith('cpus=') || /^CPU ?\d+ (is empty|data recorded)/.test(t);
}

/** Seconds and a fraction of 6 (µs, tracefs) or 9 (ns, trace-cmd -t) digits, to integer ns. */
function toNs(secs: string, frac: string): number {
  const digits = frac.length >= 9 ? frac.slice(0, 9) : frac.padEnd(9, '0');
  return Number(secs) * 1_000_000_000 + Number(digits);
}

export function parseFtraceLine(text: string): FtraceLine {
  if (isPreamble(text)) return { kind: 'ignored' };
  const m = EVENT_LINE.exec(text);
  if (m === null) {
    const lost = LOST_LINE.exec(text);
    if (lost === null) return { kind: 'other', what: 'not an ftrace event line' };
    const count = lost[2] ?? lost[3];
    return { kind: 'lost', cpu: Number(lost[1]), ...(count !== undefined ? { count: Number(count) } : {}) };
  }
  const [, comm, tid, tgid, cpuBracket, cpuGlued, , secs, frac, event, rest] = m;
  const eventName = event.slice(event.lastIndexOf(':') + 1);
  if (MARKER_EVENTS.has(eventName)) {
    const at = (rest ?? '').indexOf(MARKER_PREFIX);
    if (at < 0) return { kind: 'other', what: `a ${eventName} line that is not the kit's` };
    const text = (rest ?? '').slice(at + MARKER_PREFIX.length);
    const sp = text.indexOf(' ');
    return {
      kind: 'marker',
      word: sp < 0 ? text : text.slice(0, sp),
      ...(comm !== '<...>' ? { comm } : {}),
      tid: Number(tid),
      cpu: Number(cpuBracket ?? cpuGlued),
      ts: toNs(secs, frac),
      fields: parseFields(sp < 0 ? '' : text.slice(sp + 1)),
    };
  }
  const loc = PROBE_LOCATION.exec(rest ?? '');
  if (loc === null) return { kind: 'other', what: `event ${eventName} is not a kprobe or fprobe` };
  const phase = loc[2] !== undefined ? 'exit' : 'entry';
  const symbol = baseSymbol(phase === 'exit' ? loc[2] : loc[1]);
  return {
    kind: 'probe',
    phase,
    ...(comm !== '<...>' ? { comm } : {}),
    tid: Number(tid),
    ...(tgid !== undefined && /^\d+$/.test(tgid) ? { tgid: Number(tgid) } : {}),
    cpu: Number(cpuBracket ?? cpuGlued),
    ts: toNs(secs, frac),
    event: eventName,
    symbol,
    fields: parseFields(loc[3] ?? ''),
  };
}

/** `a=1 dev="0000:00:02.0" p=0xffff…` → map. A quoted value runs to the next `"` followed by space or end. */
export function parseFields(text: string): Map<string, RawValue> {
  const fields = new Map<string, RawValue>();
  let i = 0;
  const n = text.length;
  while (i < n) {
    while (i < n && text.charCodeAt(i) === 32) i++;
    if (i >= n) break;
    const eq = text.indexOf('=', i);
    const sp = text.indexOf(' ', i);
    if (eq < 0 || (sp >= 0 && sp < eq)) {
      // a bare word (no `=`): not a field, skip it
      i = sp < 0 ? n : sp;
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
      const end = sp < 0 ? n : sp;
      fields.set(key, { t: 'word', v: text.slice(i, end) });
      i = end;
    }
  }
  return fields;
}

