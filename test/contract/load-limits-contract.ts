/**
 * Availability constraints in the store (SPEC 5.1, docs/decisions/0006): what `events.countedIn`
 * counts, and `reservations.insertAll` refusing a batch that would take a member past a limit,
 * also when 50 transactions race (the per-account serialisation must make exactly one win).
 */
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AvailabilityConstraint } from '../../src/domain/engine/constraints.ts';
import type { LoadLimit } from '../../src/ports/load-limits.ts';
import { ReservationConflictError, type Store } from '../../src/ports/store.ts';
import { aLink, anEvent, aReservation } from './storage-contract.ts';

// The contract's own T0 and HOUR (storage-contract.ts imports this file, so not read from it).
const T0 = Date.UTC(2030, 0, 7, 9);
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** A limit of one a day (UTC) for acc_1's slot at `startMs` booked by `linkId`. */
const perDay = (
  over: Partial<AvailabilityConstraint> = {},
  slot: { startMs: number; tags?: string[]; linkId?: string } = { startMs: T0 },
): LoadLimit => ({
  accountId: 'acc_1',
  constraint: { limit: 1, period: 'day', tzid: 'Etc/UTC', tags: null, ...over },
  calendarIds: ['cal_1'],
  linkId: slot.linkId ?? 'seq_1',
  slots: [{ startMs: slot.startMs, tags: slot.tags ?? [] }],
});

const live = (store: Store) =>
  store.read((r) => r.reservations.liveIn(['acc_1'], { start: 0, end: T0 * 2 }, T0 - DAY));

/**
 * `count` transactions, each reserving its own 5-minute slot of acc_1 on T0's day (no two
 * overlap, so only the limit can refuse them), spread over `stores`; the first `parallel` meet at
 * a barrier after BEGIN so none has committed when they count.
 */
export async function raceForOneDay(
  stores: readonly Store[],
  count: number,
  parallel: number,
  limit: Omit<LoadLimit, 'linkId' | 'slots'>,
): Promise<{ ok: number; errors: unknown[] }> {
  // One link per racer, as when 50 invitees book 50 links sharing the member.
  await stores[0]!.transaction(async (r) => {
    for (let i = 0; i < count; i++)
      await r.links.insert(aLink({ id: `lim_${i}`, tokenHash: `lim_hash_${i}` }));
  });
  let arrived = 0;
  let open = (): void => undefined;
  const barrier = new Promise<void>((resolve) => {
    open = resolve;
  });
  // Only guards against a store that runs fewer transactions at once than promised.
  const timeout = setTimeout(open, 2_000);
  try {
    const results = await Promise.allSettled(
      Array.from({ length: count }, (_, i) =>
        stores[i % stores.length]!.transaction(async (r) => {
          await r.links.byId('app_a', 'seq_1');
          arrived += 1;
          if (arrived >= parallel) open();
          await barrier;
          const start = T0 + i * 6 * MINUTE;
          await r.reservations.insertAll(
            [
              aReservation({
                id: `load_${i}`,
                linkId: `lim_${i}`,
                startMs: start,
                endMs: start + 5 * MINUTE,
              }),
            ],
            T0 - DAY,
            null,
            [{ ...limit, linkId: `lim_${i}`, slots: [{ startMs: start, tags: [] }] }],
          );
          await sleep(5);
        }),
      ),
    );
    return {
      ok: results.filter((r) => r.status === 'fulfilled').length,
      errors: results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : [])),
    };
  } finally {
    clearTimeout(timeout);
  }
}

type It = (title: string, body: (store: Store) => Promise<void>) => void;

export function loadLimitsContract(it: It, parallel: number): void {
  describe('availability constraints', () => {
    it('countedIn: live events starting in the window, transparent too, not cancelled, deleted or booked', async (store) => {
      await store.transaction(async (r) => {
        await r.events.upsert(anEvent({ data: { tags: { private: [{ value: 'interview' }] } } }));
        await r.events.upsert(anEvent({ eventId: 'clear', transparency: 'transparent', startMs: T0 + HOUR }));
        await r.events.upsert(anEvent({ eventId: 'off', status: 'cancelled' }));
        await r.events.upsert(anEvent({ eventId: 'gone', deleted: true }));
        await r.events.upsert(anEvent({ eventId: 'booked', data: { rtseq_link_id: 'seq_1' } }));
        await r.events.upsert(anEvent({ eventId: 'before', startMs: T0 - HOUR, endMs: T0 + HOUR }));
      });
      const rows = await store.read((r) => r.events.countedIn(['cal_1'], { start: T0, end: T0 + DAY }));
      assert.deepEqual(
        rows.sort((a, b) => a.startMs - b.startMs),
        [
          { calendarId: 'cal_1', startMs: T0, tags: ['interview'] },
          { calendarId: 'cal_1', startMs: T0 + HOUR, tags: [] },
        ],
      );
    });

    it('insertAll refuses a batch past a limit and writes nothing; other periods and tags are apart', async (store) => {
      // Each write comes from its own link (seq_1 and seq_2 alternate), as bookings of two links.
      const insert = (
        id: string,
        startMs: number,
        over: Partial<AvailabilityConstraint>,
        tags?: string[],
      ) => {
        const linkId = id.charCodeAt(0) % 2 === 0 ? 'seq_2' : 'seq_1';
        return store.transaction((r) =>
          r.reservations.insertAll(
            [aReservation({ id, linkId, startMs, endMs: startMs + HOUR, ...(tags ? { tags } : {}) })],
            T0 - DAY,
            null,
            [perDay(over, { startMs, linkId, ...(tags ? { tags } : {}) })],
          ),
        );
      };
      await insert('a', T0, {});
      await assert.rejects(insert('b', T0 + 2 * HOUR, {}), ReservationConflictError);
      await insert('c', T0 + DAY, {}); // the next day
      // Only tagged rows count for a tagged constraint; rows carry their tags through.
      await insert('d', T0 + 3 * HOUR, { tags: ['interview'] }, ['interview']);
      await assert.rejects(
        insert('e', T0 + 5 * HOUR, { tags: ['interview'] }, ['interview']),
        ReservationConflictError,
      );
      // A week limit of 2 for seq_2 sees seq_1's a and c (seq_2's own d is what its write replaces).
      await assert.rejects(insert('f', T0 + 2 * DAY, { period: 'week', limit: 2 }), ReservationConflictError);
      const ids = (await live(store)).map((r) => r.id).sort();
      assert.deepEqual(ids, ['a', 'c', 'd']);
      assert.deepEqual((await live(store)).find((r) => r.id === 'd')?.tags, ['interview']);
    });

    it('insertAll counts the Events API events of the listed calendars, and live holds', async (store) => {
      await store.transaction((r) => r.events.upsert(anEvent({ startMs: T0 - 2 * HOUR, endMs: T0 - HOUR })));
      await store.transaction((r) =>
        r.reservations.insertAll(
          [aReservation({ id: 'h', linkId: 'seq_2', kind: 'hold', expiresAt: T0, holderKey: 'k' })],
          T0 - DAY,
          null,
          [perDay({ limit: 2 }, { startMs: T0, linkId: 'seq_2' })],
        ),
      );
      const later = T0 + 3 * HOUR;
      const row = aReservation({ id: 'x', startMs: later, endMs: later + HOUR });
      await assert.rejects(
        store.transaction((r) =>
          r.reservations.insertAll([row], T0 - DAY, null, [perDay({ limit: 2 }, { startMs: later })]),
        ),
        ReservationConflictError,
      );
      // Not counting cal_1 (no calendar listed): the event is not counted.
      await store.transaction((r) =>
        r.reservations.insertAll([row], T0 - DAY, null, [
          { ...perDay({ limit: 2 }, { startMs: later }), calendarIds: [] },
        ]),
      );
      // The link's own reservations are what its write replaces: they stand as its slots, once.
      const again = aReservation({ id: 'x2', startMs: later + HOUR, endMs: later + 2 * HOUR });
      await assert.rejects(
        store.transaction((r) =>
          r.reservations.insertAll([again], T0 - DAY, null, [
            {
              ...perDay({ limit: 2 }, { startMs: later }),
              calendarIds: [],
              slots: [
                { startMs: later, tags: [] },
                { startMs: later + HOUR, tags: [] },
              ],
            },
          ]),
        ),
        ReservationConflictError,
      );
    });

    it('50 concurrent transactions for one member with limit 1 per day: exactly one wins', async (store) => {
      const { ok, errors } = await raceForOneDay([store], 50, parallel, perDay());
      assert.equal(ok, 1);
      assert.equal(errors.length, 49);
      for (const error of errors) assert.ok(error instanceof ReservationConflictError, String(error));
      assert.equal((await live(store)).length, 1);
    });
  });
}
