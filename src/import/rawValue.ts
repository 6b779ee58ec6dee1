/** Reading integers and strings out of raw capture values. Pure. */
import type { RawValue } from './captureEvent.js';

const HEX = /^-?0x[0-9a-fA-F]+$/;
const DEC = /^-?[0-9]+$/;
const BARE_HEX = /^[0-9a-fA-F]+$/;

/**
 * The integer a raw value spells. `radix` applies to bare tokens only: kprobe `x64` and `$retval`
 * print hex without `0x` on older kernels, while `u32`/`s32` print decimal.
 */
export function rawInteger(raw: RawValue, radix: 10 | 16): bigint | undefined {
  if (raw.t === 'num') return raw.v;
  if (raw.t === 'null') return undefined;
  const text = raw.v;
  if (HEX.test(text)) return text.startsWith('-') ? -BigInt(text.slice(1)) : BigInt(text);
  if (radix === 10 && DEC.test(text)) return BigInt(text);
  if (radix === 16 && BARE_HEX.test(text)) return BigInt(`0x${text}`);
  if (radix === 16 && DEC.test(text)) return BigInt(text); // a negative decimal such as bpftrace's %d
  return undefined;
}

/** The text of a string value (device names, symbols); numbers are not strings. */
export function rawText(raw: RawValue): string | undefined {
  return raw.t === 'str' || raw.t === 'word' ? raw.v : undefined;
}

/** Kernel symbols come as `sym`, `sym+0x0/0x50 [mod]` (%pS, symstr) or `sym.isra.0`: keep the base name. */
export function baseSymbol(text: string): string {
  const trimmed = text.trim();
  let end = trimmed.length;
  for (const stop of ['+', ' ']) {
    const at = trimmed.indexOf(stop);
    if (at >= 0 && at < end) end = at;
  }
  const dot = trimmed.indexOf('.');
  if (dot > 0 && dot < end) end = dot;
  return trimmed.slice(0, end);
}

/** Shows a raw value in a problem message. */
export function showRaw(raw: RawValue | undefined): string {
  if (raw === undefined) return 'nothing';
  if (raw.t === 'null') return 'null';
  if (raw.t === 'num') return raw.v.toString();
  return raw.t === 'str' ? JSON.stringify(raw.v) : raw.v;
}
