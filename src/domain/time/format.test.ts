import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { formatUtc } from './format.ts';

const reference = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

test('formatUtc is the ISO form without milliseconds, expanded years included, first time and remembered (property)', () => {
  assert.equal(formatUtc(Date.UTC(2026, 11, 4, 9, 30, 15, 999)), '2026-12-04T09:30:15Z');
  assert.equal(formatUtc(Date.UTC(10_000, 0, 1)), '+010000-01-01T00:00:00Z');
  assert.equal(formatUtc(-1), '1969-12-31T23:59:59Z');
  // A small range makes repeats (memo hits) common; the full range covers every year form.
  const instant = fc.oneof(
    fc.integer({ min: 0, max: 2_000 }).map((m) => m * 900_000),
    fc.integer({ min: -8.64e15, max: 8.64e15 }),
  );
  fc.assert(
    fc.property(fc.array(instant, { minLength: 1, maxLength: 50 }), (list) => {
      for (const ms of [...list, ...list]) assert.equal(formatUtc(ms), reference(ms));
    }),
    { numRuns: 300 },
  );
});
