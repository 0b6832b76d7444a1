/**
 * Large JSON answers written a slice at a time, with the event loop free between slices (issue 13,
 * SPEC 9): 512 options of 20 steps each take tens of milliseconds to build and serialise, which
 * would otherwise hold up every other request, `/healthz` included.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';

/** Items turned into JSON between two turns of the event loop. */
const ITEMS_PER_SLICE = 32;

/**
 * The JSON text of `{ [key]: items.map(toWire), ...rest }`, exactly as `JSON.stringify` writes it,
 * built `ITEMS_PER_SLICE` items at a time. `rest`'s names must not be `key` or array indices (those
 * would be ordered differently). Send it with a JSON content type (Fastify passes strings through).
 */
export async function listAnswerJson<T>(
  key: string,
  items: readonly T[],
  toWire: (item: T) => unknown,
  rest: Readonly<Record<string, unknown>> = {},
): Promise<string> {
  const slices: string[] = [];
  for (let from = 0; from < items.length; from += ITEMS_PER_SLICE) {
    if (from > 0) await nextTurn();
    const to = Math.min(items.length, from + ITEMS_PER_SLICE);
    const texts: string[] = [];
    for (let i = from; i < to; i++) texts.push(JSON.stringify(toWire(items[i]!)));
    slices.push(texts.join(','));
  }
  const restText = JSON.stringify(rest);
  const tail = restText === '{}' ? '' : `,${restText.slice(1, -1)}`;
  return `{${JSON.stringify(key)}:[${slices.join(',')}]${tail}}`;
}
