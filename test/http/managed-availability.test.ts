import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestAccount, type TestServer } from '../support/server.ts';

const rule = (overrides: Record<string, unknown> = {}) => ({
  availability_rule_id: 'default',
  tzid: 'America/Chicago',
  weekly_periods: [
    { day: 'monday', start_time: '09:30', end_time: '12:30' },
    { day: 'monday', start_time: '14:00', end_time: '17:00' },
    { day: 'wednesday', start_time: '09:30', end_time: '24:00' },
  ],
  ...overrides,
});

describe('availability rules and available periods', () => {
  let server: TestServer;
  let alice: TestAccount;
  let bob: TestAccount;

  before(async () => {
    server = await startTestServer();
    alice = await server.createAccount('alice');
    bob = await server.createAccount('bob');
  });
  after(() => server.close());

  it('upserts a rule (200) and reads, lists and deletes it', async () => {
    const created = await server.call('POST', '/v1/availability_rules', {
      token: alice.accessToken,
      body: rule({ calendar_ids: [alice.calendarId] }),
    });
    assert.equal(created.status, 200);
    const expected = { ...rule({ calendar_ids: [alice.calendarId] }) };
    assert.deepEqual(created.json, { availability_rule: expected });

    const one = await server.call('GET', '/v1/availability_rules/default', { token: alice.accessToken });
    assert.equal(one.status, 200);
    assert.deepEqual(one.json, { availability_rule: expected });

    const replaced = await server.call('POST', '/v1/availability_rules', {
      token: alice.accessToken,
      body: rule({ calendar_ids: null, tzid: 'Europe/London' }),
    });
    assert.equal(replaced.status, 200);
    assert.equal('calendar_ids' in replaced.json.availability_rule, false);
    await server.call('POST', '/v1/availability_rules', {
      token: alice.accessToken,
      body: rule({ availability_rule_id: 'evenings' }),
    });

    const list = await server.call('GET', '/v1/availability_rules', { token: alice.accessToken });
    assert.equal(list.status, 200);
    assert.deepEqual(
      list.json.availability_rules.map((r: { availability_rule_id: string; tzid: string }) => [
        r.availability_rule_id,
        r.tzid,
      ]),
      [
        ['default', 'Europe/London'],
        ['evenings', 'America/Chicago'],
      ],
    );

    const del = await server.call('DELETE', '/v1/availability_rules/evenings', { token: alice.accessToken });
    assert.equal(del.status, 202);
    assert.equal(del.text, '');
    const again = await server.call('DELETE', '/v1/availability_rules/evenings', {
      token: alice.accessToken,
    });
    assert.equal(again.status, 202);
    const gone = await server.call('GET', '/v1/availability_rules/evenings', { token: alice.accessToken });
    assert.equal(gone.status, 404);
    assert.equal(gone.json.errors.availability_rule_id[0].key, 'errors.not_found');
  });

  it('keeps rules per account', async () => {
    const bobs = await server.call('GET', '/v1/availability_rules', { token: bob.accessToken });
    assert.deepEqual(bobs.json, { availability_rules: [] });
    const read = await server.call('GET', '/v1/availability_rules/default', { token: bob.accessToken });
    assert.equal(read.status, 404);
    await server.call('DELETE', '/v1/availability_rules/default', { token: bob.accessToken });
    const still = await server.call('GET', '/v1/availability_rules/default', { token: alice.accessToken });
    assert.equal(still.status, 200);
  });

  it('validates a rule, every problem at once', async () => {
    const res = await server.call('POST', '/v1/availability_rules', {
      token: alice.accessToken,
      body: {
        availability_rule_id: 'déjà vu',
        tzid: 'Nowhere/Land',
        calendar_ids: [],
        weekly_periods: [
          { day: 'funday', start_time: '9:30', end_time: '12:30' },
          { day: 'monday', start_time: '13:00', end_time: '12:00' },
          { day: 'monday', start_time: '24:00', end_time: '25:00' },
          'monday',
        ],
      },
    });
    assert.equal(res.status, 422);
    const keys = Object.fromEntries(
      Object.entries(res.json.errors).map(([path, list]) => [
        path,
        (list as { key: string }[]).map((p) => p.key),
      ]),
    );
    assert.deepEqual(keys, {
      availability_rule_id: ['errors.invalid_format'],
      tzid: ['errors.invalid_tzid'],
      calendar_ids: ['errors.too_short'],
      'weekly_periods[0].day': ['errors.invalid_value'],
      'weekly_periods[0].start_time': ['errors.invalid_format'],
      'weekly_periods[1].end_time': ['errors.invalid_period'],
      'weekly_periods[2].start_time': ['errors.invalid_format'],
      'weekly_periods[2].end_time': ['errors.invalid_format'],
      'weekly_periods[3]': ['errors.invalid_type'],
    });
    const missing = await server.call('POST', '/v1/availability_rules', {
      token: alice.accessToken,
      body: {},
    });
    assert.deepEqual(Object.keys(missing.json.errors).sort(), [
      'availability_rule_id',
      'tzid',
      'weekly_periods',
    ]);
    const longId = await server.call('POST', '/v1/availability_rules', {
      token: alice.accessToken,
      body: rule({ availability_rule_id: 'r'.repeat(65) }),
    });
    assert.equal(longId.json.errors.availability_rule_id[0].key, 'errors.too_long');
  });

  it('refuses calendars of another account in a rule', async () => {
    const res = await server.call('POST', '/v1/availability_rules', {
      token: alice.accessToken,
      body: rule({ calendar_ids: [alice.calendarId, bob.calendarId] }),
    });
    assert.equal(res.status, 422);
    assert.deepEqual(Object.keys(res.json.errors), ['calendar_ids[1]']);
    assert.equal(res.json.errors['calendar_ids[1]'][0].key, 'errors.unknown_calendar');
  });

  it('upserts, reads (with from/to/tzid and localized_times) and deletes available periods', async () => {
    const put = (body: unknown) =>
      server.call('POST', '/v1/available_periods', { token: alice.accessToken, body });
    assert.equal(
      (await put({ available_period_id: 'a', start: '2026-07-01T09:00:00Z', end: '2026-07-01T12:00:00Z' }))
        .status,
      202,
    );
    const tz = await put({
      available_period_id: 'b',
      start: { time: '2026-07-02T09:00:00Z', tzid: 'America/New_York' },
      end: { time: '2026-07-02 12:00:00Z', tzid: 'America/New_York' },
    });
    assert.equal(tz.status, 202);
    assert.equal(tz.text, '');
    await put({ available_period_id: 'c', start: '2026-08-01T09:00:00Z', end: '2026-08-01T10:00:00Z' });

    const all = await server.call('GET', '/v1/available_periods', { token: alice.accessToken });
    assert.equal(all.status, 200);
    assert.deepEqual(all.json, {
      pages: { current: 1, total: 1 },
      available_periods: [
        { available_period_id: 'a', start: '2026-07-01T09:00:00Z', end: '2026-07-01T12:00:00Z' },
        { available_period_id: 'b', start: '2026-07-02T09:00:00Z', end: '2026-07-02T12:00:00Z' },
        { available_period_id: 'c', start: '2026-08-01T09:00:00Z', end: '2026-08-01T10:00:00Z' },
      ],
    });
    const july = await server.call(
      'GET',
      '/v1/available_periods?from=2026-07-01&to=2026-07-31&tzid=America/New_York&localized_times=true',
      { token: alice.accessToken },
    );
    assert.deepEqual(july.json.available_periods, [
      { available_period_id: 'a', start: '2026-07-01T05:00:00-04:00', end: '2026-07-01T08:00:00-04:00' },
      { available_period_id: 'b', start: '2026-07-02T05:00:00-04:00', end: '2026-07-02T08:00:00-04:00' },
    ]);
    const noZone = await server.call('GET', '/v1/available_periods?from=2026-07-01', {
      token: alice.accessToken,
    });
    assert.equal(noZone.status, 422);
    assert.equal(noZone.json.errors.tzid[0].key, 'errors.required');

    const del = await server.call('DELETE', '/v1/available_periods', {
      token: alice.accessToken,
      body: { available_period_id: 'a' },
    });
    assert.equal(del.status, 202);
    assert.equal(del.text, '');
    const unknown = await server.call('DELETE', '/v1/available_periods', {
      token: alice.accessToken,
      body: { available_period_id: 'never' },
    });
    assert.equal(unknown.status, 202);
    const after = await server.call('GET', '/v1/available_periods', { token: alice.accessToken });
    assert.deepEqual(
      after.json.available_periods.map((p: { available_period_id: string }) => p.available_period_id),
      ['b', 'c'],
    );
    const bobs = await server.call('GET', '/v1/available_periods', { token: bob.accessToken });
    assert.deepEqual(bobs.json.available_periods, []);
  });

  it('validates available periods, every problem at once', async () => {
    const res = await server.call('POST', '/v1/available_periods', {
      token: alice.accessToken,
      body: {
        available_period_id: '',
        start: '2026-07-01',
        end: { time: '2026-07-01T09:00:00.123Z', tzid: 'X/Y' },
      },
    });
    assert.equal(res.status, 422);
    assert.deepEqual(Object.keys(res.json.errors).sort(), [
      'available_period_id',
      'end.time',
      'end.tzid',
      'start',
    ]);
    const reversed = await server.call('POST', '/v1/available_periods', {
      token: alice.accessToken,
      body: { available_period_id: 'r', start: '2026-07-01T10:00:00Z', end: '2026-07-01T09:00:00Z' },
    });
    assert.equal(reversed.json.errors.end[0].key, 'errors.invalid_period');
    const del = await server.call('DELETE', '/v1/available_periods', { token: alice.accessToken, body: {} });
    assert.equal(del.json.errors.available_period_id[0].key, 'errors.required');
  });

  it('accepts a DELETE by id that carries a JSON content type but no body', async () => {
    const res = await server.call('DELETE', '/v1/availability_rules/whatever', {
      token: alice.accessToken,
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(res.status, 202);
  });

  it('makes rules and periods count for managed_availability queries', async () => {
    // 2026-03-02 is a Monday; the rule opens 09:30-12:30 and 14:00-17:00 Chicago time (CST, UTC-6).
    await server.call('POST', '/v1/availability_rules', {
      token: bob.accessToken,
      body: rule({ availability_rule_id: 'work' }),
    });
    const res = await server.call('POST', '/v1/availability', {
      token: bob.accessToken,
      body: {
        participants: [{ members: [{ sub: bob.sub, managed_availability: true }], required: 'all' }],
        required_duration: { minutes: 60 },
        query_periods: [{ start: '2026-03-02T15:00:00Z', end: '2026-03-02T21:00:00Z' }],
        response_format: 'periods',
      },
    });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(
      res.json.available_periods.map((p: { start: string; end: string }) => [p.start, p.end]),
      [
        ['2026-03-02T15:30:00Z', '2026-03-02T18:30:00Z'],
        ['2026-03-02T20:00:00Z', '2026-03-02T21:00:00Z'],
      ],
    );
  });

  it('answers with a rule changed over HTTP in the very next request (kept expansions are never stale)', async () => {
    const carol = await server.createAccount('carol');
    const periods = async (): Promise<string[][]> => {
      const res = await server.call('POST', '/v1/availability', {
        token: carol.accessToken,
        body: {
          participants: [{ members: [{ sub: carol.sub, managed_availability: true }], required: 'all' }],
          required_duration: { minutes: 60 },
          // 90 days from Monday 2026-03-02; the first Monday is the one compared.
          query_periods: [{ start: '2026-03-02T00:00:00Z', end: '2026-05-31T00:00:00Z' }],
          response_format: 'periods',
        },
      });
      assert.equal(res.status, 200, res.text);
      return res.json.available_periods
        .map((p: { start: string; end: string }) => [p.start, p.end])
        .filter(([start]: string[]) => start!.startsWith('2026-03-02'));
    };
    const put = async (body: Record<string, unknown>) => {
      const res = await server.call('POST', '/v1/availability_rules', { token: carol.accessToken, body });
      assert.equal(res.status, 200, res.text);
    };
    const expansions = server.ctx.ruleExpansions!;
    await put(rule({ availability_rule_id: 'hours' }));
    const morning = [
      ['2026-03-02T15:30:00Z', '2026-03-02T18:30:00Z'],
      ['2026-03-02T20:00:00Z', '2026-03-02T23:00:00Z'],
    ];
    assert.deepEqual(await periods(), morning);
    const expanded = expansions.expanded;
    assert.deepEqual(await periods(), morning);
    assert.equal(expansions.expanded, expanded, 'the second request reused the expansion');

    // The same rule id, new hours: the next request answers with them.
    await put(
      rule({
        availability_rule_id: 'hours',
        weekly_periods: [{ day: 'monday', start_time: '08:00', end_time: '10:00' }],
      }),
    );
    assert.deepEqual(await periods(), [['2026-03-02T14:00:00Z', '2026-03-02T16:00:00Z']]);
    // A new zone for the same hours.
    await put(
      rule({
        availability_rule_id: 'hours',
        tzid: 'Europe/London',
        weekly_periods: [{ day: 'monday', start_time: '08:00', end_time: '10:00' }],
      }),
    );
    assert.deepEqual(await periods(), [['2026-03-02T08:00:00Z', '2026-03-02T10:00:00Z']]);
    // Back to the first hours (their expansion is still kept), then deleted: unrestricted.
    await put(rule({ availability_rule_id: 'hours' }));
    assert.deepEqual(await periods(), morning);
    await server.call('DELETE', '/v1/availability_rules/hours', { token: carol.accessToken });
    // Unrestricted from now (the test clock: 08:00Z).
    assert.deepEqual(await periods(), [['2026-03-02T08:00:00Z', '2026-05-31T00:00:00Z']]);
  });
});
