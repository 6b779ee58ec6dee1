/**
 * Stable names for kernel pointers: `dom1`, `sva1`, `mm@1234`… by first appearance, with a new name
 * for a pointer seen again after the object it named was freed (the allocator reuses addresses).
 * One table for every kind of object, because one address names one live object whatever the call.
 */

/** Object categories and the prefix of their generated names. */
export const NAME_PREFIX = {
  domain: 'dom',
  sva: 'sva',
  mm: 'mm',
  ops: 'ops',
  set: 'set',
  data: 'data',
  group: 'group',
  drvdata: 'drv',
  pdata: 'pdata',
  sym: 'fn',
} as const;
export type NameCategory = keyof typeof NAME_PREFIX;

/** Extra knowledge that gives a nicer name: the binding task's thread group, or the ksym of ops->alloc. */
export interface NameHint {
  readonly tgid?: number;
  readonly allocSymbol?: string;
}

export class PointerNames {
  readonly #live = new Map<bigint, string>();
  readonly #counters = new Map<string, number>();
  readonly #used = new Set<string>();

  /** The name of a live pointer, giving it a new one on first appearance. */
  nameOf(pointer: bigint, category: NameCategory, hint: NameHint = {}): string {
    const known = this.#live.get(pointer);
    if (known !== undefined) return known;
    const name = this.#fresh(category, hint);
    this.#live.set(pointer, name);
    return name;
  }

  /** The object behind a pointer was freed: the next appearance of the address is a new object. */
  retire(pointer: bigint): void {
    this.#live.delete(pointer);
  }

  #fresh(category: NameCategory, hint: NameHint): string {
    // Why: mm@<tgid> ties an mm to the process that bound it, which is what a kernel developer recognises.
    if (category === 'mm' && hint.tgid !== undefined) return this.#unique(`mm@${hint.tgid}`);
    if (category === 'ops' && hint.allocSymbol !== undefined) return this.#counted(`${hint.allocSymbol}#`);
    return this.#counted(NAME_PREFIX[category]);
  }

  #counted(prefix: string): string {
    let n = this.#counters.get(prefix) ?? 0;
    let name: string;
    do name = `${prefix}${++n}`;
    while (this.#used.has(name));
    this.#counters.set(prefix, n);
    this.#used.add(name);
    return name;
  }

  #unique(base: string): string {
    if (!this.#used.has(base)) {
      this.#used.add(base);
      return base;
    }
    return this.#counted(`${base}#`);
  }
}
