/** Sorting (start, end) pairs by start for `packIntervals` (intervals.ts), in place. */
/**
 * Up to this many pairs, insertion sort in place beats building and sorting keys (which allocates
 * two arrays): a one-day query's busy list, clipped to its span, is a few dozen intervals.
 */
const INSERTION_SORT_MAX = 128;

function insertionSortByStart(starts: Float64Array, ends: Float64Array, n: number): void {
  for (let i = 1; i < n; i++) {
    const start = starts[i]!;
    const end = ends[i]!;
    let j = i - 1;
    while (j >= 0 && starts[j]! > start) {
      starts[j + 1] = starts[j]!;
      ends[j + 1] = ends[j]!;
      j--;
    }
    starts[j + 1] = start;
    ends[j + 1] = end;
  }
}

/**
 * Sorts (start, end) pairs by start in place. Integral starts become one numeric key
 * `(start - min) * n + position` (exact below 2^53) sorted by `sortNumbers`; other input falls back
 * to sorting an index array.
 */
export function sortByStartKey(starts: Float64Array, ends: Float64Array, n: number): void {
  if (n <= INSERTION_SORT_MAX) {
    insertionSortByStart(starts, ends, n);
    return;
  }
  let min = Infinity;
  let max = -Infinity;
  let integral = true;
  for (let i = 0; i < n; i++) {
    const start = starts[i]!;
    if (start < min) min = start;
    if (start > max) max = start;
    if (!Number.isInteger(start)) integral = false;
  }
  const originalEnds = ends.slice(0, n);
  if (!integral || (max - min + 1) * n >= Number.MAX_SAFE_INTEGER) {
    const originalStarts = starts.slice(0, n);
    const order = Array.from({ length: n }, (_, i) => i).sort(
      (a, b) => originalStarts[a]! - originalStarts[b]!,
    );
    order.forEach((position, i) => {
      starts[i] = originalStarts[position]!;
      ends[i] = originalEnds[position]!;
    });
    return;
  }
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) keys[i] = (starts[i]! - min) * n + i;
  sortNumbers(keys);
  for (let i = 0; i < n; i++) {
    const key = keys[i]!;
    // Division, not `%`: floating-point remainder is several times slower in V8.
    let quotient = Math.floor(key / n);
    let position = key - quotient * n;
    if (position < 0) {
      quotient--;
      position += n;
    } else if (position >= n) {
      quotient++;
      position -= n;
    }
    starts[i] = quotient + min;
    ends[i] = originalEnds[position]!;
  }
}

/**
 * Sorts in place, ascending. Calendar instants are spread fairly evenly over a window, so a bucket
 * pass (one bucket per value) followed by insertion sort is linear in practice and faster than the
 * built-in sort for thousands of values; clustered input that would make the insertion sort slow
 * falls back to the built-in sort.
 */
export function sortNumbers(values: Float64Array): void {
  const n = values.length;
  if (n < 128) {
    values.sort();
    return;
  }
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (!(Number.isFinite(min) && Number.isFinite(max))) {
    values.sort();
    return;
  }
  if (min === max) return;
  const scale = (n - 1) / (max - min);
  const counts = new Int32Array(n + 1);
  const bucketOf = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const bucket = Math.floor((values[i]! - min) * scale);
    bucketOf[i] = bucket;
    counts[bucket + 1]!++;
  }
  for (let b = 1; b <= n; b++) counts[b]! += counts[b - 1]!;
  const bucketed = new Float64Array(n);
  for (let i = 0; i < n; i++) bucketed[counts[bucketOf[i]!]!++] = values[i]!;
  let budget = 8 * n;
  for (let i = 1; i < n; i++) {
    const v = bucketed[i]!;
    let j = i - 1;
    while (j >= 0 && bucketed[j]! > v) {
      bucketed[j + 1] = bucketed[j]!;
      j--;
    }
    bucketed[j + 1] = v;
    budget -= i - 1 - j;
    if (budget < 0) {
      bucketed.sort();
      break;
    }
  }
  values.set(bucketed);
}
