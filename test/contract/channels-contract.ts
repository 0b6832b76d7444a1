/**
 * The storage contract of push notification channels (SPEC 8d), run by storage-contract.ts for every
 * store: the per-account limit (also under concurrent creates), filters, and the pending change
 * that every events write records and takeDue hands out once.
 */
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import type { ChannelRecord } from '../../src/ports/channels.ts';
import type { Store } from '../../src/ports/store.ts';

type It = (title: string, body: (store: Store) => Promise<void>) => void;

const T = Date.UTC(2030, 0, 7, 9);

const aChannel = (over: Partial<ChannelRecord> = {}): ChannelRecord => ({
  id: 'chn_1',
  applicationId: 'app_a',
  accountId: 'acc_1',
  callbackUrl: 'https://example.com/push',
  filters: {},
  createdAt: T,
  lastNotifiedAt: null,
  ...over,
});

const anEvent = (calendarId: string, eventId: string, at: number) => ({
  calendarId,
  eventId,
  eventUid: `uid_${eventId}`,
  summary: 'Planning',
  startMs: T + 3_600_000,
  endMs: T + 7_200_000,
  allDay: false,
  transparency: 'opaque' as const,
  status: 'confirmed' as const,
  deleted: false,
  data: {},
  createdAt: at,
  updatedAt: at,
});

/** Pending changes handed out now (a second after anything notified), as `channel id → since`. */
async function due(store: Store, now: number): Promise<Record<string, number>> {
  const taken = await store.transaction((r) => r.channels.takeDue(now, now - 1000, 100));
  return Object.fromEntries(taken.map((d) => [d.channel.id, d.changesSince]));
}

/** The seeded stores have acc_1 with cal_1; these tests add cal_1b to acc_1. */
async function secondCalendar(store: Store): Promise<void> {
  const first = await store.read((r) => r.calendars.byId('cal_1'));
  await store.transaction((r) =>
    r.calendars.insert({ ...first!, id: 'cal_1b', name: 'Home', primary: false }),
  );
}

export function channelsContract(it: It): void {
  describe('channels', () => {
    it('insertWithin stores up to the limit; byAccount lists oldest first; delete forgets', async (store) => {
      const inserted = await store.transaction(async (r) => [
        await r.channels.insertWithin(aChannel({ id: 'chn_b', createdAt: T + 1 }), 2),
        await r.channels.insertWithin(
          aChannel({ id: 'chn_a', filters: { calendar_ids: ['cal_1'], only_managed: true } }),
          2,
        ),
        await r.channels.insertWithin(aChannel({ id: 'chn_c' }), 2),
        await r.channels.insertWithin(aChannel({ id: 'chn_other', accountId: 'acc_2' }), 2),
      ]);
      assert.deepEqual(inserted, [true, true, false, true]);
      const listed = await store.read((r) => r.channels.byAccount('acc_1'));
      assert.deepEqual(
        listed.map((c) => c.id),
        ['chn_a', 'chn_b'],
      );
      assert.deepEqual(
        listed[0],
        aChannel({ id: 'chn_a', filters: { calendar_ids: ['cal_1'], only_managed: true } }),
      );
      assert.equal(await store.transaction((r) => r.channels.delete('chn_a')), true);
      assert.equal(await store.transaction((r) => r.channels.delete('chn_a')), false);
      assert.equal(await store.read((r) => r.channels.byId('chn_a')), undefined);
      assert.equal(
        await store.transaction((r) => r.channels.insertWithin(aChannel({ id: 'chn_d' }), 2)),
        true,
      );
    });

    it('concurrent creates for one account never pass the limit', async (store) => {
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          store.transaction((r) => r.channels.insertWithin(aChannel({ id: `chn_${i}` }), 5)),
        ),
      );
      assert.equal(results.filter(Boolean).length, 5);
      assert.equal((await store.read((r) => r.channels.byAccount('acc_1'))).length, 5);
    });

    it('every events write records the earliest change for watching channels, handed out once', async (store) => {
      await secondCalendar(store);
      await store.transaction(async (r) => {
        await r.channels.insertWithin(aChannel({ id: 'chn_all' }), 10);
        await r.channels.insertWithin(
          aChannel({ id: 'chn_home', filters: { calendar_ids: ['cal_1b'] } }),
          10,
        );
        await r.channels.insertWithin(aChannel({ id: 'chn_acc2', accountId: 'acc_2' }), 10);
      });
      assert.deepEqual(await due(store, T), {});
      await store.transaction((r) => r.events.upsert(anEvent('cal_1', 'e1', T + 500)));
      await store.transaction((r) => r.events.upsert(anEvent('cal_1', 'e2', T + 200)));
      await store.transaction((r) => r.events.upsert(anEvent('cal_1', 'e3', T + 900)));
      assert.deepEqual(await due(store, T + 100), {}, 'a change is not due before it happened');
      assert.deepEqual(await due(store, T + 1000), { chn_all: T + 200 });
      assert.deepEqual(await due(store, T + 1000), {}, 'handed out once');
      // A change right after a notification waits until that one is a second old.
      await store.transaction((r) => r.events.markDeleted('cal_1', 'e1', T + 1100));
      assert.deepEqual(await due(store, T + 1999), {});
      assert.deepEqual(await due(store, T + 2000), { chn_all: T + 1100 });
      // Deleting an already deleted event changes nothing.
      await store.transaction((r) => r.events.markDeleted('cal_1', 'e1', T + 2100));
      assert.deepEqual(await due(store, T + 5000), {});
      // Bulk deletes record changes of the calendars that had live events only.
      await store.transaction((r) => r.events.upsert(anEvent('cal_1b', 'h1', T + 5000)));
      assert.deepEqual(await due(store, T + 6000), { chn_all: T + 5000, chn_home: T + 5000 });
      await store.transaction((r) => r.events.markDeletedIn(['cal_1', 'cal_1b'], T + 7000));
      assert.deepEqual(await due(store, T + 8000), { chn_all: T + 7000, chn_home: T + 7000 });
      assert.equal(await store.transaction((r) => r.events.markDeletedIn(['cal_1', 'cal_1b'], T + 9000)), 0);
      assert.deepEqual(await due(store, T + 10_000), {});
    });

    it('unmanaged (external) changes skip channels that want only managed events', async (store) => {
      await store.transaction(async (r) => {
        await r.channels.insertWithin(aChannel({ id: 'chn_managed', filters: { only_managed: true } }), 10);
        await r.channels.insertWithin(aChannel({ id: 'chn_any', filters: { only_managed: false } }), 10);
      });
      await store.transaction((r) => r.channels.noteChanges(['cal_1'], T, false));
      assert.deepEqual(await due(store, T), { chn_any: T });
      await store.transaction((r) => r.channels.noteChanges(['cal_1'], T + 5000, true));
      assert.deepEqual(await due(store, T + 5000), { chn_any: T + 5000, chn_managed: T + 5000 });
      await store.transaction((r) => r.channels.noteChanges([], T + 9000, true));
      assert.deepEqual(await due(store, T + 9000), {});
    });

    it('a closed channel loses its pending change', async (store) => {
      await store.transaction((r) => r.channels.insertWithin(aChannel(), 10));
      await store.transaction((r) => r.events.upsert(anEvent('cal_1', 'e1', T)));
      await store.transaction((r) => r.channels.delete('chn_1'));
      assert.deepEqual(await due(store, T + 5000), {});
    });

    it('concurrent takers never hand out one change twice', async (store) => {
      await store.transaction(async (r) => {
        for (let i = 0; i < 30; i += 1) await r.channels.insertWithin(aChannel({ id: `chn_${i}` }), 100);
      });
      await store.transaction((r) => r.events.upsert(anEvent('cal_1', 'e1', T)));
      const takes = await Promise.all(
        Array.from({ length: 6 }, () => store.transaction((r) => r.channels.takeDue(T + 1000, T, 4))),
      );
      const ids = takes.flat().map((d) => d.channel.id);
      assert.equal(new Set(ids).size, ids.length, 'no change handed out twice');
      const rest = await due(store, T + 1000);
      assert.equal(ids.length + Object.keys(rest).length, 30);
    });
  });
}
