/** Timing and memory helpers of the bench: best-of-k wall time, events per second, peak sampling. */
import { performance } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';

export interface Timed<T> {
  readonly ms: number;
  /** CPU time of this process (user + system) over the same run: what a loaded machine distorts least. */
  readonly cpuMs: number;
  readonly value: T;
}

/** Runs fn `runs` times and keeps the fastest (the least disturbed by GC and the scheduler). */
export async function best<T>(runs: number, fn: () => T | Promise<T>): Promise<Timed<T>> {
  let out: Timed<T> | undefined;
  for (let i = 0; i < runs; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const value = await fn();
    const ms = performance.now() - t0;
    const c = process.cpuUsage(c0);
    if (out === undefined || ms < out.ms) out = { ms, cpuMs: (c.user + c.system) / 1000, value };
  }
  return out as Timed<T>;
}

export const perSec = (events: number, ms: number): number => Math.round((events * 1000) / ms);

/** Tracks peak heap and RSS when sampled (between chunks of work). */
export class PeakMemory {
  heap = 0;
  rss = 0;

  sample(): void {
    const heap = getHeapStatistics().used_heap_size;
    if (heap > this.heap) this.heap = heap;
    const rss = process.memoryUsage.rss();
    if (rss > this.rss) this.rss = rss;
  }
}

export const mb = (bytes: number): number => Math.round(bytes / (1 << 20));
