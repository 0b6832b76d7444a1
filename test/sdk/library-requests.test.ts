/**
 * Issue 10: the exact requests Cronofy's Python (pycronofy), Ruby (cronofy gem) and PHP
 * (cronofy-php) clients send, written from their public sources; each test names the library
 * call it stands for. Python's `requests` sends `json=` bodies with `Content-Type: application/json`
 * (also `{}` on GET and DELETE) and query booleans as `True`/`False`; PHP sends
 * `Content-Type: application/json; charset=utf-8` and a `Host: api.cronofy.com` header.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestAccount, type TestServer } from '../support/server.ts';

const PY = { 'content-type': 'application/json', 'user-agent': 'pycronofy 2.0.0' };
const PHP = { 'content-type': 'application/json; charset=utf-8', host: 'api.cronofy.com' };
/** Python's json.dumps separators. */
const pyJson = (value: unknown) => JSON.stringify(value).replaceAll(',', ', ').replaceAll('":', '": ');

describe('requests exactly as the client libraries send them', () => {
  let server: TestServer;
  let alice: TestAccount;
  let bob: TestAccount;

  before(async () => {
    server = await startTestServer();
    alice = await server.createAccount('alice');
    bob = await server.createAccount('bob');
  });
  after(() => server.close());

  const upsert = async (account: TestAccount, id: string, start: string, end: string) => {
    const res = await server.call('POST', `/v1/calendars/${account.calendarId}/events`, {
      token: account.accessToken,
      headers: PY,
      rawBody: pyJson({ event_id: id, summary: id, start, end }),
    });
    assert.equal(res.status, 202, res.text);
  };

  it('pycronofy read_events(): booleans as True/False, `{}` body on the GET', async () => {
    await upsert(alice, 'py-1', '2026-03-03T10:00:00Z', '2026-03-03T11:00:00Z');
    const query =
      'tzid=Etc%2FUTC&from=2026-03-01&to=2026-03-10&only_managed=False&include_managed=True' +
      '&include_deleted=False&include_moved=False&include_geo=False&localized_times=False';
    const res = await server.call('GET', `/v1/events?${query}`, {
      token: alice.accessToken,
      headers: PY,
      rawBody: '{}',
    });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(
      res.json.events.map((e: { event_id: string }) => e.event_id),
      ['py-1'],
    );
    const mixed = await server.call(
      'GET',
      '/v1/events?tzid=Etc%2FUTC&include_deleted=TRUE&localized_times=fAlSe',
      {
        token: alice.accessToken,
      },
    );
    assert.equal(mixed.status, 200, mixed.text);
    const bad = await server.call('GET', '/v1/events?tzid=Etc%2FUTC&include_deleted=yes', {
      token: alice.accessToken,
    });
    assert.equal(bad.status, 422);
    assert.equal(bad.json.errors.include_deleted[0].key, 'errors.invalid_type');
  });

  it('pycronofy read_free_busy(calendar_ids=…): `calendar_ids[]` and plain repeated names', async () => {
    const forms = [
      `calendar_ids%5B%5D=${alice.calendarId}`,
      `calendar_ids=${alice.calendarId}&calendar_ids=${alice.calendarId}`,
    ];
    for (const ids of forms) {
      const res = await server.call(
        'GET',
        `/v1/free_busy?tzid=Etc%2FUTC&${ids}&from=2026-03-01&to=2026-03-10&include_managed=True&localized_times=False`,
        { token: alice.accessToken, headers: PY, rawBody: '{}' },
      );
      assert.equal(res.status, 200, res.text);
      assert.equal(res.json.free_busy.length, 1, res.text);
    }
  });

  it('pycronofy delete_all_events(): delete_all=True in the query string, `{}` body', async () => {
    const account = await server.createAccount('py-delete-all');
    await upsert(account, 'gone', '2026-03-03T10:00:00Z', '2026-03-03T11:00:00Z');
    const res = await server.call('DELETE', '/v1/events?delete_all=True', {
      token: account.accessToken,
      headers: PY,
      rawBody: '{}',
    });
    assert.equal(res.status, 202, res.text);
    const left = await server.call('GET', '/v1/events?tzid=Etc%2FUTC', { token: account.accessToken });
    assert.deepEqual(left.json.events, []);
  });

  it('pycronofy delete_all_events(calendar_ids=[…]): calendar_ids[] in the query string', async () => {
    const account = await server.createAccount('py-delete-some');
    await upsert(account, 'gone', '2026-03-03T10:00:00Z', '2026-03-03T11:00:00Z');
    const res = await server.call('DELETE', `/v1/events?calendar_ids%5B%5D=${account.calendarId}`, {
      token: account.accessToken,
      headers: PY,
      rawBody: '{}',
    });
    assert.equal(res.status, 202, res.text);
    const left = await server.call('GET', '/v1/events?tzid=Etc%2FUTC', { token: account.accessToken });
    assert.deepEqual(left.json.events, []);
    const neither = await server.call('DELETE', '/v1/events', {
      token: account.accessToken,
      headers: PY,
      rawBody: '{}',
    });
    assert.equal(neither.status, 422);
  });

  it('pycronofy availability(query_slots=…) with the account token naming another sub', async () => {
    await upsert(bob, 'busy', '2026-03-04T10:00:00Z', '2026-03-04T11:00:00Z');
    const body = {
      participants: [{ members: [{ sub: alice.sub }, { sub: bob.sub }], required: 'all' }],
      required_duration: { minutes: 60 },
      buffer: {},
      query_slots: [
        { start: '2026-03-04T09:00:00Z' },
        { start: '2026-03-04T10:30:00Z' },
        { start: '2026-03-04T09:30:00Z' },
        { start: '2026-03-04T11:00:00Z' },
      ],
      response_format: 'slots',
    };
    const res = await server.call('POST', '/v1/availability', {
      token: alice.accessToken,
      headers: PY,
      rawBody: pyJson(body),
    });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(
      res.json.available_slots.map((s: { start: string; end: string }) => [s.start, s.end]),
      [
        ['2026-03-04T09:00:00Z', '2026-03-04T10:00:00Z'],
        ['2026-03-04T11:00:00Z', '2026-03-04T12:00:00Z'],
      ],
    );
    const periods = await server.call('POST', '/v1/availability', {
      token: server.clientSecret,
      body: { ...body, response_format: 'periods', query_slots: [{ start: '2026-03-04T09:00:00Z' }] },
    });
    assert.equal(periods.status, 200, periods.text);
    assert.deepEqual(periods.json.available_periods[0].participants, [{ sub: alice.sub }, { sub: bob.sub }]);
    const both = await server.call('POST', '/v1/availability', {
      token: server.clientSecret,
      body: { ...body, query_periods: [{ start: '2026-03-04T09:00:00Z', end: '2026-03-04T12:00:00Z' }] },
    });
    assert.equal(both.status, 422);
    assert.ok(both.json.errors.query_slots, both.text);
    const foreign = await server.createApplication('other');
    const theirs = await server.createForeignAccount(foreign.applicationId, 'theirs');
    const other = await server.call('POST', '/v1/availability', {
      token: alice.accessToken,
      body: { ...body, participants: [{ members: [{ sub: theirs.sub }] }] },
    });
    assert.equal(other.status, 422);
    assert.equal(other.json.errors['participants[0].members[0].sub'][0].key, 'errors.unknown_sub');
  });

  it('cronofy-php bulkDeleteAvailablePeriods(): DELETE {"delete_all":true}', async () => {
    const account = await server.createAccount('php-periods');
    for (const id of ['p1', 'p2']) {
      const res = await server.call('POST', '/v1/available_periods', {
        token: account.accessToken,
        headers: PHP,
        rawBody: JSON.stringify({
          available_period_id: id,
          start: '2026-03-05T09:00:00Z',
          end: '2026-03-05T17:00:00Z',
        }),
      });
      assert.equal(res.status, 202, res.text);
    }
    const res = await server.call('DELETE', '/v1/available_periods', {
      token: account.accessToken,
      headers: PHP,
      rawBody: JSON.stringify({ delete_all: true }),
    });
    assert.equal(res.status, 202, res.text);
    const left = await server.call('GET', '/v1/available_periods', { token: account.accessToken });
    assert.deepEqual(left.json.available_periods, []);
  });

  it('pycronofy batch() / cronofy-php executeBatch(): 207 with one answer per entry, in order', async () => {
    const account = await server.createAccount('batcher');
    const path = `/v1/calendars/${account.calendarId}/events`;
    const body = {
      batch: [
        {
          method: 'POST',
          relative_url: path,
          data: { event_id: 'b1', summary: 'B1', start: '2026-03-05T09:00:00Z', end: '2026-03-05T10:00:00Z' },
        },
        { method: 'POST', relative_url: path, data: { event_id: 'b2', start: '2026-03-05T09:00:00Z' } },
        { method: 'DELETE', relative_url: path, data: { event_id: 'b1' } },
        {
          method: 'POST',
          relative_url: '/v1/calendars/cal_nope/events',
          data: { event_id: 'x', summary: 'X', start: '2026-03-05T09:00:00Z', end: '2026-03-05T10:00:00Z' },
        },
      ],
    };
    const res = await server.call('POST', '/v1/batch', {
      token: account.accessToken,
      headers: PY,
      rawBody: pyJson(body),
    });
    assert.equal(res.status, 207, res.text);
    const statuses = res.json.batch.map((entry: { status: number }) => entry.status);
    assert.deepEqual(statuses, [202, 422, 202, 404]);
    assert.ok(res.json.batch[1].data.errors.summary, res.text);
    assert.ok(res.json.batch[1].data.errors.end, res.text);
    const bad = await server.call('POST', '/v1/batch', {
      token: account.accessToken,
      body: { batch: [{ method: 'GET', relative_url: '/v1/events' }] },
    });
    assert.equal(bad.status, 422);
    assert.ok(bad.json.errors['batch[0].method'] && bad.json.errors['batch[0].relative_url'], bad.text);
  });

  it('push notification channels as pycronofy, the cronofy gem and cronofy-php call them', async () => {
    const account = await server.createAccount('channel-libraries');
    const url = 'https://app.example/push';
    const channels = () =>
      server.call('GET', '/v1/channels', { token: account.accessToken, headers: PY, rawBody: '{}' });
    // pycronofy create_notification_channel(url, calendar_ids=(…), only_managed=True): `['channel']`.
    const py = await server.call('POST', '/v1/channels', {
      token: account.accessToken,
      headers: PY,
      rawBody: pyJson({
        callback_url: url,
        filters: { calendar_ids: [account.calendarId], only_managed: true },
      }),
    });
    assert.equal(py.status, 200, py.text);
    assert.deepEqual(py.json.channel.filters, { calendar_ids: [account.calendarId], only_managed: true });
    // cronofy gem create_channel(url, filters: {…, future_parameter}): unknown filter keys are ignored.
    const ruby = await server.call('POST', '/v1/channels', {
      token: account.accessToken,
      headers: { 'content-type': 'application/json; charset=utf-8' },
      rawBody: JSON.stringify({ filters: { only_managed: false, future_parameter: 'x' }, callback_url: url }),
    });
    assert.equal(ruby.status, 200, ruby.text);
    assert.deepEqual(ruby.json.channel.filters, { only_managed: false });
    // cronofy-php createChannel(['callback_url' => …]) and listChannels(): GET without a body.
    const php = await server.call('POST', '/v1/channels', {
      token: account.accessToken,
      headers: PHP,
      rawBody: JSON.stringify({ callback_url: url }),
    });
    assert.equal(php.status, 200, php.text);
    assert.deepEqual(php.json.channel.filters, {});
    const listed = await server.call('GET', '/v1/channels', {
      token: account.accessToken,
      headers: { host: 'api.cronofy.com' },
    });
    assert.deepEqual(
      listed.json.channels.map((c: { channel_id: string }) => c.channel_id).sort(),
      [py.json.channel.channel_id, ruby.json.channel.channel_id, php.json.channel.channel_id].sort(),
    );
    // Closing: pycronofy sends `{}`, cronofy-php sends `[]` (json_encode of an empty array), the
    // gem sends no body at all.
    const close = (id: string, headers: Record<string, string>, rawBody?: string) =>
      server.call('DELETE', `/v1/channels/${id}`, {
        token: account.accessToken,
        headers,
        ...(rawBody === undefined ? {} : { rawBody }),
      });
    assert.equal((await close(py.json.channel.channel_id, PY, '{}')).status, 202);
    assert.equal((await close(php.json.channel.channel_id, PHP, '[]')).status, 202);
    assert.equal((await close(ruby.json.channel.channel_id, {})).status, 202);
    assert.deepEqual((await channels()).json, { channels: [] });
  });

  it('a JSON body sent as a form or as text is a 415 naming application/json', async () => {
    for (const type of ['application/x-www-form-urlencoded', 'text/plain']) {
      const res = await server.call('POST', '/v1/availability', {
        token: server.clientSecret,
        headers: { 'content-type': type },
        rawBody: JSON.stringify({ participants: [] }),
      });
      assert.equal(res.status, 415, res.text);
      assert.match(res.json.errors.content_type[0].description, /application\/json/);
    }
  });

  it('JSON nested deeper than 32 levels is a 422, never a 5xx', async () => {
    const deep = `${'['.repeat(40)}${']'.repeat(40)}`;
    const res = await server.call('POST', '/v1/availability', {
      token: server.clientSecret,
      rawBody: `{"participants": ${deep}}`,
    });
    assert.equal(res.status, 422, res.text);
    assert.equal(res.json.errors.body[0].key, 'errors.too_deep');
  });
});
