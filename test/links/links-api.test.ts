/**
 * The link API (SPEC 6.1, 6.5, 6.6): creation with both credential styles, every validation
 * problem at once, status by id and by token, disable; and the official `cronofy` client's
 * realTimeSequencing call, unchanged, over a real socket.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, test } from 'node:test';
import { bookOption, viewLink } from '../../src/app/booking/booking.ts';
import { loadLinkForPage } from '../../src/app/links/links.ts';
import { listenApi } from '../support/api-server.ts';
import { makeTestContext, type TestContext } from '../support/context.ts';
import { type Scenario, seedScenario, twoStepLinkBody } from '../support/scenario.ts';

const require = createRequire(import.meta.url);
const Cronofy = require('cronofy') as new (
  options: Record<string, string>,
) => {
  urls: { api: string };
  realTimeSequencing(options: Record<string, unknown>): Promise<Record<string, unknown>>;
  realTimeScheduling(options: Record<string, unknown>): Promise<Record<string, unknown>>;
};

let t: TestContext;
let s: Scenario;
let api: Awaited<ReturnType<typeof listenApi>>;

before(async () => {
  t = await makeTestContext({ start: Date.UTC(2026, 0, 5, 8, 0, 0) });
  s = await seedScenario(t.ctx);
  api = await listenApi(t);
});
after(async () => {
  await api.close();
  await t.dispose();
});

const post = (url: string, payload: unknown, headers: Record<string, string> = {}) =>
  api.app.inject({ method: 'POST', url, payload: payload as Record<string, unknown>, headers });
const bearer = () => ({ authorization: `Bearer ${s.clientSecret}` });

test('6.1 a link is created with a bearer secret: wrapped object and top-level url', async () => {
  const response = await post('/v1/real_time_sequencing', twoStepLinkBody(s), bearer());
  assert.equal(response.statusCode, 200, response.body);
  const body = response.json();
  const link = body.real_time_sequencing;
  assert.match(link.real_time_sequencing_id, /^seq_[0-9a-f]{32}$/);
  assert.equal(link.status, 'open');
  assert.equal(link.url, body.url);
  assert.match(body.url, /^http:\/\/127\.0\.0\.1:9\/book\/[A-Za-z0-9_-]{32,}$/);
  assert.deepEqual(link.event, {
    event_id: 'interview-1',
    summary: 'Interview at Globex',
    tzid: 'Europe/London',
    description: 'Two steps',
  });
});

test('3 body credentials win over a bogus "Bearer undefined" header', async () => {
  const body = { ...twoStepLinkBody(s), client_id: s.clientId, client_secret: s.clientSecret };
  const response = await post('/v1/real_time_sequencing', body, { authorization: 'Bearer undefined' });
  assert.equal(response.statusCode, 200, response.body);
  const wrongId = await post('/v1/real_time_sequencing', { ...body, client_id: 'nope' });
  assert.equal(wrongId.statusCode, 401);
  const none = await post('/v1/real_time_sequencing', twoStepLinkBody(s));
  assert.equal(none.statusCode, 401);
  assert.deepEqual(Object.keys(none.json().errors), ['authorization']);
});

test('6.1 every problem of a bad link request is reported at once with dotted paths', async () => {
  const body = twoStepLinkBody(s, {
    oauth: { redirect_uri: 'ftp://nope' },
    selection_mode: 'maybe',
    callback_urls: { completed_url: 'not a url' },
    formatting: { hour_format: 'x' },
    target_calendars: [{ sub: 'acc_unknown', calendar_id: 'cal_unknown' }],
  });
  const availability = body.availability as { sequence: Record<string, unknown>[] };
  availability.sequence[0]!.event = { start: '2026-01-06T09:00:00Z', attendees: [] };
  availability.sequence[1]!.required_duration = { hours: 1, minutes: 75 };
  (availability.sequence[1]!.participants as { members: { sub: string }[] }[])[0]!.members[0]!.sub =
    'acc_missing';
  const response = await post('/v1/real_time_sequencing', body, bearer());
  assert.equal(response.statusCode, 422);
  const paths = Object.keys(response.json().errors).sort();
  assert.deepEqual(paths, [
    'availability.sequence[0].event.attendees',
    'availability.sequence[0].event.start',
    'availability.sequence[1].participants[0].members[0].sub',
    'availability.sequence[1].required_duration.minutes',
    'callback_urls.completed_url',
    'formatting.hour_format',
    'oauth.redirect_uri',
    'selection_mode',
    'target_calendars[0].sub',
  ]);
  assert.equal(response.json().errors['availability.sequence[0].event.start'][0].key, 'errors.not_supported');
});

test("6.1 another application's accounts give the same 422 as unknown ones", async () => {
  const other = await seedScenario(t.ctx);
  const body = twoStepLinkBody(s);
  body.target_calendars = [{ sub: other.recruiter.sub, calendar_id: other.recruiter.calendarId }];
  const response = await post('/v1/real_time_sequencing', body, bearer());
  assert.equal(response.statusCode, 422);
  assert.equal(response.json().errors['target_calendars[0].sub'][0].key, 'errors.unknown_sub');
});

test('6.1 two steps that would write one event_id into one calendar are refused', async () => {
  const body = twoStepLinkBody(s);
  const steps = (body.availability as { sequence: Record<string, unknown>[] }).sequence;
  for (const step of steps) {
    step.participants = [{ members: [{ sub: s.recruiter.sub }] }];
    step.event = { event_id: 'same', summary: 'x' };
  }
  const response = await post('/v1/real_time_sequencing', body, bearer());
  assert.equal(response.statusCode, 422);
  assert.equal(
    response.json().errors['availability.sequence[1].event.event_id'][0].key,
    'errors.duplicate_event_id',
  );
  // The documented example shares one event_id across steps with different participants: fine.
  const shared = twoStepLinkBody(s);
  for (const step of (shared.availability as { sequence: Record<string, unknown>[] }).sequence) {
    step.event = { event_id: 'shared', summary: 'x' };
  }
  assert.equal((await post('/v1/real_time_sequencing', shared, bearer())).statusCode, 200);
});

test('6.1 query periods: at most 90 days apart, not beyond two years, `availablity` typo accepted', async () => {
  const far = twoStepLinkBody(s);
  (far.availability as Record<string, unknown>).query_periods = [
    { start: '2026-01-06T09:00:00Z', end: '2026-01-06T17:00:00Z' },
    { start: '2026-05-06T09:00:00Z', end: '2026-05-06T17:00:00Z' },
  ];
  const response = await post('/v1/real_time_sequencing', far, bearer());
  assert.equal(response.statusCode, 422);
  assert.equal(response.json().errors['availability.query_periods'][0].key, 'errors.span_too_long');
  const typo = twoStepLinkBody(s);
  typo.availablity = typo.availability;
  delete typo.availability;
  assert.equal((await post('/v1/real_time_sequencing', typo, bearer())).statusCode, 200);
});

test('6.5 status by id and by token, disable, and a completed link cannot be disabled', async () => {
  const created = (await post('/v1/real_time_sequencing', twoStepLinkBody(s), bearer())).json();
  const id = created.real_time_sequencing.real_time_sequencing_id;
  const token = created.url.split('/').pop();
  const byId = await api.app.inject({
    method: 'GET',
    url: `/v1/real_time_sequencing/${id}`,
    headers: bearer(),
  });
  assert.equal(byId.statusCode, 200);
  const byToken = await api.app.inject({
    method: 'GET',
    url: `/v1/real_time_sequencing?token=${token}`,
    headers: bearer(),
  });
  assert.deepEqual(byToken.json(), byId.json());
  assert.equal(byId.json().real_time_sequencing.status, 'open');

  const page = await viewLink(t.ctx, token);
  if (page?.kind !== 'open') throw new Error('expected an open page');
  const chosen = page.options[0]!.steps.map((x) => ({ index: x.index, start: x.start }));
  assert.equal(
    (await bookOption(t.ctx, (await loadLinkForPage(t.ctx, token))!, chosen, null)).kind,
    'booked',
  );
  const completed = (
    await api.app.inject({ method: 'GET', url: `/v1/real_time_sequencing/${id}`, headers: bearer() })
  ).json();
  assert.equal(completed.real_time_sequencing.status, 'completed');
  assert.equal(completed.real_time_sequencing.sequence.length, 2);
  assert.equal(completed.real_time_sequencing.sequence[1].sequence_id, 42);
  assert.ok(completed.real_time_sequencing.event.start.time);
  const refused = await post(`/v1/real_time_sequencing/${id}/disable`, { display_message: 'no' }, bearer());
  assert.equal(refused.statusCode, 422);

  const other = (await post('/v1/real_time_sequencing', twoStepLinkBody(s), bearer())).json();
  const otherId = other.real_time_sequencing.real_time_sequencing_id;
  const missing = await post(`/v1/real_time_sequencing/${otherId}/disable`, {}, bearer());
  assert.equal(missing.statusCode, 422);
  assert.ok(missing.json().errors.display_message);
  const long = await post(
    `/v1/real_time_sequencing/${otherId}/disable`,
    { display_message: 'x'.repeat(501) },
    bearer(),
  );
  assert.equal(long.statusCode, 422);
  const disabled = await post(
    `/v1/real_time_sequencing/${otherId}/disable`,
    { display_message: 'Not now' },
    bearer(),
  );
  assert.equal(disabled.statusCode, 200);
  assert.equal(disabled.json().real_time_sequencing.status, 'disabled');
  const unknown = await api.app.inject({
    method: 'GET',
    url: '/v1/real_time_sequencing/seq_nope',
    headers: bearer(),
  });
  assert.equal(unknown.statusCode, 404);
  t.clock.advance(2 * 86_400_000);
  const expired = (
    await api.app.inject({ method: 'GET', url: `/v1/real_time_sequencing/${otherId}`, headers: bearer() })
  ).json();
  assert.equal(expired.real_time_sequencing.status, 'disabled');
  t.clock.advance(-2 * 86_400_000);
});

test('6.6 a Real-Time Scheduling link is a one-step sequence with an sch_ id', async () => {
  const body = {
    oauth: { redirect_uri: 'https://app.example/done' },
    event: { event_id: 'rts-1', summary: 'Chat' },
    availability: {
      participants: [{ members: [{ sub: s.recruiter.sub }], required: 'all' }],
      required_duration: { minutes: 30 },
      query_periods: [{ start: '2026-01-06T09:00:00Z', end: '2026-01-06T12:00:00Z' }],
    },
    target_calendars: [{ sub: s.recruiter.sub, calendar_id: s.recruiter.calendarId }],
  };
  const response = await post('/v1/real_time_scheduling', body, bearer());
  assert.equal(response.statusCode, 200, response.body);
  const link = response.json().real_time_scheduling;
  assert.match(link.real_time_scheduling_id, /^sch_/);
  const token = link.url.split('/').pop();
  const status = await api.app.inject({
    method: 'GET',
    url: `/v1/real_time_scheduling?token=${token}`,
    headers: bearer(),
  });
  assert.equal(status.json().real_time_scheduling.status, 'open');
  const crossKind = await api.app.inject({
    method: 'GET',
    url: `/v1/real_time_sequencing/${link.real_time_scheduling_id}`,
    headers: bearer(),
  });
  assert.equal(crossKind.statusCode, 404);
});

test('the official cronofy client creates links unchanged (body credentials and bearer)', async () => {
  const client = new Cronofy({ client_id: s.clientId, client_secret: s.clientSecret });
  client.urls.api = api.url;
  const body = twoStepLinkBody(s);
  const sequencing = await client.realTimeSequencing({ ...body });
  assert.match(
    String((sequencing.real_time_sequencing as Record<string, unknown>).real_time_sequencing_id),
    /^seq_/,
  );
  assert.equal(typeof sequencing.url, 'string');
  const scheduling = await client.realTimeScheduling({
    oauth: { redirect_uri: 'https://app.example/done' },
    event: { event_id: 'rts-sdk', summary: 'Chat' },
    availability: {
      participants: [{ members: [{ sub: s.recruiter.sub }] }],
      required_duration: { minutes: 30 },
      available_periods: [{ start: '2026-01-06T09:00:00Z', end: '2026-01-06T12:00:00Z' }],
    },
    target_calendars: [],
  });
  assert.match(
    String((scheduling.real_time_scheduling as Record<string, unknown>).real_time_scheduling_id),
    /^sch_/,
  );
});
