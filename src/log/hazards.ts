/**
 * Hazards JSON.parse lets through silently or turns into a throw: keys that could pollute a
 * prototype when merged, integers beyond 2^53 that it rounds, duplicate keys (it keeps the last
 * one), and nesting deep enough to overflow a recursive walk. Pure; every function is linear in its
 * input and none recurses more than MAX_DEPTH levels.
 */

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Deepest nesting of objects and arrays accepted in a line. A record nests two levels (record →
 * args), a header two (header → host); 64 leaves room for any future field while keeping every
 * walk of a parsed value far from the stack limit (about 4,000 levels broke it, reliability F1).
 */
export const MAX_DEPTH = 64;

/**
 * One pass over a JSON text outside its strings: the number of object keys (one ':' each), or -1
 * when objects and arrays nest deeper than maxDepth. Linear; run on every line before JSON.parse.
 */
export function scanJson(text: string, maxDepth: number = MAX_DEPTH): number {
  let depth = 0;
  let keys = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      // Why: jump to the closing quote; a quote preceded by an odd run of backslashes is escaped.
      let j = i;
      for (;;) {
        j = text.indexOf('"', j + 1);
        if (j < 0) return keys; // unterminated: JSON.parse reports it
        let b = j - 1;
        while (text.charCodeAt(b) === 0x5c) b--;
        if ((j - 1 - b) % 2 === 0) break;
      }
      i = j;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (++depth > maxDepth) return -1;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) depth--;
    else if (c === 0x3a /* : */) keys++;
  }
  return keys;
}

/** Object keys in a parsed value (duplicates in the text collapse, so fewer than scanJson counted). */
export function countKeys(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0;
  let n = 0;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) n += countKeys(value[i]);
    return n;
  }
  // Why for-in: no key array per object (run on every line). A parsed object's prototype is
  // Object.prototype, which has no enumerable keys, so for-in lists exactly Object.keys ("__proto__" included).
  for (const key in value) n += 1 + countKeys((value as Record<string, unknown>)[key]);
  return n;
}

const join = (path: string, key: string) => (path === '' ? key : `${path}.${key}`);

/**
 * Dotted path of the first key that appears twice in one object of a JSON text, or undefined.
 * Assumes the text parsed (the rare path after scanJson and countKeys disagreed). Linear.
 */
export function findDuplicateKey(text: string): string | undefined {
  // Why: frames link to their parent and build a path only when reporting, so deep nesting stays linear.
  interface Frame {
    readonly up: Frame | undefined;
    /** The key (object parent) or index (array parent) this value sits under. */
    readonly at: string | undefined;
    readonly keys: Set<string> | undefined;
    key: string;
    index: number;
  }
  const pathOf = (f: Frame | undefined, last: string): string => {
    const parts = [last];
    for (let x = f; x !== undefined && x.at !== undefined; x = x.up) parts.push(x.at);
    return parts.reverse().join('.');
  };
  let top: Frame | undefined;
  let expectKey = false;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      let j = i;
      for (;;) {
        j = text.indexOf('"', j + 1);
        if (j < 0) return undefined;
        let b = j - 1;
        while (text.charCodeAt(b) === 0x5c) b--;
        if ((j - 1 - b) % 2 === 0) break;
      }
      if (top?.keys !== undefined && expectKey) {
        let key = text.slice(i + 1, j);
        if (key.includes('\\')) {
          try {
            key = JSON.parse(text.slice(i, j + 1)) as string;
          } catch {
            return undefined;
          }
        }
        if (top.keys.has(key)) return pathOf(top, key);
        top.keys.add(key);
        top.key = key;
        expectKey = false;
      }
      i = j;
    } else if (c === 0x7b || c === 0x5b) {
      const at = top === undefined ? undefined : top.keys !== undefined ? top.key : String(top.index);
      top = { up: top, at, keys: c === 0x7b ? new Set() : undefined, key: '', index: 0 };
      expectKey = c === 0x7b;
    } else if (c === 0x7d || c === 0x5d) {
      top = top?.up;
      expectKey = false;
    } else if (c === 0x2c /* , */ && top !== undefined) {
      if (top.keys !== undefined) expectKey = true;
      else top.index++;
    }
  }
  return undefined;
}

/** Preorder walk (the order a recursive walk takes) with an explicit stack: [path, key, value] per node. */
function* walk(value: unknown, maxNodes = Infinity): Generator<[string, string | undefined, unknown, number]> {
  const stack: [string, string | undefined, unknown, number][] = [['', undefined, value, 0]];
  let nodes = 0;
  while (stack.length > 0) {
    const node = stack.pop() as [string, string | undefined, unknown, number];
    if (++nodes > maxNodes) return;
    yield node;
    const [path, , v, depth] = node;
    if (typeof v !== 'object' || v === null) continue;
    const keys = Object.keys(v);
    for (let k = keys.length - 1; k >= 0; k--) stack.push([join(path, keys[k]), keys[k], (v as Record<string, unknown>)[keys[k]], depth + 1]);
  }
}

/** More values than fit in one line of the longest accepted length (each takes at least a byte). */
const MAX_NODES = 1 << 17;

/**
 * Why a JavaScript value handed to a writer cannot be written as one JSON line: nested deeper than
 * maxDepth (a cyclic value is infinitely deep), too many values for one line, or a value JSON has
 * no spelling for (BigInt, function, symbol). Iterative and bounded.
 */
export function findUnwritable(value: unknown, maxDepth: number = MAX_DEPTH): { path: string; what: string } | undefined {
  let nodes = 0;
  for (const [path, , v, depth] of walk(value)) {
    const t = typeof v;
    if (t === 'bigint' || t === 'function' || t === 'symbol') return { path: path || '(root)', what: `a ${t} has no JSON spelling` };
    if (depth > maxDepth) return { path: path || '(root)', what: `nested deeper than ${maxDepth} levels (or cyclic)` };
    if (++nodes > MAX_NODES) return { path: '(root)', what: `more than ${MAX_NODES} values, too many for one line` };
  }
  return undefined;
}

/** Dotted path of the first forbidden key anywhere in a parsed value, or undefined. Iterative. */
export function findForbiddenKey(value: unknown): string | undefined {
  // Why: JSON.parse makes "__proto__" an own property, so Object.keys lists it (no setter runs).
  for (const [path, key] of walk(value)) if (key !== undefined && FORBIDDEN_KEYS.has(key)) return path;
  return undefined;
}

/** Dotted path of the first number beyond the safe integer range in a parsed value, or undefined. Iterative. */
export function findUnsafeNumber(value: unknown): string | undefined {
  // Why: an integer literal past 2^53-1 always parses to a double of magnitude >= 2^53, so this is exact.
  for (const [path, , v] of walk(value)) if (typeof v === 'number' && Math.abs(v) > Number.MAX_SAFE_INTEGER) return path || '(root)';
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
