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
import { anEvent, aReservation } from './storage-contract.ts';

// The contract's own T0 and HOUR (storage-contract.ts imports this file, so not read from it).
const T0 = Date.UTC(2030, 0, 7, 9);
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const perDay = (over: Partial<AvailabilityConstraint> = {}): LoadLimit => ({
  accountId: 'acc_1',
  constraint: { limit: 1, period: 'day', tzid: 'Etc/UTC', tags: null, ...over },
  calendarIds: ['cal_1'],
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
  limit: LoadLimit,
): Promise<{ ok: number; errors: unknown[] }> {
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
            [aReservation({ id: `load_${i}`, startMs: start, endMs: start + 5 * MINUTE })],
            T0 - DAY,
            null,
            [limit],
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
      const insert = (id: string, startMs: number, limits: LoadLimit[], tags?: string[]) =>
        store.transaction((r) =>
          r.reservations.insertAll(
            [aReservation({ id, startMs, endMs: startMs + HOUR, ...(tags ? { tags } : {}) })],
            T0 - DAY,
            null,
            limits,
          ),
        );
      await insert('a', T0, [perDay()]);
      await assert.rejects(insert('b', T0 + 2 * HOUR, [perDay()]), ReservationConflictError);
      await insert('c', T0 + DAY, [perDay()]); // the next day
      // Only tagged rows count for a tagged constraint; rows carry their tags through.
      const tagged = perDay({ tags: ['interview'] });
      await insert('d', T0 + 3 * HOUR, [tagged], ['interview']);
      await assert.rejects(insert('e', T0 + 5 * HOUR, [tagged], ['interview']), ReservationConflictError);
      // A week limit of 3 sees a, c and d.
      await assert.rejects(insert('f', T0 + 2 * DAY, [perDay({ period: 'week', limit: 3 })]));
      const ids = (await live(store)).map((r) => r.id).sort();
      assert.deepEqual(ids, ['a', 'c', 'd']);
      assert.deepEqual((await live(store)).find((r) => r.id === 'd')?.tags, ['interview']);
    });

    it('insertAll counts the Events API events of the listed calendars, and live holds', async (store) => {
      await store.transaction((r) => r.events.upsert(anEvent({ startMs: T0 - 2 * HOUR, endMs: T0 - HOUR })));
      const limit = perDay({ limit: 2 });
      await store.transaction((r) =>
        r.reservations.insertAll(
          [aReservation({ id: 'h', kind: 'hold', expiresAt: T0, holderKey: 'k' })],
          T0 - DAY,
          null,
          [limit],
        ),
      );
      await assert.rejects(
        store.transaction((r) =>
          r.reservations.insertAll(
            [aReservation({ id: 'x', startMs: T0 + 3 * HOUR, endMs: T0 + 4 * HOUR })],
            T0 - DAY,
            null,
            [limit],
          ),
        ),
        ReservationConflictError,
      );
      // Not counting cal_1 (another calendar listed): the event is not counted.
      await store.transaction((r) =>
        r.reservations.insertAll(
          [aReservation({ id: 'y', startMs: T0 + 3 * HOUR, endMs: T0 + 4 * HOUR })],
          T0 - DAY,
          null,
          [{ ...limit, calendarIds: [] }],
        ),
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
