/**
 * `POST /v1/batch` answers and stores each entry exactly as its single call would (SPEC 7), now
 * that consecutive event upserts are written together (issue 28): the same entries sent as one
 * batch by one account and one by one by another give the same answers and leave the same events,
 * through repeated keys, attendee merges, refused entries between accepted ones, a delete and an
 * available period in the middle. Runs on SQLite and PostgreSQL.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestAccount, type TestServer } from '../support/server.ts';

type Entry = { method: string; relative_url: string; data?: Record<string, unknown> };

const at = (hour: number) =>
  `2026-03-0${5 + Math.floor(hour / 24)}T${String(hour % 24).padStart(2, '0')}:00:00Z`;
const event = (id: string, hour: number, extra: Record<string, unknown> = {}) => ({
  event_id: id,
  summary: `Event ${id}`,
  start: at(hour),
  end: at(hour + 1),
  ...extra,
});

/** The entries, for the account whose calendar is `own` (`foreign`: another account's). */
function entries(own: string, foreign: string): Entry[] {
  const events = (calendar: string) => `/v1/calendars/${calendar}/events`;
  const post = (data: Record<string, unknown>, calendar = own): Entry => ({
    method: 'POST',
    relative_url: events(calendar),
    data,
  });
  return [
    post(event('a', 9, { attendees: { invite: [{ email: 'x@example.com' }] } })),
    post(event('b', 10)),
    post({ event_id: 'bad', start: at(9) }), // no summary, no end: 422 from the reader
    post(event('a', 11, { attendees: { invite: [{ email: 'y@example.com' }] } })), // same key again
    post(event('c', 12), foreign), // another account's calendar: 404
    post(event('d', 13, { end: at(12) })), // end before start: 422 from the write
    post(event('e', 14), 'cal_unknown'),
    post(event('f', 15, { transparency: 'transparent', description: 'kept as sent' })),
    { method: 'DELETE', relative_url: events(own), data: { event_id: 'b' } },
    post(event('b', 16)), // comes back to life
    {
      method: 'POST',
      relative_url: '/v1/available_periods',
      data: { available_period_id: 'p1', start: at(8), end: at(18) },
    },
    post(event('a', 17, { attendees: { remove: [{ email: 'x@example.com' }] } })),
    post(event('g', 18, { start: '2026-03-07', end: '2026-03-08' })), // all-day
    post(event('h', 19), `${own}%20`),
  ];
}

describe('POST /v1/batch answers and writes as its single calls', () => {
  let server: TestServer;
  let batched: TestAccount;
  let single: TestAccount;

  before(async () => {
    server = await startTestServer();
    batched = await server.createAccount('batched', { tzid: 'Europe/Paris' });
    single = await server.createAccount('single', { tzid: 'Europe/Paris' });
  });
  after(() => server.close());

  const stored = async (account: TestAccount) => {
    const res = await server.call(
      'GET',
      '/v1/events?from=2026-03-01&to=2026-03-20&tzid=Etc/UTC&include_deleted=true&include_managed=true',
      { token: account.accessToken },
    );
    assert.equal(res.status, 200, res.text);
    return (res.json.events as Record<string, unknown>[])
      .map((e) => {
        const { calendar_id: _calendar, event_uid: _uid, ...rest } = e;
        return rest;
      })
      .sort((x, y) => String(x.event_id).localeCompare(String(y.event_id)));
  };

  it('gives the same answers and leaves the same events', async () => {
    const batch = await server.call('POST', '/v1/batch', {
      token: batched.accessToken,
      body: { batch: entries(batched.calendarId, single.calendarId) },
    });
    assert.equal(batch.status, 207, batch.text);
    const answers: unknown[] = [];
    for (const entry of entries(single.calendarId, batched.calendarId)) {
      const res = await server.call(entry.method, entry.relative_url, {
        token: single.accessToken,
        body: entry.data ?? {},
      });
      answers.push({
        status: res.status,
        ...(res.text === ''
          ? {}
          : { headers: { 'Content-Type': 'application/json; charset=utf-8' }, data: res.json }),
      });
    }
    const renamed = JSON.parse(
      JSON.stringify(batch.json.batch).replaceAll(batched.calendarId, single.calendarId),
    ) as unknown[];
    // The foreign-calendar entry names the other account's calendar in its message: swap it back.
    const expected = JSON.parse(
      JSON.stringify(answers).replaceAll(batched.calendarId, single.calendarId),
    ) as unknown[];
    assert.deepEqual(renamed, expected);
    assert.deepEqual(
      (batch.json.batch as { status: number }[]).map((a) => a.status),
      [202, 202, 422, 202, 404, 422, 404, 202, 202, 202, 202, 202, 202, 404],
    );
    const mine = await stored(batched);
    assert.deepEqual(mine, await stored(single));
    const a = mine.find((e) => e.event_id === 'a') as { attendees?: { email: string }[] };
    assert.deepEqual(
      a.attendees?.map((x) => x.email),
      ['y@example.com'],
      'attendees merged across the batch entries',
    );
  });

  it('concurrent batches over the same events, in different orders, are all accepted', async () => {
    const keys = Array.from({ length: 20 }, (_, i) => i);
    const body = (order: number[]) => ({
      batch: order.map((i) => ({
        method: 'POST',
        relative_url: `/v1/calendars/${single.calendarId}/events`,
        data: event(`race-${i}`, 30 + i),
      })),
    });
    const orders = [
      keys,
      [...keys].reverse(),
      keys.filter((i) => i % 2 === 0).concat(keys.filter((i) => i % 2)),
    ];
    const results = await Promise.all(
      [...orders, ...orders].map((order) =>
        server.call('POST', '/v1/batch', { token: single.accessToken, body: body(order) }),
      ),
    );
    for (const res of results)
      assert.deepEqual(
        (res.json.batch as { status: number }[]).map((a) => a.status),
        keys.map(() => 202),
        res.text,
      );
    const events = (await stored(single)).filter((e) => String(e.event_id).startsWith('race-'));
    assert.equal(events.length, keys.length);
  });

  it('an upsert into a Google calendar goes out through the outbox, as its single call does', async () => {
    const calendarId = 'cal_batch_google';
    await server.ctx.store.transaction((repos) =>
      repos.calendars.insert({
        id: calendarId,
        accountId: single.sub,
        name: 'Work (Google)',
        kind: 'google',
        readOnly: false,
        primary: false,
        deleted: false,
        tzid: 'Etc/UTC',
        color: null,
        sourceSealed: null,
        version: 0,
        createdAt: 0,
      }),
    );
    const relative_url = `/v1/calendars/${calendarId}/events`;
    const res = await server.call('POST', '/v1/batch', {
      token: single.accessToken,
      body: {
        batch: [
          { method: 'POST', relative_url: `/v1/calendars/${single.calendarId}/events`, data: event('n', 40) },
          { method: 'POST', relative_url, data: event('g1', 41) },
          { method: 'POST', relative_url, data: event('g2', 42) },
        ],
      },
    });
    assert.deepEqual(res.json.batch, [{ status: 202 }, { status: 202 }, { status: 202 }]);
    const queued = await server.ctx.store.read((repos) => repos.outbox.list({ limit: 1000 }));
    assert.equal(queued.filter((item) => item.target === calendarId).length, 2);
  });

  it('a second batch over the same keys keeps each event uid and creation time', async () => {
    const before = await server.call('GET', '/v1/events?from=2026-03-01&to=2026-03-20&tzid=Etc/UTC', {
      token: batched.accessToken,
    });
    const uidOf = (json: { events: { event_id: string; event_uid: string }[] }, id: string) =>
      json.events.find((e) => e.event_id === id)?.event_uid;
    const body = {
      batch: [
        { method: 'POST', relative_url: `/v1/calendars/${batched.calendarId}/events`, data: event('a', 20) },
        { method: 'POST', relative_url: `/v1/calendars/${batched.calendarId}/events`, data: event('f', 21) },
      ],
    };
    const res = await server.call('POST', '/v1/batch', { token: batched.accessToken, body });
    assert.deepEqual(res.json.batch, [{ status: 202 }, { status: 202 }]);
    const afterwards = await server.call('GET', '/v1/events?from=2026-03-01&to=2026-03-20&tzid=Etc/UTC', {
      token: batched.accessToken,
    });
    for (const id of ['a', 'f']) {
      assert.ok(uidOf(before.json, id) !== undefined);
      assert.equal(uidOf(afterwards.json, id), uidOf(before.json, id), id);
    }
  });
});
