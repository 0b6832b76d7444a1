import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { packSlots, slotTransfers, unpackSlots } from './slots-codec.ts';

test('slots packed for the trip back from a worker unpack to the same slots, members in order (property)', () => {
  const slot = fc.record(
    {
      start: fc.integer({ min: -8.64e15, max: 8.64e15 }),
      end: fc.integer({ min: -8.64e15, max: 8.64e15 }),
      participants: fc.array(fc.constantFrom('a', 'b', 'bacc_1', 'é"\\', ''), { maxLength: 6 }),
    },
    { noNullPrototype: true },
  );
  fc.assert(
    fc.property(fc.array(slot, { maxLength: 40 }), (slots) => {
      const packed = packSlots(slots);
      assert.deepEqual(unpackSlots(structuredClone(packed)), slots);
      assert.equal(new Set(packed.subs).size, packed.subs.length, 'each sub crosses once');
    }),
    { numRuns: 300 },
  );
});

test('the packed buffers are moved with the reply, alone or beside an explanation', () => {
  const packed = packSlots([{ start: 1, end: 2, participants: ['a'] }]);
  assert.equal(slotTransfers(packed).length, 3);
  assert.equal(slotTransfers({ slots: packed, explanation: {} }).length, 3);
  assert.deepEqual(slotTransfers([{ steps: [] }]), []);
  assert.deepEqual(slotTransfers(null), []);
});
