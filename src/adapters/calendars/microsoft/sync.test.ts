import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import type { RemoteCalendar, RemoteEventChange } from '../../../ports/synced-provider.ts';
import { DAY, HOUR, rejectsWith, type Setup, setup } from './microsoft.test-support.ts';

const T0 = Date.UTC(2030, 0, 7); // a Monday
const WINDOW = { start: T0 - DAY, end: T0 + 30 * DAY };

function upserts(changes: readonly RemoteEventChange[]) {
  return new Map(
    changes.flatMap((c) =>
      c.kind === 'upsert' ? [[c.key, { busy: c.busy, rtseqUid: c.rtseqUid }] as const] : [],
    ),
  );
}

describe('Microsoft Graph: calendars and calendarView delta sync', () => {
  let s: Setup;
  let remote: RemoteCalendar;
  before(async () => {
    s = await setup();
  });
  after(() => s.close());
  afterEach(() => {
    for (const calendar of s.fake.calendarsOf(s.user.id))
      for (const event of s.fake.eventsOf(calendar.id)) s.fake.deleteEvent(event.id);
  });

  test('calendars: primary first, read-only from canEdit, the zone from mailboxSettings (Windows name → IANA), pages followed', async () => {
    s.user.mailboxTimeZone = 'W. Europe Standard Time';
    for (let i = 0; i < 105; i++)
      s.fake.addCalendar(s.user.id, { name: `Shared ${i}`, canEdit: i % 2 === 0 });
    s.fake.resetRequestCounts();
    const calendars = await s.provider.listCalendars(s.accessToken, s.options());
    assert.equal(calendars.length, 106);
    assert.equal(s.fake.requestCount('calendars'), 2);
    assert.deepEqual(calendars[0], {
      id: s.calendar.id,
      name: 'Calendar',
      primary: true,
      readOnly: false,
      tzid: 'Europe/Berlin',
    });
    assert.equal(calendars.find((c) => c.name === 'Shared 1')?.readOnly, true);
    assert.equal(calendars.find((c) => c.name === 'Shared 2')?.readOnly, false);
    remote = calendars[0]!;
  });

  test('calendars: without MailboxSettings.Read (403) the zone is null, not a failure', async () => {
    const other = s.fake.addUser({ mailboxSettingsReadable: false });
    const calendars = await s.provider.listCalendars(s.fake.grant(other.id).accessToken, s.options());
    assert.deepEqual(
      calendars.map((c) => c.tzid),
      [null],
    );
  });

  test('a full sync follows every page to the deltaLink; busy follows showAs, isCancelled, all-day and series', async () => {
    const busy = s.fake.addEvent(s.calendar.id, { start: T0 + 9 * HOUR, end: T0 + 10 * HOUR });
    const free = s.fake.addEvent(s.calendar.id, {
      start: T0 + 11 * HOUR,
      end: T0 + 12 * HOUR,
      showAs: 'free',
    });
    const away = s.fake.addEvent(s.calendar.id, {
      start: T0 + 11 * HOUR,
      end: T0 + 12 * HOUR,
      showAs: 'workingElsewhere',
    });
    const tentative = s.fake.addEvent(s.calendar.id, {
      start: T0 + 13 * HOUR,
      end: T0 + 14 * HOUR,
      showAs: 'tentative',
    });
    const cancelled = s.fake.addEvent(s.calendar.id, {
      start: T0 + 15 * HOUR,
      end: T0 + 16 * HOUR,
      isCancelled: true,
    });
    // All-day in the mailbox's zone (Europe/Berlin): 2030-01-08 00:00 CET = 2030-01-07T23:00Z.
    const allDay = s.fake.addEvent(s.calendar.id, { start: '2030-01-08', end: '2030-01-10' });
    const series = s.fake.addSeries(s.calendar.id, { start: T0 + 8 * HOUR, end: T0 + 8.5 * HOUR, count: 4 });
    for (let i = 0; i < 240; i++)
      s.fake.addEvent(s.calendar.id, {
        start: T0 + 20 * DAY + i * HOUR,
        end: T0 + 20 * DAY + i * HOUR + 60_000,
      });
    s.fake.resetRequestCounts();

    const result = await s.provider.sync(s.accessToken, remote, null, WINDOW, s.options());
    assert.equal(s.fake.requestCount('calendarView/delta'), 3, '250 events at 100 a page');
    assert.match(result.cursor, /\$deltatoken=/);
    const byKey = upserts(result.changes);
    assert.equal(byKey.size, 5 + 1 + 4 + 240);
    assert.deepEqual(byKey.get(busy.id), {
      busy: { start: T0 + 9 * HOUR, end: T0 + 10 * HOUR },
      rtseqUid: null,
    });
    assert.equal(byKey.get(free.id)?.busy, null);
    assert.equal(byKey.get(away.id)?.busy, null);
    assert.deepEqual(byKey.get(tentative.id)?.busy, { start: T0 + 13 * HOUR, end: T0 + 14 * HOUR });
    assert.equal(byKey.get(cancelled.id)?.busy, null);
    assert.deepEqual(byKey.get(allDay.id)?.busy, { start: T0 + 23 * HOUR, end: T0 + 2 * DAY + 23 * HOUR });
    for (const [i, instance] of series.instances.entries())
      assert.deepEqual(byKey.get(instance.id)?.busy, {
        start: T0 + i * 7 * DAY + 8 * HOUR,
        end: T0 + i * 7 * DAY + 8.5 * HOUR,
      });
  });

  test('the next sync from the cursor brings only what changed: new, moved, cancelled, deleted (@removed)', async () => {
    const stays = s.fake.addEvent(s.calendar.id, { start: T0 + 9 * HOUR, end: T0 + 10 * HOUR });
    const moves = s.fake.addEvent(s.calendar.id, { start: T0 + 11 * HOUR, end: T0 + 12 * HOUR });
    const goes = s.fake.addEvent(s.calendar.id, { start: T0 + 13 * HOUR, end: T0 + 14 * HOUR });
    const freed = s.fake.addEvent(s.calendar.id, { start: T0 + 15 * HOUR, end: T0 + 16 * HOUR });
    const first = await s.provider.sync(s.accessToken, remote, null, WINDOW, s.options());
    assert.equal(first.changes.length, 4);

    const quiet = await s.provider.sync(s.accessToken, remote, first.cursor, WINDOW, s.options());
    assert.deepEqual(quiet.changes, []);

    s.fake.changeEvent(moves.id, { start: T0 + 2 * DAY, end: T0 + 2 * DAY + HOUR });
    s.fake.deleteEvent(goes.id);
    s.fake.cancelEvent(freed.id);
    const added = s.fake.addEvent(s.calendar.id, { start: T0 + 3 * DAY, end: T0 + 3 * DAY + HOUR });
    const second = await s.provider.sync(s.accessToken, remote, quiet.cursor, WINDOW, s.options());
    assert.deepEqual(
      [...second.changes].sort((a, b) => a.key.localeCompare(b.key)),
      [
        {
          kind: 'upsert',
          key: moves.id,
          busy: { start: T0 + 2 * DAY, end: T0 + 2 * DAY + HOUR },
          rtseqUid: null,
        },
        { kind: 'delete', key: goes.id },
        { kind: 'upsert', key: freed.id, busy: null, rtseqUid: null },
        {
          kind: 'upsert',
          key: added.id,
          busy: { start: T0 + 3 * DAY, end: T0 + 3 * DAY + HOUR },
          rtseqUid: null,
        },
      ].sort((a, b) => a.key.localeCompare(b.key)),
    );
    assert.ok(!second.changes.some((c) => c.key === stays.id));
  });

  test('an event moved out of the window reads as removed; one of a series deleted alone too', async () => {
    const leaving = s.fake.addEvent(s.calendar.id, { start: T0 + HOUR, end: T0 + 2 * HOUR });
    const series = s.fake.addSeries(s.calendar.id, { start: T0 + 8 * HOUR, end: T0 + 9 * HOUR, count: 3 });
    const first = await s.provider.sync(s.accessToken, remote, null, WINDOW, s.options());
    s.fake.changeEvent(leaving.id, { start: T0 + 90 * DAY, end: T0 + 90 * DAY + HOUR });
    s.fake.deleteEvent(series.instances[1]!.id);
    s.fake.changeEvent(series.instances[2]!.id, {
      start: T0 + 14 * DAY + 10 * HOUR,
      end: T0 + 14 * DAY + 11 * HOUR,
    });
    const next = await s.provider.sync(s.accessToken, remote, first.cursor, WINDOW, s.options());
    assert.deepEqual(
      new Set(next.changes.map((c) => `${c.kind}:${c.key}`)),
      new Set([
        `delete:${leaving.id}`,
        `delete:${series.instances[1]!.id}`,
        `upsert:${series.instances[2]!.id}`,
      ]),
    );
  });

  test('events rtseq wrote come back with their uid (transactionId); foreign transactionIds do not', async () => {
    const ours = await s.provider.insertEvent(
      s.accessToken,
      s.calendar.id,
      {
        uid: 'evt_42',
        summary: 'Interview',
        description: null,
        location: null,
        start: T0 + 9 * HOUR,
        end: T0 + 10 * HOUR,
        tzid: 'Europe/Berlin',
      },
      s.options(),
    );
    const foreign = s.fake.addEvent(s.calendar.id, {
      start: T0 + HOUR,
      end: T0 + 2 * HOUR,
      transactionId: 'outlook-123',
    });
    const result = upserts((await s.provider.sync(s.accessToken, remote, null, WINDOW, s.options())).changes);
    assert.equal(result.get(ours.remoteId)?.rtseqUid, 'evt_42');
    assert.equal(result.get(foreign.id)?.rtseqUid, null);
  });

  test('times in a zone other than UTC (Graph ignoring the Prefer header) are read in that zone', async () => {
    s.fake.setIgnorePreferTimeZone(true);
    try {
      const windows = s.fake.addEvent(s.calendar.id, {
        start: '2030-01-07T15:00:00Z',
        end: '2030-01-07T16:00:00Z',
        timeZone: 'America/New_York',
        originalStartTimeZone: 'Eastern Standard Time',
      });
      const iana = s.fake.addEvent(s.calendar.id, {
        start: '2030-07-01T08:00:00Z',
        end: '2030-07-01T09:30:00Z',
        timeZone: 'Asia/Kolkata',
      });
      const result = upserts(
        (
          await s.provider.sync(
            s.accessToken,
            remote,
            null,
            { start: T0 - DAY, end: T0 + 200 * DAY },
            s.options(),
          )
        ).changes,
      );
      assert.deepEqual(result.get(windows.id)?.busy, {
        start: Date.parse('2030-01-07T15:00:00Z'),
        end: Date.parse('2030-01-07T16:00:00Z'),
      });
      assert.deepEqual(result.get(iana.id)?.busy, {
        start: Date.parse('2030-07-01T08:00:00Z'),
        end: Date.parse('2030-07-01T09:30:00Z'),
      });
    } finally {
      s.fake.setIgnorePreferTimeZone(false);
    }
  });

  test('an invalidated delta token (410 SyncStateNotFound, or resyncRequired) is sync_reset; a full sync works again', async () => {
    s.fake.addEvent(s.calendar.id, { start: T0 + HOUR, end: T0 + 2 * HOUR });
    const first = await s.provider.sync(s.accessToken, remote, null, WINDOW, s.options());
    s.fake.invalidateDelta(s.calendar.id);
    await rejectsWith(
      s.provider.sync(s.accessToken, remote, first.cursor, WINDOW, s.options()),
      'sync_reset',
    );
    const again = await s.provider.sync(s.accessToken, remote, null, WINDOW, s.options());
    assert.equal(again.changes.length, 1);
    s.fake.invalidateDelta(s.calendar.id, { status: 400, code: 'resyncRequired' });
    await rejectsWith(
      s.provider.sync(s.accessToken, remote, again.cursor, WINDOW, s.options()),
      'sync_reset',
    );
  });

  test('a cursor that is not a link of this Graph is sync_reset, and the token is never sent there', async () => {
    await rejectsWith(
      s.provider.sync(
        s.accessToken,
        remote,
        'https://elsewhere.example/v1.0/delta?$deltatoken=x',
        WINDOW,
        s.options(),
      ),
      'sync_reset',
    );
  });

  test('a calendar that is gone is not_found; a page of garbage is bad_response', async () => {
    await rejectsWith(
      s.provider.sync(s.accessToken, { ...remote, id: 'AAMkGone' }, null, WINDOW, s.options()),
      'not_found',
    );
    s.fake.failNext(1, {
      status: 200,
      rawBody: '{"value": [{"subject": "no id"}]',
      endpoint: 'calendarView/delta',
    });
    await rejectsWith(s.provider.sync(s.accessToken, remote, null, WINDOW, s.options()), 'bad_response');
  });
});
