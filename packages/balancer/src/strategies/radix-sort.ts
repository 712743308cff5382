/**
 * Sorts `keys` ascending and moves `values` along with them, in place: an LSD radix sort in two
 * 16-bit passes, O(n), stable (equal keys keep their order). Ring-hash uses it for its points,
 * where it is several times faster than a comparison sort.
 */
export function sortByKey(keys: Uint32Array, values: Uint32Array): void {
  const n = keys.length;
  if (n < 2) return;
  const keysTmp = new Uint32Array(n);
  const valuesTmp = new Uint32Array(n);
  const counts = new Uint32Array(65_537);
  pass(keys, values, keysTmp, valuesTmp, counts, 0);
  pass(keysTmp, valuesTmp, keys, values, counts, 16);
}

function pass(
  fromKeys: Uint32Array,
  fromValues: Uint32Array,
  toKeys: Uint32Array,
  toValues: Uint32Array,
  counts: Uint32Array,
  shift: number,
): void {
  const n = fromKeys.length;
  counts.fill(0);
  for (let i = 0; i < n; i++) counts[((fromKeys[i]! >>> shift) & 0xffff) + 1]!++;
  for (let d = 1; d < counts.length; d++) counts[d]! += counts[d - 1]!;
  for (let i = 0; i < n; i++) {
    const key = fromKeys[i]!;
    const at = counts[(key >>> shift) & 0xffff]!++;
    toKeys[at] = key;
    toValues[at] = fromValues[i]!;
  }
}
