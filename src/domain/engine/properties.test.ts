/**
 * The engine against the brute-force reference (reference.test-support.ts) on thousands of small
 * random scenarios: they must agree exactly, participants and order included.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { findAvailability } from './availability.ts';
import { constrainedAvailabilityArb, constrainedSequenceArb } from './constraint-scenarios.test-support.ts';
import { isOptionStillAvailable, isSlotStillAvailable } from './recheck.ts';
import { referenceAvailability, referenceSequences } from './reference.test-support.ts';
import { availabilityQueryArb, sequenceQueryArb } from './scenarios.test-support.ts';
import { findSequences } from './sequence.ts';

test('5.1-5.4 findAvailability equals the brute-force reference in all three formats', () => {
  fc.assert(
    fc.property(availabilityQueryArb(), (query) => {
      assert.deepEqual(findAvailability(query), referenceAvailability(query));
    }),
    { numRuns: 1500 },
  );
});

test('5.5 findSequences equals the brute-force reference (orders, gaps, canonical tie-breaks)', () => {
  fc.assert(
    fc.property(sequenceQueryArb(), (query) => {
      assert.deepEqual(findSequences(query), referenceSequences(query));
    }),
    { numRuns: 1500 },
  );
});

test('5.5 canonical tie-breaks (running order, then later starts) equal the reference on tie-heavy inputs', () => {
  fc.assert(
    fc.property(sequenceQueryArb('ties'), (query) => {
      assert.deepEqual(findSequences(query), referenceSequences(query));
    }),
    { numRuns: 800 },
  );
});

test('re-checks accept every option and slot the search returns', () => {
  fc.assert(
    fc.property(sequenceQueryArb(), (query) => {
      for (const option of findSequences(query)) assert.ok(isOptionStillAvailable(query, option));
    }),
    { numRuns: 300 },
  );
  fc.assert(
    fc.property(availabilityQueryArb(), (query) => {
      if (query.format === 'periods') return;
      for (const slot of findAvailability(query)) assert.ok(isSlotStillAvailable(query, slot));
    }),
    { numRuns: 300 },
  );
});

test('5.1 availability constraints: findAvailability equals the reference (zones far from UTC, DST, tags)', () => {
  fc.assert(
    fc.property(constrainedAvailabilityArb(), (query) => {
      assert.deepEqual(findAvailability(query), referenceAvailability(query));
    }),
    { numRuns: 400 },
  );
});

test('5.1 availability constraints: findSequences equals the reference (a member in two steps counts two)', () => {
  fc.assert(
    fc.property(constrainedSequenceArb(), (query) => {
      assert.deepEqual(findSequences(query), referenceSequences(query));
      for (const option of findSequences(query)) assert.ok(isOptionStillAvailable(query, option));
    }),
    { numRuns: 400 },
  );
});
