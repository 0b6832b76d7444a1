import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ProviderEventInput, RemoteCalendar } from '../../../ports/synced-provider.ts';
import { DAY, HOUR, rejectsWith, type Setup, setup } from './microsoft.test-support.ts';

const T0 = Date.UTC(2030, 0, 7);

function booking(uid: string, start: number, end: number): ProviderEventInput {
  return {
    uid,
    summary: 'Interview with Ada',
    description: 'Booked through rtseq',
    location: 'Room 4',
    start,
    end,
    tzid: 'Europe/Berlin',
  };
}

describe('Microsoft Graph: event writes and fresh reads', () => {
  let s: Setup;
  before(async () => {
    s = await setup();
  });
  after(() => s.close());

  test('insert writes the event in its zone, and a retried insert makes no second event', async () => {
    const input = booking('evt_1', T0 + 9 * HOUR, T0 + 10 * HOUR);
    const first = await s.provider.insertEvent(s.accessToken, s.calendar.id, input, s.options());
    const again = await s.provider.insertEvent(s.accessToken, s.calendar.id, input, s.options());
    assert.equal(again.remoteId, first.remoteId);
    const written = s.fake.eventsOf(s.calendar.id).filter((e) => e.transactionId === 'rtseq-evt_1');
    assert.equal(written.length, 1);
    const event = written[0]!;
    assert.equal(event.id, first.remoteId);
    assert.equal(event.subject, 'Interview with Ada');
    assert.equal(event.body, 'Booked through rtseq');
    assert.equal(event.location, 'Room 4');
    assert.equal(event.start, T0 + 9 * HOUR);
    assert.equal(event.end, T0 + 10 * HOUR);
    assert.equal(event.originalStartTimeZone, 'Europe/Berlin');
    assert.equal(event.showAs, 'busy');
  });

  test('concurrent retries of one insert still make one event', async () => {
    const input = booking('evt_race', T0 + 11 * HOUR, T0 + 12 * HOUR);
    const ids = await Promise.all(
      [1, 2, 3].map(() => s.provider.insertEvent(s.accessToken, s.calendar.id, input, s.options())),
    );
    assert.equal(new Set(ids.map((i) => i.remoteId)).size, 1);
    assert.equal(
      s.fake.eventsOf(s.calendar.id).filter((e) => e.transactionId === 'rtseq-evt_race').length,
      1,
    );
  });

  test('a repeated transactionId answered 409 is looked up: the retry still answers the first event', async () => {
    const input = booking('evt_409', T0 + 15 * HOUR, T0 + 16 * HOUR);
    const first = await s.provider.insertEvent(s.accessToken, s.calendar.id, input, s.options());
    s.fake.setDuplicateTransactionAnswer('conflict');
    try {
      const again = await s.provider.insertEvent(s.accessToken, s.calendar.id, input, s.options());
      assert.equal(again.remoteId, first.remoteId);
      assert.equal(
        s.fake.eventsOf(s.calendar.id).filter((e) => e.transactionId === 'rtseq-evt_409').length,
        1,
      );
      // A 409 whose twin cannot be found at the event's time stays an error.
      const moved = { ...input, uid: 'evt_elsewhere' };
      await s.provider.insertEvent(s.accessToken, s.calendar.id, moved, s.options());
      await rejectsWith(
        s.provider.insertEvent(
          s.accessToken,
          s.calendar.id,
          { ...moved, start: T0 + 5 * DAY, end: T0 + 5 * DAY + HOUR },
          s.options(),
        ),
        'bad_response',
      );
    } finally {
      s.fake.setDuplicateTransactionAnswer('existing');
    }
  });

  test('patch moves the event in place; a deleted one is not_found', async () => {
    const { remoteId } = await s.provider.insertEvent(
      s.accessToken,
      s.calendar.id,
      booking('evt_2', T0 + 13 * HOUR, T0 + 14 * HOUR),
      s.options(),
    );
    await s.provider.patchEvent(
      s.accessToken,
      s.calendar.id,
      remoteId,
      { ...booking('evt_2', T0 + DAY + 8 * HOUR, T0 + DAY + 9 * HOUR), summary: 'Moved', location: null },
      s.options(),
    );
    const event = s.fake.event(remoteId)!;
    assert.deepEqual(
      [event.start, event.end, event.subject, event.location],
      [T0 + DAY + 8 * HOUR, T0 + DAY + 9 * HOUR, 'Moved', ''],
    );
    assert.equal(s.fake.eventsOf(s.calendar.id).filter((e) => e.transactionId === 'rtseq-evt_2').length, 1);

    await s.provider.deleteEvent(s.accessToken, s.calendar.id, remoteId, s.options());
    assert.equal(s.fake.event(remoteId), undefined);
    await s.provider.deleteEvent(s.accessToken, s.calendar.id, remoteId, s.options());
    await rejectsWith(
      s.provider.patchEvent(
        s.accessToken,
        s.calendar.id,
        remoteId,
        booking('evt_2', T0, T0 + HOUR),
        s.options(),
      ),
      'not_found',
    );
  });

  test('a read-only calendar refuses the insert as forbidden', async () => {
    const shared = s.fake.addCalendar(s.user.id, { name: 'Team', canEdit: false });
    await rejectsWith(
      s.provider.insertEvent(s.accessToken, shared.id, booking('evt_3', T0, T0 + HOUR), s.options()),
      'forbidden',
    );
  });

  test('readBusy reads each calendar by calendarView: free time left out, pages followed, clipped and merged', async () => {
    const work = s.fake.addCalendar(s.user.id, { name: 'Work' });
    const home = s.fake.addCalendar(s.user.id, { name: 'Home' });
    s.fake.addEvent(work.id, { start: T0 + 9 * HOUR, end: T0 + 10 * HOUR });
    s.fake.addEvent(work.id, { start: T0 + 9.5 * HOUR, end: T0 + 11 * HOUR, showAs: 'oof' });
    s.fake.addEvent(work.id, { start: T0 + 12 * HOUR, end: T0 + 13 * HOUR, showAs: 'free' });
    s.fake.addEvent(work.id, { start: T0 + 14 * HOUR, end: T0 + 15 * HOUR, isCancelled: true });
    s.fake.addEvent(work.id, { start: T0 - 2 * HOUR, end: T0 + HOUR });
    for (let i = 0; i < 150; i++)
      s.fake.addEvent(home.id, { start: T0 + DAY + i * 60_000, end: T0 + DAY + (i + 1) * 60_000 });
    s.fake.addEvent(home.id, { start: '2030-01-09', end: '2030-01-10' });
    const calendars: RemoteCalendar[] = [
      { id: work.id, name: 'Work', primary: false, readOnly: false, tzid: 'Europe/Berlin' },
      { id: home.id, name: 'Home', primary: false, readOnly: false, tzid: 'Europe/Berlin' },
    ];
    s.fake.resetRequestCounts();
    const busy = await s.provider.readBusy(
      s.accessToken,
      calendars,
      { start: T0, end: T0 + 3 * DAY },
      s.options(),
    );
    assert.deepEqual(busy.get(work.id), [
      { start: T0, end: T0 + HOUR },
      { start: T0 + 9 * HOUR, end: T0 + 11 * HOUR },
    ]);
    assert.deepEqual(busy.get(home.id), [
      { start: T0 + DAY, end: T0 + DAY + 150 * 60_000 },
      { start: T0 + DAY + 23 * HOUR, end: T0 + 2 * DAY + 23 * HOUR },
    ]);
    assert.equal(s.fake.requestCount('calendarView'), 3, 'one page for Work, two for Home');
  });
});
