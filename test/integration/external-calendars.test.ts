/**
 * Live external calendars end to end (SPEC 3, 6.3, 8): accounts connected through the HTTP API to
 * a real Radicale and a real ICS feed on loopback; busy time written straight into the servers
 * (not through rtseq) changes what `POST /v1/availability` and the RTSeq page offer; bookings are
 * written back and read straight from Radicale; a source that is down or slow makes its member
 * unavailable and is named; the page-view cache holds while booking reads fresh.
 * Without Radicale the CalDAV part skips with a reason (with CI=true it fails instead).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CachedExternalBusySource } from '../../src/adapters/calendars/busy-source.ts';
import { CaldavWriteBack } from '../../src/adapters/calendars/caldav/write-back.ts';
import { busyIntervalsFromICalendar } from '../../src/adapters/calendars/ical/expand.ts';
import { ExternalCalendars } from '../../src/adapters/calendars/reader.ts';
import { OutboundGuard } from '../../src/adapters/net/outbound.ts';
import { httpTransport } from '../../src/adapters/webhooks/http-transport.ts';
import { bookOption, viewLink } from '../../src/app/booking/booking.ts';
import type { AppContext } from '../../src/app/context.ts';
import { loadLinkForPage } from '../../src/app/links/links.ts';
import { OutboxWorker } from '../../src/jobs/outbox-worker.ts';
import { buildServer } from '../../src/server.ts';
import { makeTestContext, type TestContext } from '../support/context.ts';
import { type IcsFeedServer, startIcsFeedServer } from '../support/ics-feed-server.ts';
import { freePort, startServerProcess } from '../support/process.ts';
import {
  createCalendar,
  listRawEvents,
  putRawEvent,
  type RadicaleServer,
  radicaleInstalled,
  startRadicale,
} from '../support/radicale.ts';
import { createTestLink, type Scenario, seedScenario } from '../support/scenario.ts';

/** Radicale and the feed servers listen on loopback: these suites run with the guard off. */
const LOOPBACK_ALLOWED = new OutboundGuard({ allowPrivate: true });

const TIMEOUT_MS = 1000;
const CACHE_SECONDS = 30;
const PAST_CACHE_MS = (CACHE_SECONDS + 1) * 1000;

let t: TestContext;
let ctx: AppContext;
let app: ReturnType<typeof buildServer>;
let s: Scenario;
let writeBack: CaldavWriteBack;

before(async () => {
  t = await makeTestContext({
    start: Date.UTC(2026, 0, 5, 8, 0, 0),
    env: { CALENDAR_TIMEOUT_MS: String(TIMEOUT_MS), CALENDAR_CACHE_SECONDS: String(CACHE_SECONDS) },
  });
  // Wired as main.ts wires it, but on the test's settable clock.
  const calendars = new ExternalCalendars({
    outbound: LOOPBACK_ALLOWED,
    timeoutMs: t.ctx.config.calendarTimeoutMs,
  });
  ctx = {
    ...t.ctx,
    external: new CachedExternalBusySource({
      reader: calendars,
      secrets: t.ctx.secrets,
      clock: t.clock,
      cacheSeconds: t.ctx.config.calendarCacheSeconds,
      timeoutMs: t.ctx.config.calendarTimeoutMs,
    }),
    connector: calendars,
  };
  writeBack = new CaldavWriteBack({ writer: calendars.caldav, secrets: t.ctx.secrets });
  app = buildServer({ ctx, logger: false, version: 'test' });
  s = await seedScenario(ctx);
});
after(async () => {
  await app.close();
  await t.dispose();
});

const bearer = () => ({ authorization: `Bearer ${s.clientSecret}` });
const post = (url: string, payload: Record<string, unknown>) =>
  app.inject({ method: 'POST', url, payload, headers: bearer() });

const stamp = (ms: number) => new Date(ms).toISOString().replace(/[-:]/g, '').replace('.000', '');
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
const at = (text: string) => Date.parse(text);

function calendarText(uid: string, start: string, end: string, summary = 'Busy elsewhere'): string {
  return [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//rtseq tests//EN',
    'BEGIN:VEVENT',
    `UID:${uid}`,
    'DTSTAMP:20260101T000000Z',
    `DTSTART:${stamp(at(start))}`,
    `DTEND:${stamp(at(end))}`,
    `SUMMARY:${summary}`,
    'END:VEVENT',
    'END:VCALENDAR',
    '',
  ].join('\r\n');
}

type Period = { start: string; end: string };

async function availability(sub: string, day: string, calendarIds?: string[]) {
  const response = await post('/v1/availability', {
    participants: [
      {
        members: [{ sub, ...(calendarIds === undefined ? {} : { calendar_ids: calendarIds }) }],
        required: 'all',
      },
    ],
    required_duration: { minutes: 60 },
    query_periods: [{ start: `${day}T09:00:00Z`, end: `${day}T13:00:00Z` }],
  });
  assert.equal(response.statusCode, 200, response.body);
  const body = response.json() as {
    available_periods: (Period & { participants: unknown })[];
    unavailable_sources?: { sub: string; calendar_id: string; reason: string }[];
  };
  return { periods: body.available_periods.map((p) => ({ start: p.start, end: p.end })), body };
}

/** A one-step link for `member` on `day` 09:00–13:00 UTC, event written to `target` when given. */
async function oneStepLink(
  member: Record<string, unknown>,
  day: string,
  eventId: string,
  target?: { sub: string; calendar_id: string },
) {
  return createTestLink(ctx, s, {
    oauth: { redirect_uri: 'https://app.example/done' },
    event: {
      event_id: eventId,
      summary: 'Interview at Globex',
      tzid: 'Europe/London',
      description: 'Booked through rtseq',
      location: { description: 'Room 4' },
    },
    availability: {
      sequence: [
        {
          sequence_id: 'screen',
          ordinal: 1,
          participants: [{ members: [member], required: 'all' }],
          event: { event_id: eventId, summary: 'Pre screen' },
          required_duration: { minutes: 60 },
        },
      ],
      query_periods: [{ start: `${day}T09:00:00Z`, end: `${day}T13:00:00Z` }],
    },
    target_calendars: target === undefined ? [] : [target],
    tzid: 'Europe/London',
  });
}

async function openStarts(token: string): Promise<string[]> {
  const page = await viewLink(ctx, token);
  assert.equal(page?.kind, 'open');
  if (page?.kind !== 'open') throw new Error('unreachable');
  return page.options.map((o) => iso(o.steps[0]!.start));
}

async function book(token: string, start: string) {
  return bookOption(ctx, (await loadLinkForPage(ctx, token))!, [{ index: 0, start: at(start) }], null);
}

function worker() {
  return new OutboxWorker({
    ctx,
    transport: httpTransport({ allowPrivate: true }),
    writeBack,
    owner: 'external-test',
    random: () => 0.5,
  });
}

async function caldavJobs() {
  return (await ctx.store.read((r) => r.outbox.list({ limit: 1000 }))).filter(
    (o) => o.kind === 'caldav_write',
  );
}

const MAIN = new URL('../../src/main.ts', import.meta.url).pathname;

/** Runs the real `rtseq` CLI; asynchronously, because the feed server lives in this process. */
async function cli(env: Record<string, string>, args: string[]) {
  const child = spawn(process.execPath, [MAIN, ...args], {
    env: { ...process.env, LOG_LEVEL: 'warn', ALLOW_PRIVATE_CALLBACKS: 'true', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const [status] = (await once(child, 'close')) as [number | null];
  return { status, stdout, stderr };
}

const radicaleSkip =
  radicaleInstalled() || process.env.CI === 'true'
    ? false
    : 'radicale is not installed (apt-get install radicale)';

describe('CalDAV accounts against Radicale', { skip: radicaleSkip }, () => {
  let radicale: RadicaleServer;
  let workUrl: string;
  let work: { sub: string; calendarId: string; accessToken: string };

  before(async () => {
    const started = await startRadicale();
    assert.ok(started, 'radicale should start');
    radicale = started;
    workUrl = await createCalendar(radicale, 'work', 'Work');
  });
  after(async () => {
    await radicale?.stop();
  });

  test('an account is connected through the API; its calendars are the discovered ones', async () => {
    const body = {
      server_url: radicale.url,
      username: radicale.username,
      password: radicale.password,
      application_calendar_id: 'work-person',
      name: 'Wanda Work',
      tzid: 'Europe/London',
    };
    const response = await post('/v1/external_calendars/caldav', body);
    assert.equal(response.statusCode, 200, response.body);
    assert.ok(!response.body.includes(radicale.password), 'the password is never returned');
    const json = response.json();
    assert.match(json.sub, /^acc_/);
    assert.equal(json.token_type, 'bearer');
    assert.equal(json.application_calendar_id, 'work-person');
    assert.equal(json.calendars.length, 1);
    const [calendar] = json.calendars;
    assert.equal(calendar.calendar_name, 'Work');
    assert.equal(calendar.provider_name, 'caldav');
    assert.equal(calendar.calendar_readonly, false);
    work = { sub: json.sub, calendarId: calendar.calendar_id, accessToken: json.access_token };

    // The access token works on the account endpoints, which list the same calendar.
    const listed = await app.inject({
      method: 'GET',
      url: '/v1/calendars',
      headers: { authorization: `Bearer ${work.accessToken}` },
    });
    assert.equal(listed.statusCode, 200, listed.body);
    assert.deepEqual(
      listed.json().calendars.map((c: { calendar_id: string }) => c.calendar_id),
      [work.calendarId],
    );

    // Idempotent per application_calendar_id: same account, same calendar, no duplicate.
    const again = await post('/v1/external_calendars/caldav', body);
    assert.equal(again.statusCode, 200, again.body);
    assert.equal(again.json().sub, work.sub);
    assert.deepEqual(
      again.json().calendars.map((c: { calendar_id: string }) => c.calendar_id),
      [work.calendarId],
    );

    // The stored source is sealed JSON; with SECRET_KEY unset it is `plain:` but never in the API.
    const stored = await ctx.store.read((r) => r.calendars.byId(work.calendarId));
    assert.equal(stored?.kind, 'caldav');
    assert.equal(stored?.tzid, 'Europe/London');
  });

  test('a wrong password is a clear 422 at password; an unreachable server a 422 at server_url', async () => {
    const wrong = await post('/v1/external_calendars/caldav', {
      server_url: radicale.url,
      username: radicale.username,
      password: 'not the password',
    });
    assert.equal(wrong.statusCode, 422, wrong.body);
    assert.deepEqual(Object.keys(wrong.json().errors), ['password']);
    assert.equal(wrong.json().errors.password[0].key, 'errors.caldav_auth_failed');
    assert.match(wrong.json().errors.password[0].description, /username or password/);
    assert.ok(!wrong.body.includes('not the password'));

    const closed = await freePort();
    const down = await post('/v1/external_calendars/caldav', {
      server_url: `http://127.0.0.1:${closed}/`,
      username: 'u',
      password: 'p',
    });
    assert.equal(down.statusCode, 422, down.body);
    assert.equal(down.json().errors.server_url[0].key, 'errors.caldav_unreachable');

    const missing = await post('/v1/external_calendars/caldav', { server_url: 'not a url', sub: 7 });
    assert.equal(missing.statusCode, 422);
    assert.deepEqual(Object.keys(missing.json().errors).sort(), [
      'password',
      'server_url',
      'sub',
      'username',
    ]);
  });

  test('events created directly in Radicale change what the API and the RTSeq page offer', async () => {
    const before = await availability(work.sub, '2026-01-06');
    assert.deepEqual(before.periods, [{ start: '2026-01-06T09:00:00Z', end: '2026-01-06T13:00:00Z' }]);
    const link = await oneStepLink({ sub: work.sub }, '2026-01-06', 'screen-a');
    assert.equal((await openStarts(link.token))[0], '2026-01-06T09:00:00Z');

    await putRawEvent(
      radicale,
      workUrl,
      'dentist.ics',
      calendarText('dentist@test', '2026-01-06T09:30:00Z', '2026-01-06T10:30:00Z'),
    );
    t.clock.advance(PAST_CACHE_MS);

    const after = await availability(work.sub, '2026-01-06');
    assert.deepEqual(after.periods, [{ start: '2026-01-06T10:30:00Z', end: '2026-01-06T13:00:00Z' }]);
    assert.equal(after.body.unavailable_sources, undefined);
    const starts = await openStarts(link.token);
    assert.equal(starts[0], '2026-01-06T10:30:00Z');
    assert.ok(!starts.includes('2026-01-06T09:00:00Z'));
  });

  test('a booking into the CalDAV calendar is written to Radicale; re-booking the event_id moves it', async () => {
    const target = { sub: work.sub, calendar_id: work.calendarId };
    const first = await oneStepLink({ sub: work.sub }, '2026-01-07', 'screen-b', target);
    assert.equal((await book(first.token, '2026-01-07T09:00:00Z'))?.kind, 'booked');
    assert.equal(await worker().runOnce(), 1);

    const stored = await ctx.store.read((r) => r.events.byKey(work.calendarId, 'screen-b'));
    assert.ok(stored);
    const readBack = async () => {
      const raw = [...(await listRawEvents(radicale, workUrl)).entries()].filter(([, text]) =>
        text.includes(`UID:${stored.eventUid}`),
      );
      return raw.map(([href, text]) => ({
        href,
        text,
        busy: busyIntervalsFromICalendar(
          text,
          { start: at('2026-01-01T00:00:00Z'), end: at('2026-02-01T00:00:00Z') },
          'Etc/UTC',
        ).map((i) => `${iso(i.start)}/${iso(i.end)}`),
      }));
    };
    const written = await readBack();
    assert.equal(written.length, 1);
    assert.deepEqual(written[0]!.busy, ['2026-01-07T09:00:00Z/2026-01-07T10:00:00Z']);
    assert.match(written[0]!.text, /SUMMARY:Pre screen/);
    assert.match(written[0]!.text, /LOCATION:Room 4/);
    assert.match(written[0]!.text, /DESCRIPTION:Booked through rtseq/);
    assert.match(written[0]!.text, /TZID=Europe\/London/);

    // A second link with the same event_id for the same calendar replaces the one object.
    t.clock.advance(PAST_CACHE_MS);
    const second = await oneStepLink({ sub: work.sub }, '2026-01-07', 'screen-b', target);
    const starts = await openStarts(second.token);
    assert.ok(!starts.includes('2026-01-07T09:00:00Z'), 'the first booking blocks its time');
    assert.equal((await book(second.token, '2026-01-07T11:00:00Z'))?.kind, 'booked');
    assert.equal(await worker().runOnce(), 1);
    const moved = await readBack();
    assert.equal(moved.length, 1, 'one event, not two');
    assert.equal(moved[0]!.href, written[0]!.href);
    assert.deepEqual(moved[0]!.busy, ['2026-01-07T11:00:00Z/2026-01-07T12:00:00Z']);
    assert.ok((await caldavJobs()).every((job) => job.status === 'delivered'));
  });

  test('Radicale down: its member is unavailable and named; a booking reaches it once it is back', async () => {
    // Dana: a native calendar for availability plus Radicale (attached with `sub`) as booking target.
    const danaUrl = await createCalendar(radicale, 'dana', 'Dana');
    const native = await post('/v1/application_calendars', { application_calendar_id: 'dana' });
    assert.equal(native.statusCode, 200, native.body);
    const dana = native.json().sub as string;
    const attached = await post('/v1/external_calendars/caldav', {
      server_url: radicale.url,
      username: radicale.username,
      password: radicale.password,
      sub: dana,
    });
    assert.equal(attached.statusCode, 200, attached.body);
    assert.equal(attached.json().sub, dana);
    const danaCalendar = (attached.json().calendars as { calendar_id: string; calendar_name: string }[]).find(
      (c) => c.calendar_name === 'Dana',
    )!;
    const danaNative = (await ctx.store.read((r) => r.calendars.byAccount(dana))).find(
      (c) => c.kind === 'native',
    )!;

    await radicale.halt();
    try {
      t.clock.advance(PAST_CACHE_MS);
      // Never silently free: the CalDAV member has no time, and the failed calendar is named.
      const down = await availability(work.sub, '2026-01-06');
      assert.deepEqual(down.periods, []);
      assert.equal(down.body.unavailable_sources?.length, 1);
      const [failure] = down.body.unavailable_sources!;
      assert.equal(failure!.sub, work.sub);
      assert.equal(failure!.calendar_id, work.calendarId);
      assert.match(failure!.reason, /^CalDAV server http:\/\/127\.0\.0\.1:\d+ could not be reached$/);
      assert.ok(!JSON.stringify(down.body).includes(radicale.password));
      const page = await viewLink(
        ctx,
        (await oneStepLink({ sub: work.sub }, '2026-01-06', 'screen-c')).token,
      );
      assert.equal(page?.kind, 'open');
      if (page?.kind === 'open') {
        assert.equal(page.options.length, 0);
        assert.deepEqual(
          page.failures.map((f) => f.calendarId),
          [work.calendarId],
        );
      }

      // Dana's availability comes from her native calendar, so she can be booked while Radicale is down.
      const link = await oneStepLink({ sub: dana, calendar_ids: [danaNative.id] }, '2026-01-08', 'screen-d', {
        sub: dana,
        calendar_id: danaCalendar.calendar_id,
      });
      assert.equal((await book(link.token, '2026-01-08T10:00:00Z'))?.kind, 'booked');
      assert.equal(await worker().runOnce(), 1);
      const [pending] = (await caldavJobs()).filter((job) => job.target === danaCalendar.calendar_id);
      assert.equal(pending?.status, 'pending');
      assert.equal(pending?.attempts, 1);
      assert.match(pending?.lastError ?? '', /CalDAV write at http:\/\/127\.0\.0\.1:\d+: connection refused/);
      assert.ok(!(pending?.lastError ?? '').includes(radicale.password));
    } finally {
      await radicale.restart();
    }

    assert.equal(await worker().runOnce(), 0, 'not due before its backoff');
    t.clock.advance(60_000);
    assert.equal(await worker().runOnce(), 1);
    const [done] = (await caldavJobs()).filter((job) => job.target === danaCalendar.calendar_id);
    assert.equal(done?.status, 'delivered');
    const events = [...(await listRawEvents(radicale, danaUrl)).values()];
    assert.equal(events.length, 1);
    assert.deepEqual(
      busyIntervalsFromICalendar(
        events[0]!,
        { start: at('2026-01-08T00:00:00Z'), end: at('2026-01-09T00:00:00Z') },
        'Etc/UTC',
      ).map((i) => `${iso(i.start)}/${iso(i.end)}`),
      ['2026-01-08T10:00:00Z/2026-01-08T11:00:00Z'],
    );
    // Radicale answers again, so the CalDAV member is available again.
    t.clock.advance(PAST_CACHE_MS);
    assert.equal((await availability(work.sub, '2026-01-06')).body.unavailable_sources, undefined);
  });
});

describe('composition root: the rtseq CLI and `rtseq serve`', { skip: radicaleSkip }, () => {
  test('connect-caldav and connect-ics link accounts that a running server reads live', async () => {
    const radicale = await startRadicale();
    assert.ok(radicale);
    const feed = await startIcsFeedServer(
      calendarText('feed@test', '2027-03-02T12:00:00Z', '2027-03-02T13:00:00Z'),
    );
    const dir = mkdtempSync(join(tmpdir(), 'rtseq-external-cli-'));
    const env = { SQLITE_PATH: join(dir, 'rtseq.db'), CALENDAR_TIMEOUT_MS: '2000' };
    try {
      const calendarUrl = await createCalendar(radicale, 'team', 'Team');
      await putRawEvent(
        radicale,
        calendarUrl,
        'offsite.ics',
        calendarText('offsite@test', '2027-03-02T09:00:00Z', '2027-03-02T11:00:00Z'),
      );
      const created = await cli(env, ['app', 'create', '--name', 'CLI app', '--json']);
      assert.equal(created.status, 0, created.stderr);
      const { client_id, client_secret } = JSON.parse(created.stdout) as Record<string, string>;

      const wrong = await cli(env, [
        'calendars',
        'connect-caldav',
        '--client-id',
        client_id,
        '--url',
        radicale.url,
        '--username',
        radicale.username,
        '--password',
        'nope',
      ]);
      assert.equal(wrong.status, 1);
      assert.match(wrong.stderr, /--password: the CalDAV server rejected the username or password/);

      const caldav = await cli({ ...env, RTSEQ_CALDAV_PASSWORD: radicale.password }, [
        'calendars',
        'connect-caldav',
        '--client-id',
        client_id,
        '--url',
        radicale.url,
        '--username',
        radicale.username,
        '--name',
        'Team',
        '--json',
      ]);
      assert.equal(caldav.status, 0, caldav.stderr);
      const team = JSON.parse(caldav.stdout);
      assert.deepEqual(Object.keys(team).sort(), [
        'access_token',
        'calendars',
        'refresh_token',
        'sub',
        'token_type',
      ]);
      assert.equal(team.calendars[0].provider_name, 'caldav');
      assert.ok(!caldav.stdout.includes(radicale.password));

      const ics = await cli(env, [
        'calendars',
        'connect-ics',
        '--client-id',
        client_id,
        '--url',
        feed.url,
        '--json',
      ]);
      assert.equal(ics.status, 0, ics.stderr);
      const feedAccount = JSON.parse(ics.stdout);
      assert.equal(feedAccount.calendars[0].calendar_readonly, true);

      const server = await startServerProcess({ ...env, ALLOW_PRIVATE_CALLBACKS: 'true' });
      try {
        const response = await fetch(`${server.url}/v1/availability`, {
          method: 'POST',
          headers: { authorization: `Bearer ${client_secret}`, 'content-type': 'application/json' },
          body: JSON.stringify({
            participants: [{ members: [{ sub: team.sub }, { sub: feedAccount.sub }], required: 'all' }],
            required_duration: { minutes: 30 },
            query_periods: [{ start: '2027-03-02T08:00:00Z', end: '2027-03-02T14:00:00Z' }],
          }),
        });
        const body = (await response.json()) as { available_periods: Period[] };
        assert.equal(response.status, 200, JSON.stringify(body));
        assert.deepEqual(
          body.available_periods.map((p) => `${p.start}/${p.end}`),
          [
            '2027-03-02T08:00:00Z/2027-03-02T09:00:00Z',
            '2027-03-02T11:00:00Z/2027-03-02T12:00:00Z',
            '2027-03-02T13:00:00Z/2027-03-02T14:00:00Z',
          ],
        );
      } finally {
        await server.stop();
      }
    } finally {
      await feed.stop();
      await radicale.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('ICS feeds', () => {
  let feed: IcsFeedServer;
  let person: { sub: string; calendarId: string };

  before(async () => {
    feed = await startIcsFeedServer(
      calendarText('standup@test', '2026-01-09T09:00:00Z', '2026-01-09T10:00:00Z', 'Stand-up'),
    );
  });
  after(async () => {
    await feed.stop();
  });

  test('a feed is connected through the API as a read-only calendar after one trial read', async () => {
    const before = feed.requestCount;
    const response = await post('/v1/external_calendars/ics', { url: feed.url, name: 'Iris Ics' });
    assert.equal(response.statusCode, 200, response.body);
    assert.equal(feed.requestCount, before + 1);
    const json = response.json();
    assert.equal(json.calendars.length, 1);
    assert.equal(json.calendars[0].provider_name, 'ics');
    assert.equal(json.calendars[0].calendar_readonly, true);
    assert.equal(json.calendars[0].calendar_name, 'Iris Ics');
    person = { sub: json.sub, calendarId: json.calendars[0].calendar_id };
  });

  test('a feed that is down or not iCalendar is a 422 at url', async () => {
    const other = await startIcsFeedServer('<html><body>Sign in</body></html>');
    try {
      const html = await post('/v1/external_calendars/ics', { url: other.url });
      assert.equal(html.statusCode, 422, html.body);
      assert.equal(html.json().errors.url[0].key, 'errors.ics_invalid');
      other.setStatus(404);
      const gone = await post('/v1/external_calendars/ics', { url: other.url });
      assert.equal(gone.json().errors.url[0].key, 'errors.ics_unreachable');
    } finally {
      await other.stop();
    }
    const closed = await freePort();
    const down = await post('/v1/external_calendars/ics', { url: `http://127.0.0.1:${closed}/feed.ics` });
    assert.equal(down.statusCode, 422);
    assert.equal(down.json().errors.url[0].key, 'errors.ics_unreachable');
    const bad = await post('/v1/external_calendars/ics', { url: 'ftp://example.com/x.ics', sub: 'acc_nope' });
    assert.deepEqual(Object.keys(bad.json().errors).sort(), ['url']);
    const unknown = await post('/v1/external_calendars/ics', { url: feed.url, sub: 'acc_nope' });
    assert.equal(unknown.json().errors.sub[0].key, 'errors.unknown_sub');
  });

  test('private server and feed URLs are refused unless ALLOW_PRIVATE_CALLBACKS', async () => {
    const strict = buildServer({
      ctx: { ...ctx, config: { ...ctx.config, allowPrivateCallbacks: false } },
      logger: false,
      version: 'test',
    });
    try {
      const count = feed.requestCount;
      const ics = await strict.inject({
        method: 'POST',
        url: '/v1/external_calendars/ics',
        headers: bearer(),
        payload: { url: feed.url },
      });
      assert.equal(ics.statusCode, 422);
      assert.equal(ics.json().errors.url[0].key, 'errors.private_address');
      assert.equal(feed.requestCount, count, 'nothing was fetched');
      const caldav = await strict.inject({
        method: 'POST',
        url: '/v1/external_calendars/caldav',
        headers: bearer(),
        payload: { server_url: 'http://[::1]:5232/', username: 'u', password: 'p' },
      });
      assert.equal(caldav.json().errors.server_url[0].key, 'errors.private_address');
    } finally {
      await strict.close();
    }
  });

  test("the feed's events block times in the API and on the page", async () => {
    const { periods } = await availability(person.sub, '2026-01-09');
    assert.deepEqual(periods, [{ start: '2026-01-09T10:00:00Z', end: '2026-01-09T13:00:00Z' }]);
    const link = await oneStepLink({ sub: person.sub }, '2026-01-09', 'ics-a');
    assert.equal((await openStarts(link.token))[0], '2026-01-09T10:00:00Z');
  });

  test('page views within CALENDAR_CACHE_SECONDS do not refetch; booking always reads fresh', async () => {
    t.clock.advance(PAST_CACHE_MS);
    const link = await oneStepLink({ sub: person.sub }, '2026-01-09', 'ics-b');
    const count = feed.requestCount;
    assert.equal((await openStarts(link.token))[0], '2026-01-09T10:00:00Z');
    assert.equal(feed.requestCount, count + 1);

    // The feed changes; a view 10 s later is served from the cache and still offers 10:00.
    feed.setBody(
      [
        calendarText('standup@test', '2026-01-09T09:00:00Z', '2026-01-09T10:00:00Z', 'Stand-up'),
        calendarText('review@test', '2026-01-09T10:00:00Z', '2026-01-09T11:00:00Z', 'Review'),
      ]
        .join('')
        .replace('END:VCALENDAR\r\nBEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//rtseq tests//EN\r\n', ''),
    );
    t.clock.advance(10_000);
    assert.equal((await openStarts(link.token))[0], '2026-01-09T10:00:00Z');
    assert.equal(feed.requestCount, count + 1, 'served from the cache');

    // Booking that stale option re-reads the feed and finds it taken (computing nothing more); the
    // next view shows the fresh times from the cache the fresh read refreshed: no third request.
    const taken = await book(link.token, '2026-01-09T10:00:00Z');
    assert.equal(feed.requestCount, count + 2);
    assert.equal(taken?.kind, 'taken');
    assert.equal((await openStarts(link.token))[0], '2026-01-09T11:00:00Z');
    assert.equal(feed.requestCount, count + 2);

    const booked = await book(link.token, '2026-01-09T11:00:00Z');
    assert.equal(booked?.kind, 'booked');
    assert.equal(feed.requestCount, count + 3);

    // After CALENDAR_CACHE_SECONDS a view reads the feed again.
    const next = await oneStepLink({ sub: person.sub }, '2026-01-09', 'ics-c');
    t.clock.advance(PAST_CACHE_MS);
    await openStarts(next.token);
    assert.equal(feed.requestCount, count + 4);
  });

  test('a feed that does not answer within CALENDAR_TIMEOUT_MS makes its member unavailable', async () => {
    t.clock.advance(PAST_CACHE_MS);
    feed.setHanging(true);
    try {
      // The reason names the deadline; that it fires at CALENDAR_TIMEOUT_MS, not later, is counted
      // on a mocked clock (caldav/client.test.ts, test/integration/caldav.test.ts), not timed here.
      const { periods, body } = await availability(person.sub, '2026-01-09');
      assert.deepEqual(periods, []);
      assert.deepEqual(body.unavailable_sources, [
        {
          sub: person.sub,
          calendar_id: person.calendarId,
          reason: `ICS feed ${new URL(feed.url).origin} did not answer within ${TIMEOUT_MS} ms`,
        },
      ]);
    } finally {
      feed.setHanging(false);
    }
  });
});
