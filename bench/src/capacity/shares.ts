/**
 * Per-second shares from the traffic log's bins: how evenly the healthy instances were used, and
 * how long a recovered instance took to get its share back. Pure, so the test can check it.
 */

export interface ShareFigures {
  /** Largest 1 s share of any of the instances, relative to the fair share (1 / instances counted). */
  readonly worst: number;
  /** Smallest 1 s share of any of them, relative to fair. */
  readonly least: number;
}

/**
 * Over consecutive windows of `binsPerWindow` bins (a partial last window is dropped): the
 * largest and smallest share of the attempts that any instance in `which` got, relative to the
 * fair share 1 / `which.length`; shares are of the attempts to `which` only.
 */
export function windowShares(bins: readonly Float64Array[], which: readonly number[], binsPerWindow: number): ShareFigures {
  const length = bins[which[0]!]!.length;
  let worst = 0;
  let least = Infinity;
  for (let start = 0; start + binsPerWindow <= length; start += binsPerWindow) {
    const sums = which.map((i) => sum(bins[i]!, start, start + binsPerWindow));
    const all = sums.reduce((a, b) => a + b, 0);
    if (all === 0) continue;
    for (const s of sums) {
      const relative = (s / all) * which.length;
      if (relative > worst) worst = relative;
      if (relative < least) least = relative;
    }
  }
  return { worst, least: least === Infinity ? 0 : least };
}

/**
 * Bins from `fromBin` until instance `index` is back at `fraction` of its fair share
 * (1 / instances): the first bin that starts a window of `binsPerWindow` bins in which it got at
 * least that share of all attempts. Null when it never was, within the bins.
 */
export function binsUntilShare(bins: readonly Float64Array[], index: number, fromBin: number, binsPerWindow: number, fraction = 0.5): number | null {
  const fair = 1 / bins.length;
  const length = bins[index]!.length;
  for (let b = fromBin; b + binsPerWindow <= length; b++) {
    let all = 0;
    for (const series of bins) all += sum(series, b, b + binsPerWindow);
    if (all > 0 && sum(bins[index]!, b, b + binsPerWindow) / all >= fraction * fair) return b - fromBin;
  }
  return null;
}

function sum(series: Float64Array, from: number, to: number): number {
  let s = 0;
  for (let i = from; i < to; i++) s += series[i]!;
  return s;
}
