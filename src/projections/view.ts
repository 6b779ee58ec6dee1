/**
 * The state view: what `pasid-ledger state` shows and what time travel compares. Plain JSON with
 * every list sorted, so equal states print byte-identical. Built from the world (projectWorld) or
 * from the world rebuilt from the facts alone (test/projections/worldFromLog.test.ts holds them equal).
 */
import type { Era } from '../../machines/profile.js';

export interface StateView {
  readonly kernel: string;
  readonly era: Era;
  readonly allocator: {
    readonly active: string;
    readonly entries: readonly { space: string; alloc: string; free: string; members: readonly string[]; head: string | null }[];
    /** Outstanding IDs per ID space (allocated, not orphaned). */
    readonly outstanding: Readonly<Record<string, readonly number[]>>;
  };
  readonly ioasids: readonly { space: string; ioasid: number; set: string | null; private: string | null; refs: number; orphaned: boolean }[];
  readonly registrations: readonly { ops: string; role: string; space: string }[];
  readonly vtd: { readonly scalableMode: boolean; readonly smtRoots: readonly string[]; readonly rootTables: readonly { iommu: string; smt: boolean }[] };
  readonly devices: readonly { dev: string; group: string; max_pasids: number | null; released: boolean }[];
  readonly resetting: readonly string[];
  readonly slots: readonly { group: string; pasid: number; dev: string; domain: string }[];
  readonly domains: readonly { domain: string; type: string; mm: string | null; users: number; attachments: number; freed: boolean }[];
  readonly bonds: readonly { dev: string; mm: string; pasid: number | null; domain: string | null; users: number }[];
  readonly handles: readonly { handle: string; dev: string; mm: string }[];
  readonly mms: readonly { mm: string; pasid: number | null; exited: boolean }[];
  readonly globalPasids: readonly { pasid: number; dev: string | null; mm: string | null }[];
}

/**
 * Sorts by a string key (numbers compare numerically), in place, stably. Each key is computed once
 * (a state of 10^5 domains sorts in ~1.7 M comparisons): the order is that of comparing the keys.
 */
export function sortBy<T>(items: T[], key: (t: T) => string | number): T[] {
  const n = items.length;
  const keys = items.map(key);
  let numbers = 0;
  for (let i = 0; i < n; i++) if (typeof keys[i] === 'number') numbers++;
  const ix = Array.from({ length: n }, (_, i) => i);
  if (numbers === n) {
    const ks = keys as number[];
    ix.sort((a, b) => ks[a] - ks[b] || a - b);
  } else if (numbers === 0) {
    const ks = keys as string[];
    ix.sort((a, b) => (ks[a] < ks[b] ? -1 : ks[a] > ks[b] ? 1 : a - b));
  } else {
    // A mix (no projection makes one): two numbers compare as numbers, anything else as text.
    ix.sort((a, b) => {
      const x = keys[a];
      const y = keys[b];
      return (typeof x === 'number' && typeof y === 'number' ? x - y : String(x) < String(y) ? -1 : String(x) > String(y) ? 1 : 0) || a - b;
    });
  }
  const copy = items.slice();
  for (let i = 0; i < n; i++) items[i] = copy[ix[i]];
  return items;
}

/** Key of an (id space, ID) pair for sorting: the space, then the number. */
export const spaceIdKey = (space: string, id: number) => `${space}\u0000${String(id).padStart(10, '0')}`;
export const groupPasidKey = (group: string, pasid: number) => `${group}\u0000${String(pasid).padStart(7, '0')}`;
