import assert from 'node:assert/strict';
import test from 'node:test';
import fc from 'fast-check';
import { listAnswerJson, slotJsonWriter } from './json-slices.ts';

test('listAnswerJson writes exactly what JSON.stringify writes, for any number of slices', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(
        fc.record({ start: fc.integer(), who: fc.array(fc.string({ unit: 'binary' }), { maxLength: 3 }) }),
        {
          maxLength: 140,
        },
      ),
      fc.option(
        fc.record({
          unavailable_sources: fc.array(
            fc.record({ sub: fc.string(), reason: fc.string({ unit: 'grapheme' }) }),
            {
              maxLength: 3,
            },
          ),
        }),
        { nil: undefined },
      ),
      async (items, rest) => {
        const toWire = (item: { start: number; who: string[] }) => ({
          start: String(item.start),
          participants: item.who.map((sub) => ({ sub })),
        });
        const expected = JSON.stringify({ sequences: items.map(toWire), ...rest });
        const answer = await listAnswerJson('sequences', items, (item) => JSON.stringify(toWire(item)), rest);
        assert.ok(answer.equals(Buffer.from(expected, 'utf8')), 'the same UTF-8 bytes');
      },
    ),
    { numRuns: 200 },
  );
});

test('listAnswerJson lets other work run between slices of a long list', async () => {
  const order: string[] = [];
  const answer = listAnswerJson(
    'items',
    Array.from({ length: 100 }, (_, i) => i),
    (i) => {
      order.push(`item ${i}`);
      return String(i);
    },
  );
  setImmediate(() => order.push('other'));
  assert.equal(JSON.parse((await answer).toString('utf8')).items.length, 100);
  const other = order.indexOf('other');
  assert.ok(other > 0 && other < order.length - 1, 'another callback ran between the slices');
});

test('slotJsonWriter writes exactly what JSON.stringify writes of the wire slot, members repeated or not', () => {
  const format = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
  fc.assert(
    fc.property(
      fc.array(fc.string({ unit: 'binary' }), { minLength: 1, maxLength: 4 }),
      fc.array(
        fc.tuple(
          fc.integer({ min: -8.64e15, max: 8.64e15 }),
          fc.integer({ min: 0, max: 1e9 }),
          fc.array(fc.nat(3)),
        ),
        {
          maxLength: 20,
        },
      ),
      (subs, raw) => {
        const write = slotJsonWriter();
        for (const [start, length, picks] of raw) {
          const slot = {
            start,
            end: Math.min(8.64e15, start + length),
            participants: picks.map((i) => subs[i % subs.length]!),
          };
          const wire = {
            start: format(slot.start),
            end: format(slot.end),
            participants: slot.participants.map((sub) => ({ sub })),
          };
          assert.equal(write(slot), JSON.stringify(wire));
        }
      },
    ),
    { numRuns: 300 },
  );
});
