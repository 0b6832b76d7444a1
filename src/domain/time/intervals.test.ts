import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { Interval } from './intervals.ts';
import {
  expandPacked,
  intersectIntervalSets,
  isInsideOne,
  mergeIntervals,
  PackedArena,
  packIntervals,
  subtractIntervals,
  unpackIntervals,
} from './intervals.ts';

const iv = (start: number, end: number): Interval => ({ start, end });

test('merge joins touching and overlapping intervals and drops empty ones', () => {
  assert.deepEqual(mergeIntervals([iv(5, 6), iv(1, 2), iv(2, 3), iv(8, 8), iv(2.5, 4), iv(9, 7)]), [
    iv(1, 4),
    iv(5, 6),
  ]);
});

test('merge never sorts or mutates its input', () => {
  const input = [iv(5, 6), iv(1, 2)];
  const copy = structuredClone(input);
  mergeIntervals(input);
  assert.deepEqual(input, copy);
});

test('intersect and subtract follow the half-open rule', () => {
  assert.deepEqual(intersectIntervalSets([iv(0, 10)], [iv(10, 12), iv(2, 3), iv(9, 11)]), [
    iv(2, 3),
    iv(9, 10),
  ]);
  assert.deepEqual(subtractIntervals([iv(0, 10)], [iv(2, 3), iv(3, 4), iv(9, 12)]), [iv(0, 2), iv(4, 9)]);
  assert.deepEqual(subtractIntervals([iv(0, 10)], [iv(10, 11)]), [iv(0, 10)]);
});

test('isInsideOne needs one interval of the union (touching ones count as one)', () => {
  assert.equal(isInsideOne([iv(0, 5), iv(5, 10)], iv(3, 8)), true);
  assert.equal(isInsideOne([iv(0, 5), iv(6, 10)], iv(3, 8)), false);
});

test('expandPacked grows and re-merges', () => {
  assert.deepEqual(unpackIntervals(expandPacked(packIntervals([iv(10, 20), iv(25, 30)]), 2, 3)), [iv(8, 33)]);
});

const intervalsArb = fc.array(
  fc.tuple(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 15 })).map(([s, l]) => iv(s, s + l)),
  { maxLength: 12 },
);
const covered = (set: readonly Interval[], t: number) => set.some((i) => i.start <= t && t < i.end);

test('merge, intersect and subtract agree pointwise with the definitions (property)', () => {
  fc.assert(
    fc.property(intervalsArb, intervalsArb, (a, b) => {
      const merged = mergeIntervals(a);
      const both = intersectIntervalSets(a, b);
      const minus = subtractIntervals(a, b);
      for (let t = 0; t < 80; t += 0.5) {
        assert.equal(covered(merged, t), covered(a, t));
        assert.equal(covered(both, t), covered(a, t) && covered(b, t));
        assert.equal(covered(minus, t), covered(a, t) && !covered(b, t));
      }
      for (const set of [merged, both, minus]) {
        for (let k = 1; k < set.length; k++) assert.ok(set[k - 1]!.end < set[k]!.start);
      }
    }),
    { numRuns: 500 },
  );
});

test('packing one, two or many sorted runs (one per calendar) gives the union, with or without an arena (property)', () => {
  const byStart = (x: Interval, y: Interval) => x.start - y.start;
  const arena = new PackedArena();
  fc.assert(
    fc.property(fc.array(intervalsArb, { minLength: 1, maxLength: 5 }), (calendars) => {
      // Each calendar sorted by start, calendars one after another: the shape busy lists arrive in.
      const list = calendars.flatMap((calendar) => calendar.toSorted(byStart));
      const packed = packIntervals(list);
      assert.deepEqual([...packIntervals(list, arena)], [...packed]);
      const union = unpackIntervals(packed);
      for (let t = 0; t < 80; t += 0.5) assert.equal(covered(union, t), covered(list, t));
      for (let k = 1; k < union.length; k++) assert.ok(union[k - 1]!.end < union[k]!.start);
      for (const interval of union) assert.ok(interval.start < interval.end);
    }),
    { numRuns: 1000 },
  );
});

test('PackedArena: copies stay intact as the arena grows from small blocks to large ones', () => {
  const arena = new PackedArena();
  const copies: { view: Float64Array; expected: number[] }[] = [];
  // Sizes from 2 up to beyond the largest block, so every growth step and the oversize case occur.
  for (const [i, size] of [2, 10, 600, 1_000, 3_000, 70_000, 8, 40_000, 2].entries()) {
    const source = Float64Array.from({ length: size + 5 }, (_, k) => i * 1_000_000 + k);
    copies.push({ view: arena.copy(source, size), expected: Array.from(source.subarray(0, size)) });
  }
  for (const { view, expected } of copies) assert.deepEqual(Array.from(view), expected);
});

test('packing within a span drops only what neither overlaps nor touches it: inside the span the union is the same (property)', () => {
  fc.assert(
    fc.property(
      intervalsArb,
      fc.integer({ min: -5, max: 85 }),
      fc.integer({ min: 0, max: 40 }),
      (list, from, width) => {
        const within = iv(from, from + width);
        const union = unpackIntervals(packIntervals(list));
        const clipped = unpackIntervals(packIntervals(list, undefined, within));
        for (let t = from - 1; t <= from + width + 1; t += 0.5) {
          if (t >= from && t < from + width) assert.equal(covered(clipped, t), covered(union, t));
        }
        // Every interval kept overlaps or touches the span, and is one of the whole union's.
        for (const interval of clipped) {
          assert.ok(interval.end >= from && interval.start <= from + width);
          assert.ok(union.some((u) => u.start <= interval.start && interval.end <= u.end));
        }
      },
    ),
    { numRuns: 1000 },
  );
});

test('PackedArena: an arena given back is the next one taken, emptied, and its old views are not read again', () => {
  const first = PackedArena.take();
  const view = first.copy(Float64Array.of(1, 2, 3, 4), 4);
  first.giveBack();
  const second = PackedArena.take();
  assert.equal(second, first);
  // Taken again, it writes from its start: the old view now shows the new values.
  second.copy(Float64Array.of(7, 8), 2);
  assert.deepEqual([...view.subarray(0, 2)], [7, 8]);
  // While one computation holds it, another gets a fresh arena.
  const third = PackedArena.take();
  assert.notEqual(third, second);
  second.giveBack();
});

test('packing unsorted lists of any length (insertion sort up to 128, sorted keys above) gives the sorted merge of a plain reference (property)', () => {
  const reference = (list: readonly Interval[]): number[] => {
    const out: number[] = [];
    for (const { start, end } of list.filter((i) => i.start < i.end).toSorted((x, y) => x.start - y.start)) {
      if (out.length > 0 && start <= out[out.length - 1]!)
        out[out.length - 1] = Math.max(out[out.length - 1]!, end);
      else out.push(start, end);
    }
    return out;
  };
  const interval = fc
    .tuple(fc.integer({ min: 0, max: 100_000 }), fc.integer({ min: 0, max: 400 }))
    .map(([s, l]) => iv(s, s + l));
  // Lengths drawn evenly (fast-check's own sizes stay small): past 16 runs both sorts are reached.
  const unsorted = fc
    .integer({ min: 0, max: 400 })
    .chain((length) => fc.array(interval, { minLength: length, maxLength: length }));
  fc.assert(
    fc.property(unsorted, (list) => assert.deepEqual([...packIntervals(list)], reference(list))),
    { numRuns: 300 },
  );
});
