import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Interval } from '../../../domain/time/intervals.ts';
import {
  isProviderError,
  type RemoteCalendar,
  type RemoteEventChange,
  type SyncResult,
} from '../../../ports/synced-provider.ts';
import { DAY, type GoogleHarness, googleHarness, iso, START, signedIn } from './google.test-support.ts';
import { MAX_SYNC_PAGES } from './sync.ts';

const HOUR = 3_600_000;
const window: Interval = { start: START - DAY, end: START + 30 * DAY };

function byKey(result: SyncResult): Map<string, RemoteEventChange> {
  return new Map(result.changes.map((change) => [change.key, change]));
}

function timed(start: number, hours = 1) {
  return { start: { dateTime: iso(start) }, end: { dateTime: iso(start + hours * HOUR) } };
}

describe('Google adapter: sync', () => {
  let h: GoogleHarness;
  let token: string;
  let calendar: RemoteCalendar;
  const ada = 'ada@example.com';
  before(async () => {
    h = await googleHarness({ pageSize: 3 });
    ({ token, calendar } = signedIn(h, ada, 'Europe/Berlin'));
  });
  after(() => h.stop());

  test('a full sync reads the window page by page and ends with a sync token', async () => {
    const ids = [0, 1, 2, 3, 4, 5, 6].map((n) => h.google.addEvent(ada, timed(START + n * DAY + 9 * HOUR)));
    const outside = h.google.addEvent(ada, timed(START + 60 * DAY));
    const before = h.google.requests('events.list');
    const result = await h.provider.sync(token, calendar, null, window, h.within());
    assert.equal(h.google.requests('events.list') - before, 3);
    assert.deepEqual([...byKey(result).keys()].sort(), [...ids].sort());
    assert.ok(!byKey(result).has(outside));
    assert.deepEqual(byKey(result).get(ids[0]!), {
      kind: 'upsert',
      key: ids[0],
      busy: { start: START + 9 * HOUR, end: START + 10 * HOUR },
      rtseqUid: null,
    });
    assert.ok(result.cursor.length > 0);

    // Incremental: only what changed since, deletes included, from the token alone.
    h.google.changeEvent(ada, ids[1]!, timed(START + DAY + 11 * HOUR));
    h.google.deleteEvent(ada, ids[2]!);
    const added = h.google.addEvent(ada, {
      ...timed(START + 3 * HOUR),
      extendedProperties: { private: { rtseqUid: 'evt-1@rtseq' } },
    });
    const next = await h.provider.sync(token, calendar, result.cursor, window, h.within());
    assert.deepEqual(
      byKey(next),
      new Map<string, RemoteEventChange>([
        [
          ids[1]!,
          {
            kind: 'upsert',
            key: ids[1]!,
            busy: { start: START + DAY + 11 * HOUR, end: START + DAY + 12 * HOUR },
            rtseqUid: null,
          },
        ],
        [ids[2]!, { kind: 'delete', key: ids[2]! }],
        [
          added,
          {
            kind: 'upsert',
            key: added,
            busy: { start: START + 3 * HOUR, end: START + 4 * HOUR },
            rtseqUid: 'evt-1@rtseq',
          },
        ],
      ]),
    );
    const quiet = await h.provider.sync(token, calendar, next.cursor, window, h.within());
    assert.deepEqual(quiet.changes, []);

    h.google.invalidateSyncTokens(ada);
    await assert.rejects(
      h.provider.sync(token, calendar, quiet.cursor, window, h.within()),
      (error: unknown) => {
        assert.ok(isProviderError(error));
        assert.equal(error.code, 'sync_reset');
        return true;
      },
    );
    const again = await h.provider.sync(token, calendar, null, window, h.within());
    assert.ok(byKey(again).has(added));
  });

  test('busy rules: transparent, declined by the owner, cancelled; others still busy', async () => {
    const at = START + 10 * DAY;
    const transparent = h.google.addEvent(ada, { ...timed(at), transparency: 'transparent' });
    const declined = h.google.addEvent(ada, {
      ...timed(at + HOUR),
      attendees: [
        { email: 'org@example.com', responseStatus: 'accepted' },
        { email: ada, responseStatus: 'declined' },
      ],
    });
    const othersDecline = h.google.addEvent(ada, {
      ...timed(at + 2 * HOUR),
      attendees: [
        { email: 'org@example.com', responseStatus: 'declined' },
        { email: ada, responseStatus: 'accepted' },
      ],
    });
    const tentative = h.google.addEvent(ada, { ...timed(at + 3 * HOUR), status: 'tentative' });
    const cancelled = h.google.addEvent(ada, { ...timed(at + 4 * HOUR), status: 'cancelled' });
    const changes = byKey(await h.provider.sync(token, calendar, null, window, h.within()));
    assert.equal((changes.get(transparent) as { busy: unknown }).busy, null);
    assert.equal((changes.get(declined) as { busy: unknown }).busy, null);
    assert.deepEqual((changes.get(othersDecline) as { busy: unknown }).busy, {
      start: at + 2 * HOUR,
      end: at + 3 * HOUR,
    });
    assert.deepEqual((changes.get(tentative) as { busy: unknown }).busy, {
      start: at + 3 * HOUR,
      end: at + 4 * HOUR,
    });
    assert.deepEqual(changes.get(cancelled), { kind: 'delete', key: cancelled });
  });

  test('an all-day event covers its dates in the calendar zone', async () => {
    const id = h.google.addEvent(ada, { start: { date: '2026-03-20' }, end: { date: '2026-03-22' } });
    const changes = byKey(await h.provider.sync(token, calendar, null, window, h.within()));
    // Europe/Berlin is UTC+1 in March before the 29th.
    assert.deepEqual((changes.get(id) as { busy: unknown }).busy, {
      start: Date.UTC(2026, 2, 19, 23),
      end: Date.UTC(2026, 2, 21, 23),
    });
  });

  test('a recurring series comes as its instances; a cancelled instance is a delete', async () => {
    const first = START + 12 * DAY + 14 * HOUR;
    const series = h.google.addEvent(ada, { ...timed(first), recurrence: ['RRULE:FREQ=WEEKLY;COUNT=3'] });
    const full = await h.provider.sync(token, calendar, null, window, h.within());
    const instances = full.changes.filter((c) => c.key.startsWith(`${series}_`));
    assert.deepEqual(
      instances.map((c) => (c as { busy: Interval }).busy.start),
      [first, first + 7 * DAY, first + 14 * DAY],
    );
    assert.ok(!byKey(full).has(series), 'the master is not listed with singleEvents');

    const second = instances[1]!.key;
    h.google.deleteEvent(ada, second);
    const next = await h.provider.sync(token, calendar, full.cursor, window, h.within());
    assert.deepEqual(next.changes, [{ kind: 'delete', key: second }]);
  });

  test('a weekly series in wall-clock time keeps its hour across the DST change', async () => {
    const series = h.google.addEvent(ada, {
      start: { dateTime: '2026-03-23T09:00:00', timeZone: 'Europe/Berlin' },
      end: { dateTime: '2026-03-23T09:30:00', timeZone: 'Europe/Berlin' },
      recurrence: ['RRULE:FREQ=WEEKLY;COUNT=2'],
    });
    const changes = (await h.provider.sync(token, calendar, null, window, h.within())).changes;
    assert.deepEqual(
      changes.filter((c) => c.key.startsWith(`${series}_`)).map((c) => (c as { busy: Interval }).busy),
      [
        { start: Date.UTC(2026, 2, 23, 8), end: Date.UTC(2026, 2, 23, 8, 30) },
        { start: Date.UTC(2026, 2, 30, 7), end: Date.UTC(2026, 2, 30, 7, 30) },
      ],
    );
  });

  test('more pages than the bound is a bad answer, not an endless loop', async () => {
    const other = await googleHarness({ pageSize: 1 });
    try {
      const { token: t, calendar: c } = signedIn(other, 'bob@example.com');
      for (let n = 0; n <= MAX_SYNC_PAGES; n++) other.google.addEvent(c.id, timed(START + n * 60_000, 0.01));
      await assert.rejects(other.provider.sync(t, c, null, window, other.within()), { code: 'bad_response' });
      assert.equal(other.google.requests('events.list'), MAX_SYNC_PAGES);
    } finally {
      await other.stop();
    }
  });
});
