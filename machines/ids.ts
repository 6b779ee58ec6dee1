/**
 * The ID policies of the kernel allocators the model reproduces: xa_alloc and ida_alloc_range hand
 * out the lowest free ID in [min, max] (§1.2, §5). The world keeps, per (space, min), a hint (every ID
 * in [min, hint) is taken unless it was freed since) and a min-heap of the IDs freed below the hint,
 * so allocation is O(log n) whatever the order of frees. Pure apart from those caches; `taken` (the
 * machines' state) stays the truth: heap entries that were taken again are dropped when met.
 */
import type { World } from './kit/world.js';

function heapPush(h: number[], x: number): void {
  let i = h.push(x) - 1;
  while (i > 0) {
    const up = (i - 1) >> 1;
    if (h[up] <= x) break;
    h[i] = h[up];
    i = up;
  }
  h[i] = x;
}

function heapPop(h: number[]): void {
  const last = h.pop() as number;
  if (h.length === 0) return;
  let i = 0;
  for (;;) {
    const l = 2 * i + 1;
    if (l >= h.length) break;
    const c = l + 1 < h.length && h[l + 1] < h[l] ? l + 1 : l;
    if (h[c] >= last) break;
    h[i] = h[c];
    i = c;
  }
  h[i] = last;
}

/** Lowest ID in [min, max] for which `taken` is false, or null when the range is full. */
export function lowestFree(w: World, space: string, min: number, max: number, taken: (id: number) => boolean): number | null {
  const key = `${space}|${min}`;
  const freed = w.freedBelowHint.get(key);
  if (freed !== undefined) {
    while (freed.length > 0 && (freed[0] < min || taken(freed[0]))) heapPop(freed);
    if (freed.length > 0 && freed[0] <= max) return freed[0];
  }
  let id = Math.max(min, w.lowestFreeHint.get(key) ?? min);
  while (id <= max && taken(id)) id++;
  w.lowestFreeHint.set(key, id);
  return id <= max ? id : null;
}

/** Keeps every hint of the space a lower bound after `id` was freed. */
export function noteFreed(w: World, space: string, id: number): void {
  const prefix = `${space}|`;
  for (const [key, hint] of w.lowestFreeHint) {
    if (!key.startsWith(prefix) || id >= hint || id < Number(key.slice(prefix.length))) continue;
    let freed = w.freedBelowHint.get(key);
    if (freed === undefined) w.freedBelowHint.set(key, (freed = []));
    heapPush(freed, id);
  }
}
