/**
 * One line of `bpftrace -f json` output (NDJSON). The kit's printf emits one JSON object per call,
 * which bpftrace double-encodes: `{"type": "printf", "data": "{\"ts\":…}\n"}`. Pure.
 */
import type { ProbeHit, RawValue } from './captureEvent.js';
import { baseSymbol } from './rawValue.js';

/** Keys of the kit's call object that describe the probe hit rather than an argument. */
const HIT_KEYS = new Set(['ts', 'cpu', 'tid', 'pid', 'comm', 'fn', 'ph']);
/** bpftrace output types that carry no call (maps, values, timing, probe counts). */
const IGNORED_TYPES = new Set(['attached_probes', 'map', 'value', 'hist', 'lhist', 'stats', 'time', 'join', 'syscall', 'tseries']);
const HEX_STRING = /^-?0x[0-9a-fA-F]+$/;

export type BpftraceLine =
  | { readonly kind: 'ignored' }
  | { readonly kind: 'lost'; readonly count?: number }
  | { readonly kind: 'meta'; readonly kernel?: string; readonly host?: Record<string, string | number | boolean> }
  | ({ readonly kind: 'probe'; readonly phase: 'entry' | 'exit' | 'call' } & Omit<ProbeHit, 'line' | 'offset'>)
  | { readonly kind: 'malformed'; readonly what: string }
  | { readonly kind: 'other'; readonly what: string }
  /** Not JSON at all: on the last unterminated line this means it was cut. */
  | { readonly kind: 'notJson' };

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deepest `[`/`{` nesting the importer parses: the kit's objects are flat; anything deeper is refused before parsing. */
export const MAX_JSON_DEPTH = 32;

/** The nesting depth of JSON text, in one pass (brackets inside strings do not count). */
export function jsonDepth(text: string, stopAbove = MAX_JSON_DEPTH): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++; // backslash: skip the escaped char
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 || c === 123) {
      if (++depth > max) max = depth;
      if (max > stopAbove) return max;
    } else if (c === 93 || c === 125) depth--;
  }
  return max;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export function parseBpftraceLine(text: string): BpftraceLine {
  if (text.trim() === '') return { kind: 'ignored' };
  // Why: JSON.parse and the walks after it recurse per level; a deep line would blow the stack.
  if (jsonDepth(text) > MAX_JSON_DEPTH) return { kind: 'malformed', what: `JSON nested deeper than ${MAX_JSON_DEPTH} levels (the kit prints flat objects)` };
  const outer = parseJson(text);
  if (!isObject(outer) || typeof outer.type !== 'string') return outer === undefined ? { kind: 'notJson' } : { kind: 'other', what: 'JSON without a bpftrace "type"' };
  if (outer.type === 'lost_events') {
    // Older bpftrace: {"type":"lost_events","data":{"events":N}}; newer adds "count".
    const data = isObject(outer.data) ? outer.data : {};
    const n = typeof data.events === 'number' ? data.events : typeof outer.count === 'number' ? outer.count : undefined;
    return { kind: 'lost', ...(n !== undefined ? { count: n } : {}) };
  }
  if (IGNORED_TYPES.has(outer.type)) return { kind: 'ignored' };
  if (outer.type !== 'printf' || typeof outer.data !== 'string') return { kind: 'other', what: `bpftrace output of type "${outer.type}"` };
  if (jsonDepth(outer.data) > MAX_JSON_DEPTH) return { kind: 'malformed', what: `printf data nested deeper than ${MAX_JSON_DEPTH} levels (the kit prints flat objects)` };
  const inner = parseJson(outer.data.trim());
  if (!isObject(inner)) return { kind: 'other', what: 'a printf that is not one JSON object' };
  if (inner.capture === 'pasid-ledger') return meta(inner);
  if (typeof inner.fn !== 'string') return { kind: 'other', what: 'a printf object without "fn"' };
  return probe(inner);
}

function meta(o: Record<string, unknown>): BpftraceLine {
  const host: Record<string, string | number | boolean> = {};
  for (const [k, v] of Object.entries(o)) {
    if (k === 'capture' || k === 'kernel') continue;
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') host[k] = v;
  }
  return {
    kind: 'meta',
    ...(typeof o.kernel === 'string' && o.kernel !== '' ? { kernel: o.kernel } : {}),
    ...(Object.keys(host).length > 0 ? { host } : {}),
  };
}

function count(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : undefined;
}

function probe(o: Record<string, unknown>): BpftraceLine {
  const ts = count(o.ts);
  const cpu = count(o.cpu);
  const tid = count(o.tid);
  const fn = String(o.fn);
  if (ts === undefined || cpu === undefined || tid === undefined) {
    return { kind: 'malformed', what: `call object of ${fn} lacks a numeric ts, cpu or tid` };
  }
  const ph = o.ph === 'entry' || o.ph === 'exit' ? o.ph : 'call';
  const fields = new Map<string, RawValue>();
  for (const [k, v] of Object.entries(o)) if (!HIT_KEYS.has(k)) fields.set(k, raw(v));
  const pid = count(o.pid);
  return {
    kind: 'probe',
    phase: ph,
    ts,
    cpu,
    tid,
    ...(pid !== undefined ? { pid } : {}),
    ...(typeof o.comm === 'string' && o.comm !== '' ? { comm: o.comm } : {}),
    symbol: baseSymbol(fn),
    fields,
  };
}

/** JSON numbers are decimal; "0x…" strings are pointers the kit printed with %llx (they exceed 2^53). */
function raw(v: unknown): RawValue {
  if (v === null || v === undefined) return { t: 'null' };
  if (typeof v === 'boolean') return { t: 'num', v: v ? 1n : 0n };
  if (typeof v === 'number') return Number.isInteger(v) ? { t: 'num', v: BigInt(v) } : { t: 'word', v: String(v) };
  if (typeof v === 'string') return HEX_STRING.test(v) ? { t: 'word', v } : { t: 'str', v };
  return { t: 'str', v: JSON.stringify(v) };
}
