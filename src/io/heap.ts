/**
 * The process's heap policy, set by the shell (the CLI entry, the bench's child): a V8 flag is
 * process-wide, so the pure core never sets it.
 */
import { setFlagsFromString } from 'node:v8';

/**
 * How far V8 lets the old generation grow past what the last full GC kept, in percent. Why: left to
 * itself V8 grows it up to 4× on an allocation-heavy run, so a 1 M-record audit peaked at 228 MB of
 * heap for 65 MB of live objects; at 100 % (2×) the peak follows the live world (138 MB) for a few
 * more full GCs (measured: docs/performance.md).
 */
const HEAP_GROWING_PERCENT = 100;
let heapBounded = false;

/** Bounds V8's heap growth for the rest of the process (idempotent); PASID_LEDGER_HEAP_GROWTH=default leaves V8's own. */
export function boundHeapGrowth(env: NodeJS.ProcessEnv): void {
  if (heapBounded || env.PASID_LEDGER_HEAP_GROWTH === 'default') return;
  heapBounded = true;
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
