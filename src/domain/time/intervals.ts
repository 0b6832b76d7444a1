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
import { PackedArena } from './packed-arena.ts';
import { sortByStartKey } from './sort-starts.ts';

/** A half-open interval `[start, end)` of epoch milliseconds. */
export type Interval = { readonly start: number; readonly end: number };

/** Sorted, disjoint, non-touching, non-empty intervals packed as `[start0, end0, start1, end1, …]`. */
export type PackedIntervals = Float64Array;

export const EMPTY_PACKED: PackedIntervals = new Float64Array(0);

export { PackedArena };

/** Every instant: packing within it drops nothing. */
export const EVERYWHERE: Interval = { start: Number.NEGATIVE_INFINITY, end: Number.POSITIVE_INFINITY };

/** Above this many sorted runs, merging runs pairwise loses to one bucket sort of keys. */
const MAX_MERGED_RUNS = 16;

/**
 * Merges any intervals into packed form (sorted, touching and overlapping ones merged, empty ones
 * dropped). Busy lists usually arrive as a few sorted runs (one per calendar), so this is a natural
 * merge sort on (start, end) pairs: O(n log runs), O(n) for sorted input, O(n log n) at worst.
 * With `within`, intervals that neither overlap nor touch `[within.start, within.end]` are dropped
 * before sorting (what is packed within that span is unchanged; a caller reading only inside it
 * sorts less).
 */
export function packIntervals(
  intervals: readonly Interval[],
  arena?: PackedArena,
  within: Interval = EVERYWHERE,
): PackedIntervals {
  // One pass over the objects, then everything runs on reused scratch arrays; only the result
  // is allocated, or copied into `arena` (allocating typed arrays costs more than the merge).
  const total = intervals.length;
  const scratch = scratchFor(total);
  let starts = scratch[0];
  let ends = scratch[1];
  const runEnds: number[] = [];
  const from = within.start;
  const to = within.end;
  let count = 0;
  for (let i = 0; i < total; i++) {
    const interval = intervals[i]!;
    const start = interval.start;
    const end = interval.end;
    if (!(start < end) || end < from || start > to) continue;
    if (count > 0 && start < starts[count - 1]!) runEnds.push(count);
    starts[count] = start;
    ends[count] = end;
    count++;
  }
  if (count === 0) return EMPTY_PACKED;
  runEnds.push(count);
  if (runEnds.length === 2) {
    // Two calendars: merge the runs and join overlapping neighbours in the same pass.
    return finish(scratch[4], unionOfTwoRuns(starts, ends, runEnds[0]!, count, scratch[4]), arena);
  }
  if (runEnds.length > MAX_MERGED_RUNS) {
    sortByStartKey(starts, ends, count);
  } else if (runEnds.length > 1) {
    let spareStarts = scratch[2];
    let spareEnds = scratch[3];
    let bounds = runEnds;
    while (bounds.length > 1) {
      bounds = mergeRunPairs(starts, ends, spareStarts, spareEnds, bounds);
      const swapStarts = starts;
      starts = spareStarts;
      spareStarts = swapStarts;
      const swapEnds = ends;
      ends = spareEnds;
      spareEnds = swapEnds;
    }
  }
  return finish(scratch[4], mergeSorted(starts, ends, count, scratch[4]), arena);
}

function finish(out: Float64Array, length: number, arena: PackedArena | undefined): PackedIntervals {
  return arena === undefined ? out.slice(0, length) : arena.copy(out, length);
}

/**
 * Merges the sorted runs `[0, middle)` and `[middle, count)` of (starts, ends) by start, joining
 * overlapping and touching intervals as it goes, into `out`; returns the length written.
 */
function unionOfTwoRuns(
  starts: Float64Array,
  ends: Float64Array,
  middle: number,
  count: number,
  out: Float64Array,
): number {
  let i = 0;
  let j = middle;
  let n = 0;
  let lastEnd = Number.NEGATIVE_INFINITY;
  while (i < middle || j < count) {
    let start: number;
    let end: number;
    if (j >= count || (i < middle && starts[i]! <= starts[j]!)) {
      start = starts[i]!;
      end = ends[i++]!;
    } else {
      start = starts[j]!;
      end = ends[j++]!;
    }
    if (n > 0 && start <= lastEnd) {
      if (end > lastEnd) {
        lastEnd = end;
        out[n - 1] = end;
      }
    } else {
      out[n++] = start;
      out[n++] = end;
      lastEnd = end;
    }
  }
  return n;
}

/** One bottom-up pass: merges runs 0+1, 2+3, … of `starts` into `toStarts`; returns the new bounds. */
function mergeRunPairs(
  starts: Float64Array,
  ends: Float64Array,
  toStarts: Float64Array,
  toEnds: Float64Array,
  bounds: readonly number[],
): number[] {
  const merged: number[] = [];
  let from = 0;
  for (let r = 0; r < bounds.length; r += 2) {
    const middle = bounds[r]!;
    const to = r + 1 < bounds.length ? bounds[r + 1]! : middle;
    let i = from;
    let j = middle;
    let o = from;
    while (i < middle && j < to) {
      if (starts[j]! < starts[i]!) {
        toStarts[o] = starts[j]!;
        toEnds[o++] = ends[j++]!;
      } else {
        toStarts[o] = starts[i]!;
        toEnds[o++] = ends[i++]!;
      }
    }
    while (i < middle) {
      toStarts[o] = starts[i]!;
      toEnds[o++] = ends[i++]!;
    }
    while (j < to) {
      toStarts[o] = starts[j]!;
      toEnds[o++] = ends[j++]!;
    }
    merged.push(to);
    from = to;
  }
  return merged;
}

/** Merges `count` intervals sorted by start (touching ones too) into `out`; returns the length written. */
function mergeSorted(starts: Float64Array, ends: Float64Array, count: number, out: Float64Array): number {
  let n = 0;
  for (let i = 0; i < count; i++) {
    const start = starts[i]!;
    const end = ends[i]!;
    if (n > 0 && start <= out[n - 1]!) {
      if (end > out[n - 1]!) out[n - 1] = end;
    } else {
      out[n++] = start;
      out[n++] = end;
    }
  }
  return n;
}

/**
 * Scratch arrays for `packIntervals` (starts, ends, two spares, output), grown on demand. Safe to
 * share: the engine is synchronous and never re-enters `packIntervals`.
 */
let scratchArrays: Float64Array[] = [];
function scratchFor(size: number): [Float64Array, Float64Array, Float64Array, Float64Array, Float64Array] {
  if (scratchArrays.length === 0 || scratchArrays[0]!.length < size) {
    const capacity = Math.max(size, 1024);
    scratchArrays = [
      new Float64Array(capacity),
      new Float64Array(capacity),
      new Float64Array(capacity),
      new Float64Array(capacity),
      new Float64Array(capacity * 2),
    ];
  }
  return scratchArrays as [Float64Array, Float64Array, Float64Array, Float64Array, Float64Array];
}

export function unpackIntervals(packed: PackedIntervals): Interval[] {
  const out: Interval[] = [];
  for (let i = 0; i < packed.length; i += 2) out.push({ start: packed[i]!, end: packed[i + 1]! });
  return out;
}

/** Intersection of two packed sets. */
export function intersectPacked(a: PackedIntervals, b: PackedIntervals): PackedIntervals {
  if (a.length === 0 || b.length === 0) return EMPTY_PACKED;
  const out = new Float64Array(a.length + b.length);
  let n = 0;
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const start = Math.max(a[i]!, b[j]!);
    const end = Math.min(a[i + 1]!, b[j + 1]!);
    if (start < end) {
      out[n++] = start;
      out[n++] = end;
    }
    if (a[i + 1]! < b[j + 1]!) i += 2;
    else j += 2;
  }
  return n === out.length ? out : out.slice(0, n);
}

/** `a` minus `b`. */
export function subtractPacked(a: PackedIntervals, b: PackedIntervals): PackedIntervals {
  if (a.length === 0) return EMPTY_PACKED;
  if (b.length === 0) return a;
  // Each interval of b splits at most one interval of a in two.
  const out = new Float64Array(a.length + b.length);
  let n = 0;
  let j = 0;
  for (let i = 0; i < a.length; i += 2) {
    let cursor = a[i]!;
    const end = a[i + 1]!;
    while (j < b.length && b[j + 1]! <= cursor) j += 2;
    let k = j;
    while (k < b.length && b[k]! < end) {
      if (b[k]! > cursor) {
        out[n++] = cursor;
        out[n++] = b[k]!;
      }
      if (b[k + 1]! > cursor) cursor = b[k + 1]!;
      if (cursor >= end) break;
      k += 2;
    }
    if (cursor < end) {
      out[n++] = cursor;
      out[n++] = end;
    }
  }
  return n === out.length ? out : out.slice(0, n);
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
