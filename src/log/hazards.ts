/**
 * Hazards JSON.parse lets through silently: keys that could pollute a prototype when merged, and
 * integers beyond 2^53 that it rounds. Pure; run on the rare path only (see traceChecker.ts).
 */

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Dotted path of the first forbidden key anywhere in a parsed value, or undefined. */
export function findForbiddenKey(value: unknown, path = ''): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  // Why: JSON.parse makes "__proto__" an own property, so Object.keys lists it (no setter runs).
  for (const key of Object.keys(value)) {
    const here = path === '' ? key : `${path}.${key}`;
    if (FORBIDDEN_KEYS.has(key)) return here;
    const found = findForbiddenKey((value as Record<string, unknown>)[key], here);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** Dotted path of the first number beyond the safe integer range in a parsed value, or undefined. */
export function findUnsafeNumber(value: unknown, path = ''): string | undefined {
  // Why: an integer literal past 2^53-1 always parses to a double of magnitude >= 2^53, so this is exact.
  if (typeof value === 'number') return Math.abs(value) > Number.MAX_SAFE_INTEGER ? path || '(root)' : undefined;
  if (typeof value !== 'object' || value === null) return undefined;
  for (const key of Object.keys(value)) {
    const found = findUnsafeNumber((value as Record<string, unknown>)[key], path === '' ? key : `${path}.${key}`);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** The first number literal outside strings whose magnitude is beyond 2^53-1, as written, or undefined. */
export function findUnsafeLiteral(text: string): string | undefined {
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      i++;
      while (i < text.length && text.charCodeAt(i) !== 0x22) i += text.charCodeAt(i) === 0x5c /* \ */ ? 2 : 1;
      i++;
    } else if (c === 0x2d /* - */ || (c >= 0x30 && c <= 0x39)) {
      const start = i++;
      while (i < text.length && /[0-9eE.+-]/.test(text[i])) i++;
      const literal = text.slice(start, i);
      if (Math.abs(Number(literal)) > Number.MAX_SAFE_INTEGER) return literal;
    } else i++;
  }
  return undefined;
}
