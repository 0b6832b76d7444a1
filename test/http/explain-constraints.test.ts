/**
 * SPEC 5.7 `constraint_limit` over HTTP, with the availability constraints of SPEC 5.1: a member
 * whose one-event-a-day limit is already reached on the queried day has open time only in a full
 * constraint period. Runs on SQLite and (RTSEQ_TEST_STORE=postgres) PostgreSQL.
 * Now is 2026-03-02T08:00Z; the query period is 2026-03-03 09:00–12:00Z (180 minutes).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestServer, type TestServer } from '../support/server.ts';

const PERIOD = { start: '2026-03-03T09:00:00Z', end: '2026-03-03T12:00:00Z' };
let server: TestServer;

before(async () => {
  server = await startTestServer();
});
after(() => server.close());

test('constraint_limit: the open time lies only in a full constraint period, in a query and a link', async () => {
  const ann = await server.createAccount('explain-limited');
  // One event this application wrote that day, outside the queried hours (it does not make ann busy).
  const event = await server.call('POST', `/v1/calendars/${ann.calendarId}/events`, {
    token: ann.accessToken,
    body: {
      event_id: 'early-interview',
      summary: 'Interview',
      start: '2026-03-03T07:00:00Z',
      end: '2026-03-03T07:30:00Z',
    },
  });
  assert.equal(event.status, 202, event.text);
  const ask = (limit: number) =>
    server.call('POST', '/v1/availability', {
      token: server.clientSecret,
      body: {
        participants: [
          {
            members: [{ sub: ann.sub, availability_constraints: [{ limit, period: 'day', tzid: 'UTC' }] }],
            required: 'all',
          },
        ],
        required_duration: { minutes: 60 },
        query_periods: [PERIOD],
        explain: true,
      },
    });
  const full = await ask(1);
  assert.equal(full.status, 200, full.text);
  assert.deepEqual(full.json.available_periods, []);
  assert.deepEqual(
    full.json.explanation.reasons.map((r: { code: string; subs: string[] }) => [r.code, r.subs]),
    [['constraint_limit', [ann.sub]]],
  );
  assert.deepEqual(full.json.explanation.members, [{ sub: ann.sub, open_minutes: 180, free_minutes: 0 }]);

  const roomy = await ask(2);
  assert.ok(roomy.json.available_periods.length > 0);
  assert.deepEqual(roomy.json.explanation.reasons, []);
  assert.deepEqual(roomy.json.explanation.members, [{ sub: ann.sub, open_minutes: 180, free_minutes: 180 }]);

  // A link keeps the constraint: its status explains the same reason.
  const created = await server.call('POST', '/v1/real_time_scheduling', {
    token: server.clientSecret,
    body: {
      oauth: { redirect_uri: 'https://app.example/done' },
      event: { event_id: 'limited-call', summary: 'Call' },
      availability: {
        participants: [
          {
            members: [{ sub: ann.sub, availability_constraints: [{ limit: 1, period: 'day' }] }],
            required: 'all',
          },
        ],
        required_duration: { minutes: 60 },
        query_periods: [PERIOD],
      },
      target_calendars: [{ sub: ann.sub, calendar_id: ann.calendarId }],
    },
  });
  assert.equal(created.status, 200, created.text);
  const id = created.json.real_time_scheduling.real_time_scheduling_id;
  const link = await server.call('GET', `/v1/real_time_scheduling/${id}?explain=true`, {
    token: server.clientSecret,
  });
  assert.equal(link.status, 200, link.text);
  assert.deepEqual(
    link.json.explanation.reasons.map((r: { code: string; subs: string[] }) => [r.code, r.subs]),
    [['constraint_limit', [ann.sub]]],
  );
});
