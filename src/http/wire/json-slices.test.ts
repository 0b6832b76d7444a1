import assert from 'node:assert/strict';
import test from 'node:test';
import fc from 'fast-check';
import { listAnswerJson } from './json-slices.ts';

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
        const answer = await listAnswerJson('sequences', items, toWire, rest);
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
      return i;
    },
  );
  setImmediate(() => order.push('other'));
  assert.equal(JSON.parse((await answer).toString('utf8')).items.length, 100);
  const other = order.indexOf('other');
  assert.ok(other > 0 && other < order.length - 1, 'another callback ran between the slices');
});
