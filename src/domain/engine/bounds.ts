/** Galloping searches in ascending typed arrays (the engine's candidate grids and packed lists). */

/**
 * First index `i >= from` with `values[i] >= target` (values ascending). Gallops from `from` first,
 * since successive targets are usually close to each other.
 */
export function lowerBound(values: Float64Array, target: number, from = 0): number {
  const n = values.length;
  if (from >= n || values[from]! >= target) return from;
  let step = 1;
  while (from + step < n && values[from + step]! < target) step *= 2;
  let lo = from + (step >> 1) + 1;
  let hi = Math.min(from + step, n);
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid]! < target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index `i >= from` with `values[i] > target` (values ascending), galloping like `lowerBound`. */
export function upperBound(values: Float64Array, target: number, from = 0): number {
  const n = values.length;
  if (from >= n || values[from]! > target) return from;
  let step = 1;
  while (from + step < n && values[from + step]! <= target) step *= 2;
  let lo = from + (step >> 1) + 1;
  let hi = Math.min(from + step, n);
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid]! <= target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
