/**
 * Interval algebra on half-open `[start, end)` epoch-millisecond intervals (STYLE 8.2 habit 2).
 *
 * Two representations share one boundary rule:
 * - `Interval[]` for the public API: inputs may be unsorted, overlapping, touching or empty;
 *   outputs are sorted, disjoint and non-touching. Inputs are never sorted or mutated in place.
 * - `PackedIntervals` (a `Float64Array` of `[start0, end0, start1, end1, …]`) for the engine's inner
 *   loops: always sorted, disjoint, non-touching and non-empty, so two-pointer sweeps suffice.
 *
 * Touching intervals merge: `[1, 2)` and `[2, 3)` become `[1, 3)`. Empty intervals (`start >= end`)
 * contain no instant and vanish.
 */
import type { Interval } from '../engine/types.ts';

/** Sorted, disjoint, non-touching, non-empty intervals packed as `[start0, end0, start1, end1, …]`. */
export type PackedIntervals = Float64Array;

export const EMPTY_PACKED: PackedIntervals = new Float64Array(0);

/** Merges any intervals into packed form (sorted, touching and overlapping ones merged, empty ones dropped). */
export function packIntervals(intervals: readonly Interval[]): PackedIntervals {
  let count = 0;
  let sortedByStart = true;
  let previousStart = -Infinity;
  for (const interval of intervals) {
    if (interval.start < interval.end) {
      count++;
      if (interval.start < previousStart) sortedByStart = false;
      previousStart = interval.start;
    }
  }
  if (count === 0) return EMPTY_PACKED;
  if (sortedByStart) return packSortedByStart(intervals, count);
  // The union only depends on the multisets of starts and of ends (coverage at t is
  // #starts <= t minus #ends <= t), so both arrays can be sorted independently with the fast
  // numeric typed-array sort instead of sorting interval objects.
  const starts = new Float64Array(count);
  const ends = new Float64Array(count);
  let k = 0;
  for (const interval of intervals) {
    if (interval.start < interval.end) {
      starts[k] = interval.start;
      ends[k] = interval.end;
      k++;
    }
  }
  starts.sort();
  ends.sort();
  const out: number[] = [];
  let depth = 0;
  let begin = 0;
  let i = 0;
  let j = 0;
  while (i < count) {
    if (depth === 0) {
      begin = starts[i]!;
      depth = 1;
      i++;
    } else if (starts[i]! <= ends[j]!) {
      // A start at the same instant as an end is processed first: touching intervals merge.
      depth++;
      i++;
    } else {
      depth--;
      if (depth === 0) out.push(begin, ends[j]!);
      j++;
    }
  }
  out.push(begin, ends[count - 1]!);
  return Float64Array.from(out);
}

function packSortedByStart(intervals: readonly Interval[], count: number): PackedIntervals {
  const buffer = new Float64Array(count * 2);
  let n = 0;
  for (const interval of intervals) {
    if (!(interval.start < interval.end)) continue;
    if (n > 0 && interval.start <= buffer[n - 1]!) {
      if (interval.end > buffer[n - 1]!) buffer[n - 1] = interval.end;
    } else {
      buffer[n++] = interval.start;
      buffer[n++] = interval.end;
    }
  }
  return n === buffer.length ? buffer : buffer.slice(0, n);
}

export function unpackIntervals(packed: PackedIntervals): Interval[] {
  const out: Interval[] = [];
  for (let i = 0; i < packed.length; i += 2) out.push({ start: packed[i]!, end: packed[i + 1]! });
  return out;
}

/** Intersection of two packed sets. */
export function intersectPacked(a: PackedIntervals, b: PackedIntervals): PackedIntervals {
  if (a.length === 0 || b.length === 0) return EMPTY_PACKED;
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const start = Math.max(a[i]!, b[j]!);
    const end = Math.min(a[i + 1]!, b[j + 1]!);
    if (start < end) out.push(start, end);
    if (a[i + 1]! < b[j + 1]!) i += 2;
    else j += 2;
  }
  return Float64Array.from(out);
}

/** `a` minus `b`. */
export function subtractPacked(a: PackedIntervals, b: PackedIntervals): PackedIntervals {
  if (a.length === 0) return EMPTY_PACKED;
  if (b.length === 0) return a;
  const out: number[] = [];
  let j = 0;
  for (let i = 0; i < a.length; i += 2) {
    let cursor = a[i]!;
    const end = a[i + 1]!;
    while (j < b.length && b[j + 1]! <= cursor) j += 2;
    let k = j;
    while (k < b.length && b[k]! < end) {
      if (b[k]! > cursor) out.push(cursor, b[k]!);
      if (b[k + 1]! > cursor) cursor = b[k + 1]!;
      if (cursor >= end) break;
      k += 2;
    }
    if (cursor < end) out.push(cursor, end);
  }
  return Float64Array.from(out);
}

/**
 * Grows every interval to `[start - earlierMs, end + laterMs)` and re-merges (growth keeps the
 * order, so one pass suffices). Both amounts must be >= 0.
 */
export function expandPacked(packed: PackedIntervals, earlierMs: number, laterMs: number): PackedIntervals {
  if (packed.length === 0 || (earlierMs === 0 && laterMs === 0)) return packed;
  const out = new Float64Array(packed.length);
  let n = 0;
  for (let i = 0; i < packed.length; i += 2) {
    const start = packed[i]! - earlierMs;
    const end = packed[i + 1]! + laterMs;
    if (n > 0 && start <= out[n - 1]!) {
      if (end > out[n - 1]!) out[n - 1] = end;
    } else {
      out[n++] = start;
      out[n++] = end;
    }
  }
  return n === out.length ? out : out.slice(0, n);
}

/** Index (even) of the packed interval containing instant `t`, or -1. */
export function findContainingPacked(packed: PackedIntervals, t: number): number {
  let lo = 0;
  let hi = packed.length / 2 - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (packed[mid * 2 + 1]! <= t) lo = mid + 1;
    else if (packed[mid * 2]! > t) hi = mid - 1;
    else return mid * 2;
  }
  return -1;
}

/** True when `[start, end)` (non-empty) lies inside a single interval of `packed`. */
export function packedContains(packed: PackedIntervals, start: number, end: number): boolean {
  const k = findContainingPacked(packed, start);
  return k >= 0 && packed[k + 1]! >= end;
}

/** True when some interval of `packed` shares an instant with `[start, end)`. */
export function packedIntersects(packed: PackedIntervals, start: number, end: number): boolean {
  if (!(start < end)) return false;
  // First interval whose end is after `start`; it intersects when it starts before `end`.
  let lo = 0;
  let hi = packed.length / 2;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (packed[mid * 2 + 1]! <= start) lo = mid + 1;
    else hi = mid;
  }
  return lo < packed.length / 2 && packed[lo * 2]! < end;
}

/** Union of intervals: sorted, disjoint, touching ones merged, empty ones dropped. */
export function mergeIntervals(intervals: readonly Interval[]): Interval[] {
  return unpackIntervals(packIntervals(intervals));
}

/** Instants in both sets. */
export function intersectIntervalSets(a: readonly Interval[], b: readonly Interval[]): Interval[] {
  return unpackIntervals(intersectPacked(packIntervals(a), packIntervals(b)));
}

/** Instants of `from` that are not in `remove`. */
export function subtractIntervals(from: readonly Interval[], remove: readonly Interval[]): Interval[] {
  return unpackIntervals(subtractPacked(packIntervals(from), packIntervals(remove)));
}

/** True when `inner` (non-empty) lies inside a single interval of the union of `set`. */
export function isInsideOne(set: readonly Interval[], inner: Interval): boolean {
  return inner.start < inner.end && packedContains(packIntervals(set), inner.start, inner.end);
}

/** True when the two intervals share at least one instant (empty intervals share none). */
export function intervalsOverlap(a: Interval, b: Interval): boolean {
  return a.start < a.end && b.start < b.end && a.start < b.end && b.start < a.end;
}
