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

/**
 * Categories whose every creation the capture kit records (an SVA handle is only ever returned by
 * the probed iommu_sva_bind_device): a freed pointer of these seen again as an argument is a stale
 * use of the freed object (use-after-free, A25), and keeps its old name; only the next creation
 * starts a new generation. Domains are not among them: the default and DMA domains are allocated
 * by calls the kit does not probe, and kmalloc reuses addresses at once.
 */
const CREATIONS_CAPTURED: ReadonlySet<NameCategory> = new Set(['sva']);

export class PointerNames {
  readonly #live = new Map<bigint, string>();
  readonly #retired = new Map<bigint, { name: string; category: NameCategory }>();
  readonly #counters = new Map<string, number>();
  readonly #used = new Set<string>();

  /** The name of a pointer used as an argument, giving it a new one on first appearance. */
  nameOf(pointer: bigint, category: NameCategory, hint: NameHint = {}): string {
    const known = this.#live.get(pointer);
    if (known !== undefined) return known;
    const stale = this.#retired.get(pointer);
    // Why: only where the argument is of the freed object's kind; another kind at that address is a new object.
    if (stale !== undefined && stale.category === category && CREATIONS_CAPTURED.has(category)) return stale.name;
    return this.#create(pointer, category, hint);
  }

  /** The name of a pointer a call returned as a new object (a bind's handle, a new domain). */
  created(pointer: bigint, category: NameCategory, hint: NameHint = {}): string {
    return this.#live.get(pointer) ?? this.#create(pointer, category, hint);
  }

  /**
   * The object behind a pointer was freed: the next creation at that address is a new object (a new
   * name); a use before that is a use of the freed one where its creations are all captured.
   */
  retire(pointer: bigint): void {
    const name = this.#live.get(pointer);
    if (name === undefined) return;
    this.#live.delete(pointer);
    this.#retired.set(pointer, { name, category: this.#categories.get(name) ?? 'data' });
  }

  readonly #categories = new Map<string, NameCategory>();

  #create(pointer: bigint, category: NameCategory, hint: NameHint): string {
    this.#retired.delete(pointer);
    const name = this.#fresh(category, hint);
    this.#live.set(pointer, name);
    this.#categories.set(name, category);
    return name;
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
