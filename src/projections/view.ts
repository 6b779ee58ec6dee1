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
  /**
   * A view of the live objects only (`state` without --dead): per kind id, how many dead objects it
   * leaves out that the whole view lists (freed domains, exited mms), kinds with none omitted, so
   * `{}` when it leaves none out. Absent in a whole view (`state --dead`, time travel's comparisons).
   */
  readonly notShown?: Readonly<Record<string, number>>;
}

/**
 * Sorts by a string key (numbers compare numerically), in place, stably: the order of comparing the
 * keys pairwise. Each key is computed once, and when the keys are all strings or all numbers, the
 * items are grouped by key (in their order) and the distinct keys sorted without a comparator (a
 * state of 10^5 domains: ~1.7 M comparisons, each a call into a comparator otherwise).
 */
export function sortBy<T>(items: T[], key: (t: T) => string | number): T[] {
  const n = items.length;
  const keys = items.map(key);
  let numbers = 0;
  for (let i = 0; i < n; i++) if (typeof keys[i] === 'number') numbers++;
  let order: number[];
  if (numbers === 0 || (numbers === n && !keys.some((k) => Number.isNaN(k)))) order = byDistinctKeys(keys, numbers === n);
  else {
    // A mix (no projection makes one), or NaN: two numbers compare as numbers, anything else as text.
    order = Array.from({ length: n }, (_, i) => i).sort((a, b) => {
      const x = keys[a];
      const y = keys[b];
      return (typeof x === 'number' && typeof y === 'number' ? x - y : String(x) < String(y) ? -1 : String(x) > String(y) ? 1 : 0) || a - b;
    });
  }
  const copy = items.slice();
  for (let i = 0; i < n; i++) items[i] = copy[order[i]];
  return items;
}

/**
 * The indices of `keys` (all strings, or all numbers without NaN) in a stable ascending order:
 * each distinct key's indices in their order, the distinct keys sorted natively (strings by UTF-16
 * code units, as `<` compares them; numbers in a Float64Array, where 0 and -0 are one key as `x - y` has them).
 */
function byDistinctKeys(keys: readonly (string | number)[], numeric: boolean): number[] {
  const groups = new Map<string | number, number[] | number>();
  for (let i = 0; i < keys.length; i++) {
    const k = numeric && keys[i] === 0 ? 0 : keys[i];
    const g = groups.get(k);
    if (g === undefined) groups.set(k, i);
    else if (typeof g === 'number') groups.set(k, [g, i]);
    else g.push(i);
  }
  const distinct: (string | number)[] = numeric ? Array.from(Float64Array.from(groups.keys() as IterableIterator<number>).sort()) : [...(groups.keys() as IterableIterator<string>)].sort();
  const out: number[] = [];
  for (const k of distinct) {
    const g = groups.get(k) as number[] | number;
    if (typeof g === 'number') out.push(g);
    else for (const i of g) out.push(i);
  }
  return out;
}

/** Key of an (id space, ID) pair for sorting: the space, then the number. */
export const spaceIdKey = (space: string, id: number) => `${space}\u0000${String(id).padStart(10, '0')}`;
export const groupPasidKey = (group: string, pasid: number) => `${group}\u0000${String(pasid).padStart(7, '0')}`;
