/**
 * Large JSON answers written a slice at a time, with the event loop free between slices (issue 13,
 * SPEC 9): 512 options of 20 steps each take tens of milliseconds to build and serialise, which
 * would otherwise hold up every other request, `/healthz` included.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { formatUtc } from '../../domain/time/format.ts';

/** Items turned into JSON between two turns of the event loop. */
const ITEMS_PER_SLICE = 32;

/**
 * The JSON of `{ [key]: items.map(toWire), ...rest }`, byte for byte what `JSON.stringify` writes
 * (`toJson` returns each item's JSON text: `JSON.stringify` of its wire form, or a writer of the
 * same bytes such as `slotJsonWriter`),
 * as UTF-8 built `ITEMS_PER_SLICE` items at a time: each slice is serialised and encoded in its own
 * turn of the event loop, so neither step (nor the length Fastify takes) runs over megabytes at
 * once. `rest`'s names must not be `key` or array indices (those would be ordered differently).
 * Send it with a JSON content type.
 */
export async function listAnswerJson<T>(
  key: string,
  items: readonly T[],
  toJson: (item: T) => string,
  rest: Readonly<Record<string, unknown>> = {},
): Promise<Buffer> {
  const parts: Buffer[] = [Buffer.from(`{${JSON.stringify(key)}:[`)];
  for (let from = 0; from < items.length; from += ITEMS_PER_SLICE) {
    if (from > 0) await nextTurn();
    const to = Math.min(items.length, from + ITEMS_PER_SLICE);
    const texts: string[] = [];
    for (let i = from; i < to; i++) texts.push(toJson(items[i]!));
    parts.push(Buffer.from(`${from > 0 ? ',' : ''}${texts.join(',')}`));
  }
  const restText = JSON.stringify(rest);
  parts.push(Buffer.from(`]${restText === '{}' ? '' : `,${restText.slice(1, -1)}`}}`));
  return Buffer.concat(parts);
}

/**
 * Writes an available slot or period's JSON, `{"start":…,"end":…,"participants":[{"sub":…},…]}`,
 * exactly as `JSON.stringify` would, without building the wire objects: a 10-member answer has
 * hundreds of periods listing the same members, so each member's `{"sub":…}` is written once per
 * answer. `formatUtc` gives only digits, dashes, colons, `T`, `Z` and a sign: nothing to escape.
 */
export function slotJsonWriter(): (slot: {
  start: number;
  end: number;
  participants: readonly string[];
}) => string {
  const subJson = new Map<string, string>();
  return (slot) => {
    let participants = '';
    for (const sub of slot.participants) {
      let json = subJson.get(sub);
      if (json === undefined) {
        json = `{"sub":${JSON.stringify(sub)}}`;
        subJson.set(sub, json);
      }
      participants = participants === '' ? json : `${participants},${json}`;
    }
    return `{"start":"${formatUtc(slot.start)}","end":"${formatUtc(slot.end)}","participants":[${participants}]}`;
  };
}
