/**
 * Hostile input at every endpoint of the OpenAPI document: malformed JSON, wrong types at every
 * position, huge and negative numbers, NaN-ish strings, deep nesting, unicode (emoji, RTL, NUL),
 * bodies over the limit, unknown ids, arrays for objects, `__proto__`/`constructor` keys, bad
 * query strings and path segments. Every answer must be a 2xx of the documented shape or a 4xx
 * with the standard error body, never a 5xx; the process must stay healthy; and no request made
 * with one account's token may change another account's data. Seeded: FUZZ_SEED reproduces a run.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import type { Store } from '../../src/ports/store.ts';
import { startTestServer, type TestAccount, type TestServer } from '../support/server.ts';

const SEED = Number(process.env.FUZZ_SEED ?? 20260302);
const RUNS = Number(process.env.FUZZ_RUNS ?? 3000);

type Operation = { method: string; path: string };
type FuzzRequest = {
  method: string;
  url: string;
  headers: Record<string, string>;
  payload?: string;
};

const FIELD_NAMES = [
  'event_id',
  'summary',
  'description',
  'start',
  'end',
  'time',
  'tzid',
  'location',
  'lat',
  'long',
  'url',
  'reminders',
  'minutes',
  'hours',
  'transparency',
  'status',
  'attendees',
  'invite',
  'email',
  'calendar_id',
  'calendar_ids',
  'delete_all',
  'profile_id',
  'name',
  'color',
  'availability_rule_id',
  'weekly_periods',
  'day',
  'start_time',
  'end_time',
  'available_period_id',
  'participants',
  'members',
  'sub',
  'required',
  'required_duration',
  'query_periods',
  'available_periods',
  'sequence',
  'sequence_id',
  'buffer',
  'max_results',
  'response_format',
  'client_id',
  'client_secret',
  'application_calendar_id',
  'grant_type',
  'refresh_token',
  'event',
  'oauth',
  'redirect_uri',
  'target_calendars',
  'callback_url',
  'display_message',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
];

const HOSTILE_STRINGS = [
  '',
  ' ',
  'null',
  'NaN',
  'Infinity',
  '-Infinity',
  '1e309',
  '0x10',
  'true',
  '[]',
  '{}',
  '😀🎉👩‍👩‍👧‍👦',
  '\u202eevil\u202c',
  'שלום',
  '\u0000',
  'a\u0000b',
  '\ud800',
  '../../etc/passwd',
  '<script>alert(1)</script>',
  "'; DROP TABLE events; --",
  '2026-02-30',
  '2026-03-29',
  '2026-03-03T09:00:00Z',
  '2026-03-03 09:00:00Z',
  '2026-03-03T09:00:00.123Z',
  '2026-03-03T09:00:00+14:00',
  '9999-12-31T23:59:59Z',
  '0000-01-01T00:00:00Z',
  '0099-01-01',
  '24:00',
  '09:30',
  '-01:00',
  'monday',
  'Europe/London',
  'Mars/Olympus',
  'opaque',
  'all',
  'cal_unknown',
  'acc_unknown',
  'x'.repeat(70),
  'é'.repeat(300),
  'y'.repeat(5000),
];

const HOSTILE_NUMBERS = [
  0,
  -0,
  1,
  -1,
  0.5,
  59,
  60,
  2 ** 31,
  -(2 ** 31) - 1,
  2 ** 53 + 2,
  1e308,
  -1e308,
  5e-324,
];

/** Any JSON value, biased towards what the readers must survive. */
const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  leaf: fc.oneof(
    fc.constantFrom(...HOSTILE_STRINGS),
    fc.constantFrom(...HOSTILE_NUMBERS),
    fc.constantFrom(null, true, false),
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
  ),
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    tie('leaf'),
    tie('object'),
    fc.array(tie('node'), { maxLength: 4 }),
  ),
  object: fc.dictionary(fc.oneof(fc.constantFrom(...FIELD_NAMES), fc.string({ maxLength: 8 })), tie('node'), {
    maxKeys: 8,
  }),
})).node;

/** A body shaped like a real request: known top-level fields with hostile values. */
const plausibleBody = fc.dictionary(fc.constantFrom(...FIELD_NAMES), value, { minKeys: 1, maxKeys: 10 });

function deepNesting(depth: number, open: string, close: string): string {
  return open.repeat(depth) + close.repeat(depth);
}

const rawBody = fc.oneof(
  fc.constantFrom(
    '',
    '{',
    '{"a":',
    '}',
    'null',
    '[]',
    '"string"',
    '1',
    'true',
    '\u0000',
    '{"event_id":"a",}',
    "{'single':'quotes'}",
    '{"__proto__":{"polluted":true}}',
    '{"constructor":{"prototype":{"polluted":true}}}',
    '{"a":1,"a":2}',
    '{"n":1e999999}',
    '{"n":-1e999999}',
    '{"s":"\\ud800"}',
    '\ufeff{"summary":"bom"}',
    deepNesting(5000, '[', ']'),
    `{"a":${deepNesting(5000, '{"a":', '}')}1}`,
  ),
  fc.string({ unit: 'binary', maxLength: 200 }),
);

describe('fuzzing every endpoint with hostile input', { timeout: 120_000 }, () => {
  let server: TestServer;
  let attacker: TestAccount;
  let victim: TestAccount;
  let outsider: TestAccount;
  let operations: Operation[];

  const snapshot = (store: Store, accountId: string) =>
    store.read(async (repos) => {
      const calendars = await repos.calendars.byAccount(accountId);
      const events = await repos.events.page(
        calendars.map((c) => c.id),
        null,
        { includeDeleted: true, offset: 0, limit: 10_000 },
      );
      return {
        calendars: calendars.map(({ version: _version, ...rest }) => rest),
        events: events.items,
        rules: await repos.rules.byAccount(accountId),
        periods: (await repos.periods.page(accountId, null, 0, 10_000)).items,
      };
    });

  before(async () => {
    server = await startTestServer({
      pageSize: 3,
      env: {
        RATE_LIMIT_PER_SECOND: '1000000',
        RATE_LIMIT_PER_MINUTE: '60000000',
        AUTH_FAILURES_PER_MINUTE: '1000000',
      },
    });
    attacker = await server.createAccount('attacker');
    victim = await server.createAccount('victim', { tzid: 'Europe/London' });
    const other = await server.createApplication('other application');
    outsider = await server.createForeignAccount(other.applicationId, 'outsider');
    for (const account of [attacker, victim, outsider]) {
      for (let i = 0; i < 4; i++) {
        const res = await server.call('POST', `/v1/calendars/${account.calendarId}/events`, {
          token: account.accessToken,
          body: {
            event_id: `seed-${i}`,
            summary: 'Seed',
            start: `2026-03-0${3 + i}T09:00:00Z`,
            end: `2026-03-0${3 + i}T10:00:00Z`,
          },
        });
        assert.equal(res.status, 202);
      }
      await server.call('POST', '/v1/availability_rules', {
        token: account.accessToken,
        body: {
          availability_rule_id: 'seed',
          tzid: 'Europe/London',
          weekly_periods: [{ day: 'monday', start_time: '09:00', end_time: '17:00' }],
        },
      });
      await server.call('POST', '/v1/available_periods', {
        token: account.accessToken,
        body: { available_period_id: 'seed', start: '2026-03-10T09:00:00Z', end: '2026-03-10T17:00:00Z' },
      });
    }
    const openapi = await server.call('GET', '/v1/openapi.json');
    operations = Object.entries(openapi.json.paths as Record<string, Record<string, unknown>>).flatMap(
      ([path, ops]) => Object.keys(ops).map((method) => ({ method: method.toUpperCase(), path })),
    );
    assert.ok(operations.length >= 20, 'the OpenAPI document lists the API');
  });
  after(() => server.close());

  it('answers every hostile request with a 4xx standard error body (or a valid 2xx), never a 5xx', async () => {
    const victimBefore = await snapshot(server.ctx.store, victim.sub);
    const outsiderBefore = await snapshot(server.ctx.store, outsider.sub);
    const attackerBefore = await snapshot(server.ctx.store, attacker.sub);

    const victimPageToken = (
      await server.call('GET', '/v1/events?tzid=Etc/UTC', { token: victim.accessToken })
    ).json.pages.next_page.split('/pages/')[1] as string;

    const pathSegment = fc.oneof(
      fc.constantFrom(
        attacker.calendarId,
        victim.calendarId,
        outsider.calendarId,
        'seed',
        'cal_unknown',
        '%00',
        '%ZZ',
        '..',
        '%2e%2e%2f',
        encode('😀'),
        encode('\u202e'),
        '%ED%A0%80',
        'x'.repeat(600),
        victimPageToken,
        Buffer.from(JSON.stringify({ k: 'events', a: attacker.sub, q: { tzid: 'Etc/UTC' }, p: 2 })).toString(
          'base64url',
        ),
        Buffer.from(JSON.stringify({ k: 'events', a: attacker.sub, q: { tzid: 'Nope' }, p: -1 })).toString(
          'base64url',
        ),
        Buffer.from(
          JSON.stringify({ k: 'events', a: attacker.sub, q: { __proto__: ['x'] }, p: 1e9 }),
        ).toString('base64url'),
      ),
      fc.string({ minLength: 1, maxLength: 30 }).map(encode),
    );

    const queryKey = fc.constantFrom(
      'tzid',
      'from',
      'to',
      'calendar_ids[]',
      'calendar_ids',
      'include_deleted',
      'include_managed',
      'only_managed',
      'last_modified',
      'localized_times',
      'token',
      '__proto__',
      '__proto__[]',
      'constructor',
      'hasOwnProperty',
      'toString[]',
    );
    const queryValue = fc.oneof(
      fc.constantFrom(...HOSTILE_STRINGS.slice(0, 40)),
      fc.string({ maxLength: 20 }),
    );
    const queryString = fc.oneof(
      fc
        .array(fc.tuple(queryKey, queryValue), { maxLength: 6 })
        .map((pairs) => pairs.map(([k, v]) => `${encode(k)}=${encode(v)}`).join('&')),
      fc.constantFrom(
        '%',
        '%ZZ=%ZZ',
        'tzid=%ED%A0%80',
        'from=%00',
        'tzid',
        '&&&',
        'tzid=Etc/UTC&tzid=Etc/UTC',
        `a=${'b'.repeat(3000)}`,
      ),
    );

    const body = fc.oneof(
      { weight: 4, arbitrary: plausibleBody.map((b) => ({ payload: JSON.stringify(b) })) },
      { weight: 2, arbitrary: value.map((b) => ({ payload: JSON.stringify(b) ?? 'null' })) },
      { weight: 2, arbitrary: rawBody.map((payload) => ({ payload })) },
      { weight: 1, arbitrary: fc.constant({ payload: undefined as string | undefined }) },
    );

    // Mostly real credentials, so that requests get past authentication into the readers.
    const credentials = fc.oneof(
      { weight: 8, arbitrary: fc.constant({ authorization: `Bearer ${attacker.accessToken}` }) },
      { weight: 2, arbitrary: fc.constant({ authorization: `Bearer ${server.clientSecret}` }) },
      {
        weight: 1,
        arbitrary: fc.constantFrom<Record<string, string>>(
          { authorization: 'Bearer undefined' },
          { authorization: `Bearer ${'z'.repeat(4000)}` },
          { authorization: 'Basic Zm9vOmJhcg==' },
          {},
        ),
      },
    );
    const contentType = fc.oneof(
      { weight: 8, arbitrary: fc.constantFrom('application/json', 'application/json; charset=utf-8') },
      {
        weight: 1,
        arbitrary: fc.constantFrom(
          'text/plain',
          'application/x-www-form-urlencoded',
          'multipart/form-data; boundary=x',
        ),
      },
    );

    const request: fc.Arbitrary<FuzzRequest> = fc
      .record({
        operation: fc.constantFrom(...operations),
        segment: pathSegment,
        query: queryString,
        body,
        credentials,
        contentType,
        spoofMethod: fc.boolean(),
      })
      .map(({ operation, segment, query, body: b, credentials: auth, contentType: type }) => {
        const path = operation.path.replace(/\{[^}]+\}|\*/g, segment);
        const headers: Record<string, string> = { ...auth };
        if (b.payload !== undefined) headers['content-type'] = type;
        return {
          method: operation.method,
          url: query === '' ? path : `${path}?${query}`,
          headers,
          ...(b.payload === undefined || operation.method === 'GET' ? {} : { payload: b.payload }),
        };
      });

    const outcomes = new Map<number, number>();
    const mutatingSuccesses: string[] = [];
    await fc.assert(
      fc.asyncProperty(request, async (req) => {
        const res = await server.app.inject({
          method: req.method as 'GET',
          url: req.url,
          headers: req.headers,
          ...(req.payload === undefined ? {} : { payload: req.payload }),
        });
        outcomes.set(res.statusCode, (outcomes.get(res.statusCode) ?? 0) + 1);
        const where = `${req.method} ${req.url.slice(0, 200)} → ${res.statusCode} ${res.body.slice(0, 300)}`;
        assert.ok(res.statusCode < 500, where);
        if (res.statusCode >= 400) {
          if (req.url.startsWith('/oauth/token') && res.statusCode === 400) return;
          checkErrorBody(res.body, where);
        } else {
          assert.ok([200, 202].includes(res.statusCode), where);
          if (res.statusCode === 202) assert.equal(res.body, '', where);
          else assert.equal(typeof JSON.parse(res.body), 'object', where);
          if (req.method !== 'GET') mutatingSuccesses.push(where);
        }
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );

    // Bodies over the limit are refused with 413 before anything is read.
    const huge = JSON.stringify({ summary: 'x'.repeat(1_048_600) });
    for (const path of [
      `/v1/calendars/${attacker.calendarId}/events`,
      '/v1/availability_rules',
      '/v1/calendars',
    ]) {
      const res = await server.app.inject({
        method: 'POST',
        url: path,
        headers: { authorization: `Bearer ${attacker.accessToken}`, 'content-type': 'application/json' },
        payload: huge,
      });
      assert.equal(res.statusCode, 413, path);
      checkErrorBody(res.body, path);
    }
    const justUnder = JSON.stringify({ event_id: 'big', summary: 's'.repeat(1_040_000) });
    const under = await server.app.inject({
      method: 'POST',
      url: `/v1/calendars/${attacker.calendarId}/events`,
      headers: { authorization: `Bearer ${attacker.accessToken}`, 'content-type': 'application/json' },
      payload: justUnder,
    });
    assert.equal(under.statusCode, 422);
    assert.equal(JSON.parse(under.body).errors.summary[0].key, 'errors.too_long');

    const health = await server.call('GET', '/healthz');
    assert.equal(health.status, 200);
    assert.deepEqual(await snapshot(server.ctx.store, victim.sub), victimBefore);
    assert.deepEqual(await snapshot(server.ctx.store, outsider.sub), outsiderBefore);
    if (mutatingSuccesses.length === 0) {
      assert.deepEqual(await snapshot(server.ctx.store, attacker.sub), attackerBefore);
    }
    if (process.env.FUZZ_VERBOSE) console.log(Object.fromEntries(outcomes), mutatingSuccesses);
    // Nearly everything hostile must be refused; a handful of requests may happen to be valid.
    assert.ok(mutatingSuccesses.length < RUNS / 20, mutatingSuccesses.slice(0, 5).join('\n'));
    const refused = [...outcomes].filter(([status]) => status >= 400).reduce((n, [, count]) => n + count, 0);
    assert.ok(refused > RUNS * 0.8, JSON.stringify(Object.fromEntries(outcomes)));
  });
});

/** Percent-encodes any string, lone surrogates included (they become U+FFFD). */
function encode(text: string): string {
  return encodeURIComponent(text.toWellFormed());
}

function checkErrorBody(text: string, where: string): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    assert.fail(`not JSON: ${where}`);
  }
  assert.ok(typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed), where);
  const { errors, ...rest } = parsed as { errors: unknown };
  assert.deepEqual(Object.keys(rest), [], where);
  assert.ok(typeof errors === 'object' && errors !== null && !Array.isArray(errors), where);
  const entries = Object.entries(errors as Record<string, unknown>);
  assert.ok(entries.length > 0, where);
  for (const [path, list] of entries) {
    assert.ok(path.length > 0, where);
    assert.ok(Array.isArray(list) && list.length > 0, where);
    for (const problem of list as unknown[]) {
      const { key, description, ...extra } = problem as { key: unknown; description: unknown };
      assert.ok(typeof key === 'string' && /^errors\.[a-z_]+$/.test(key), where);
      assert.ok(typeof description === 'string' && description.length > 0, where);
      assert.deepEqual(Object.keys(extra), [], where);
    }
  }
}
