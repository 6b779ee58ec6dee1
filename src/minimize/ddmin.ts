/**
 * Delta debugging (Zeller and Hildebrandt's ddmin): the smallest subset of `items` it can find for
 * which `test` still holds, trying halves, then complements, then finer splits. The caller's `test`
 * decides what a subset means (here: the replay still raises the finding). Pure; `test` may say
 * 'stop' (a time bound), which ends the search with the best subset so far.
 */
export type Verdict = boolean | 'stop';

export function ddmin<T>(items: readonly T[], test: (subset: readonly T[]) => Verdict): { items: T[]; stopped: boolean } {
  let current = [...items];
  let n = 2;
  while (current.length >= 2) {
    const size = Math.ceil(current.length / n);
    const chunks: T[][] = [];
    for (let i = 0; i < current.length; i += size) chunks.push(current.slice(i, i + size));
    let reduced = false;
    for (const chunk of chunks) {
      const v = test(chunk);
      if (v === 'stop') return { items: current, stopped: true };
      if (v) {
        current = chunk;
        n = 2;
        reduced = true;
        break;
      }
    }
    if (!reduced && chunks.length > 2) {
      for (let c = 0; c < chunks.length; c++) {
        const complement = chunks.filter((_, j) => j !== c).flat();
        const v = test(complement);
        if (v === 'stop') return { items: current, stopped: true };
        if (v) {
          current = complement;
          n = Math.max(n - 1, 2);
          reduced = true;
          break;
        }
      }
    }
    if (!reduced) {
      if (n >= current.length) break;
      n = Math.min(current.length, n * 2);
    }
  }
  if (current.length === 1) {
    const v = test([]);
    if (v === 'stop') return { items: current, stopped: true };
    if (v) current = [];
  }
  return { items: current, stopped: false };
}
