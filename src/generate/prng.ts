/** A seeded PRNG (mulberry32): the generator's only source of choice, so a seed gives the same trace. Pure. */
export class Prng {
  #s: number;

  constructor(seed: number) {
    this.#s = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.#s = (this.#s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }
}

/** A bag with O(1) add, random pick and remove (swap with the last), iteration order deterministic. */
export class Bag<T> {
  readonly items: T[] = [];

  get size(): number {
    return this.items.length;
  }

  add(x: T): void {
    this.items.push(x);
  }

  /** Removes and returns a random item. */
  take(rng: Prng): T {
    const i = rng.int(this.items.length);
    const x = this.items[i];
    const last = this.items.pop() as T;
    if (i < this.items.length) this.items[i] = last;
    return x;
  }

  pick(rng: Prng): T {
    return this.items[rng.int(this.items.length)];
  }
}
