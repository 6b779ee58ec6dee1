/**
 * The set of seqs seen so far in a trace, stored as runs of consecutive values so a dense 2 GB
 * trace costs a few numbers of memory instead of one per record. Seqs must be added in increasing order.
 */
export class SeqSet {
  /** Flat [start0, end0, start1, end1, ...], ends inclusive, runs increasing. */
  readonly #runs: number[] = [];

  /** Adds seq, which must exceed every seq added before (the reader checks that first). */
  add(seq: number): void {
    const n = this.#runs.length;
    if (n > 0 && this.#runs[n - 1] + 1 === seq) this.#runs[n - 1] = seq;
    else this.#runs.push(seq, seq);
  }

  has(seq: number): boolean {
    let lo = 0;
    let hi = this.#runs.length / 2 - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (seq < this.#runs[2 * mid]) hi = mid - 1;
      else if (seq > this.#runs[2 * mid + 1]) lo = mid + 1;
      else return true;
    }
    return false;
  }
}
