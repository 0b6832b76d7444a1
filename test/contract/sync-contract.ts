/**
 * The storage contract of synced calendars (SPEC 8c), run by storage-contract.ts for every store:
 * the lease that lets one process sync a calendar, due calendars and subscriptions about to end,
 * full and incremental copies, busy reads in a window, watches found by id, written-event ids, and
 * forgetting a profile.
 */
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import type { Store } from '../../src/ports/store.ts';
import type { SyncedCalendarRecord } from '../../src/ports/sync.ts';

type It = (title: string, body: (store: Store) => Promise<void>) => void;

const T = Date.UTC(2030, 0, 7, 9);
const H = 3_600_000;

const aRecord = (over: Partial<SyncedCalendarRecord> = {}): SyncedCalendarRecord => ({
  calendarId: 'cal_1',
  profileId: 'pro_g',
  provider: 'google',
  remoteId: 'ana@example.com',
  cursor: null,
  coveredStart: null,
  coveredEnd: null,
  syncedAt: null,
  dueAt: T,
  leaseUntil: 0,
  failure: null,
  watchId: null,
  watchResourceId: null,
  watchSecretHash: null,
  watchExpiresAt: null,
  ...over,
});

const busyOf = (rows: { calendarId: string; busy: { start: number; end: number } }[]) =>
  rows.map((r) => `${r.calendarId} ${(r.busy.start - T) / H}-${(r.busy.end - T) / H}`);

export function syncContract(it: It): void {
  describe('synced calendars', () => {
    it('claim takes a free row once; release frees it; a lease ends by itself', async (store) => {
      await store.transaction((r) => r.sync.insert(aRecord()));
      const claims = await Promise.all([
        store.transaction((r) => r.sync.claim('cal_1', T, T + H)),
        store.transaction((r) => r.sync.claim('cal_1', T, T + H)),
      ]);
      assert.deepEqual(claims.sort(), [false, true]);
      assert.equal(await store.transaction((r) => r.sync.claim('cal_1', T + H - 1, T + 2 * H)), false);
      assert.equal(await store.transaction((r) => r.sync.claim('cal_1', T + H, T + 2 * H)), true);
      await store.transaction((r) => r.sync.release('cal_1'));
      assert.equal(await store.transaction((r) => r.sync.claim('cal_1', T, T + H)), true);
    });

    it('due lists rows that are due or whose subscription ends soon, not leased ones', async (store) => {
      const first = await store.read((r) => r.calendars.byId('cal_1'));
      await store.transaction(async (r) => {
        for (const id of ['cal_3', 'cal_4'])
          await r.calendars.insert({ ...first!, id, name: id, primary: false });
        await r.sync.insert(aRecord({ calendarId: 'cal_1', dueAt: T + H }));
        await r.sync.insert(aRecord({ calendarId: 'cal_2', dueAt: T - 1 }));
        await r.sync.insert(
          aRecord({ calendarId: 'cal_3', dueAt: T + H, watchId: 'w3', watchExpiresAt: T + 10 }),
        );
        await r.sync.insert(aRecord({ calendarId: 'cal_4', dueAt: T - 1, leaseUntil: T + H }));
      });
      const due = await store.read((r) => r.sync.due(T, T + 60, 10));
      assert.deepEqual(due.map((d) => d.calendarId).sort(), ['cal_2', 'cal_3']);
      await store.transaction((r) => r.sync.makeDue('cal_1', T));
      assert.deepEqual((await store.read((r) => r.sync.due(T, T, 10))).map((d) => d.calendarId).sort(), [
        'cal_1',
        'cal_2',
      ]);
      // makeDue never moves a sooner due time later.
      await store.transaction((r) => r.sync.makeDue('cal_2', T + 5 * H));
      assert.equal((await store.read((r) => r.sync.byCalendar('cal_2')))?.dueAt, T - 1);
    });

    it('a full sync replaces the copy, an incremental one applies its changes; busyIn reads a window', async (store) => {
      await store.transaction((r) => r.sync.insert(aRecord()));
      const write = (over: object) =>
        store.transaction((r) =>
          r.sync.applySync({
            calendarId: 'cal_1',
            full: true,
            upserts: [],
            removed: [],
            cursor: 'c1',
            covered: { start: T - 24 * H, end: T + 200 * 24 * H },
            syncedAt: T,
            nextDueAt: T + H,
            ...over,
          }),
        );
      await write({
        upserts: [
          { key: 'a', busy: { start: T + H, end: T + 2 * H } },
          { key: 'b', busy: { start: T + 3 * H, end: T + 4 * H } },
        ],
      });
      const record = await store.read((r) => r.sync.byCalendar('cal_1'));
      assert.equal(record?.cursor, 'c1');
      assert.equal(record?.syncedAt, T);
      assert.equal(record?.leaseUntil, 0);
      await write({
        full: false,
        cursor: 'c2',
        upserts: [{ key: 'a', busy: { start: T + 5 * H, end: T + 6 * H } }],
        removed: ['b'],
      });
      assert.deepEqual(
        busyOf(await store.read((r) => r.sync.busyIn(['cal_1'], { start: T, end: T + 10 * H }))),
        ['cal_1 5-6'],
      );
      await write({ upserts: [{ key: 'c', busy: { start: T + 2 * H, end: T + 3 * H } }] });
      assert.deepEqual(
        busyOf(await store.read((r) => r.sync.busyIn(['cal_1'], { start: T, end: T + 10 * H }))),
        ['cal_1 2-3'],
      );
      // The window is half-open: touching intervals are outside.
      assert.deepEqual(
        await store.read((r) => r.sync.busyIn(['cal_1'], { start: T + 3 * H, end: T + 4 * H })),
        [],
      );
      const many = Array.from({ length: 450 }, (_, i) => ({
        key: `k${i}`,
        busy: { start: T + i * H, end: T + i * H + 1000 },
      }));
      await write({ upserts: many });
      assert.equal(
        (await store.read((r) => r.sync.busyIn(['cal_1'], { start: T, end: T + 1000 * H }))).length,
        450,
      );
      await store.transaction((r) => r.sync.resetCopy('cal_1'));
      assert.equal((await store.read((r) => r.sync.byCalendar('cal_1')))?.cursor, null);
      assert.deepEqual(
        await store.read((r) => r.sync.busyIn(['cal_1'], { start: T, end: T + 1000 * H })),
        [],
      );
    });

    it('recordFailure keeps the copy; watches are found by id; remote event ids; forgetProfile', async (store) => {
      await store.transaction(async (r) => {
        await r.sync.insert(aRecord());
        await r.sync.applySync({
          calendarId: 'cal_1',
          full: true,
          upserts: [{ key: 'a', busy: { start: T, end: T + H } }],
          removed: [],
          cursor: 'c1',
          covered: { start: T, end: T + 10 * H },
          syncedAt: T,
          nextDueAt: T + H,
        });
        await r.sync.recordFailure('cal_1', 'Google Calendar could not be reached', T + 2 * H);
        await r.sync.setWatch('cal_1', {
          id: 'w1',
          resourceId: 'res',
          secretHash: 'h',
          expiresAt: T + 5 * H,
        });
        await r.sync.setRemoteEventId('cal_1', 'evt_1', 'g1');
        await r.sync.setRemoteEventId('cal_1', 'evt_1', 'g2');
      });
      const failed = await store.read((r) => r.sync.byCalendar('cal_1'));
      assert.equal(failed?.failure, 'Google Calendar could not be reached');
      assert.equal(failed?.dueAt, T + 2 * H);
      assert.equal((await store.read((r) => r.sync.busyIn(['cal_1'], { start: T, end: T + H }))).length, 1);
      assert.equal((await store.read((r) => r.sync.byWatch('w1')))?.watchResourceId, 'res');
      assert.equal(await store.read((r) => r.sync.remoteEventId('cal_1', 'evt_1')), 'g2');
      await store.transaction((r) => r.sync.setRemoteEventId('cal_1', 'evt_1', null));
      assert.equal(await store.read((r) => r.sync.remoteEventId('cal_1', 'evt_1')), undefined);
      await store.transaction((r) => r.sync.setRemoteEventId('cal_1', 'evt_2', 'g3'));
      await store.transaction((r) => r.sync.forgetProfile('pro_g'));
      assert.equal(await store.read((r) => r.sync.byCalendar('cal_1')), undefined);
      assert.equal(await store.read((r) => r.sync.remoteEventId('cal_1', 'evt_2')), undefined);
      assert.deepEqual(await store.read((r) => r.sync.busyIn(['cal_1'], { start: T, end: T + H })), []);
    });
  });
}
