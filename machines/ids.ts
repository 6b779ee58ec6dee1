/**
 * The ID policies of the kernel allocators the model reproduces: xa_alloc and ida_alloc_range hand
 * out the lowest free ID in [min, max] (§1.2, §5). The world keeps a hint per (space, min): every ID
 * in [min, hint) is taken, so sequential allocation stays O(1) amortised. Pure apart from that cache.
 */
import type { World } from './kit/world.js';

/** Lowest ID in [min, max] for which `taken` is false, or null when the range is full. */
export function lowestFree(w: World, space: string, min: number, max: number, taken: (id: number) => boolean): number | null {
  const key = `${space}|${min}`;
  let id = Math.max(min, w.lowestFreeHint.get(key) ?? min);
  while (id <= max && taken(id)) id++;
  w.lowestFreeHint.set(key, id);
  return id <= max ? id : null;
}

/** Keeps every hint of the space a lower bound after `id` was freed. */
export function noteFreed(w: World, space: string, id: number): void {
  const prefix = `${space}|`;
  for (const [key, hint] of w.lowestFreeHint) {
    if (key.startsWith(prefix) && id < hint && id >= Number(key.slice(prefix.length))) w.lowestFreeHint.set(key, id);
  }
}
