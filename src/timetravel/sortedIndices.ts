/**
 * A stable sort of indices by numeric keys, shared by the dead log's reader (a kind's entries put in
 * log order, sidecar.ts) and the index builder's last step (open entries by place, openDead.ts). Pure.
 */

/** Room for an index below 2^21 next to an order below 2^32 in one exactly represented double. */
const PACK = 2 ** 21;

/** The indices of `keys` in ascending order of key, ties in index order (a stable sort of the indices by key). */
export function sortedIndices(keys: Float64Array): Int32Array {
  const n = keys.length;
  const out = new Int32Array(n);
  let small = n < PACK;
  for (let i = 0; i < n && small; i++) small = keys[i] >= 0 && keys[i] < 2 ** 32 && Number.isInteger(keys[i]);
  if (small) {
    // Why packed: a typed array's numeric sort, with no comparator called from the sort, is several times faster.
    const packed = new Float64Array(n);
    for (let i = 0; i < n; i++) packed[i] = keys[i] * PACK + i;
    packed.sort();
    for (let i = 0; i < n; i++) out[i] = packed[i] % PACK;
    return out;
  }
  const ix = Array.from({ length: n }, (_, i) => i).sort((x, y) => keys[x] - keys[y] || x - y);
  for (let i = 0; i < n; i++) out[i] = ix[i];
  return out;
}
