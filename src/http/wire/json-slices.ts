/**
 * Large JSON answers written a slice at a time, with the event loop free between slices (issue 13,
 * SPEC 9): 512 options of 20 steps each take tens of milliseconds to build and serialise, which
 * would otherwise hold up every other request, `/healthz` included.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';

/** Items turned into JSON between two turns of the event loop. */
const ITEMS_PER_SLICE = 32;

/**
 * The JSON of `{ [key]: items.map(toWire), ...rest }`, byte for byte what `JSON.stringify` writes,
 * as UTF-8 built `ITEMS_PER_SLICE` items at a time: each slice is serialised and encoded in its own
 * turn of the event loop, so neither step (nor the length Fastify takes) runs over megabytes at
 * once. `rest`'s names must not be `key` or array indices (those would be ordered differently).
 * Send it with a JSON content type.
 */
export async function listAnswerJson<T>(
  key: string,
  items: readonly T[],
  toWire: (item: T) => unknown,
  rest: Readonly<Record<string, unknown>> = {},
): Promise<Buffer> {
  const parts: Buffer[] = [Buffer.from(`{${JSON.stringify(key)}:[`)];
  for (let from = 0; from < items.length; from += ITEMS_PER_SLICE) {
    if (from > 0) await nextTurn();
    const to = Math.min(items.length, from + ITEMS_PER_SLICE);
    const texts: string[] = [];
    for (let i = from; i < to; i++) texts.push(JSON.stringify(toWire(items[i]!)));
    parts.push(Buffer.from(`${from > 0 ? ',' : ''}${texts.join(',')}`));
  }
  const restText = JSON.stringify(rest);
  parts.push(Buffer.from(`]${restText === '{}' ? '' : `,${restText.slice(1, -1)}`}}`));
  return Buffer.concat(parts);
}
