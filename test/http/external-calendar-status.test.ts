/**
 * SPEC 8 and 9 for external calendars, through a listening server and a feed on loopback: the
 * account's source status (`GET /v1/external_calendars`, `rtseq calendars list`) shows ignored
 * FREQ=MINUTELY rules and why a read failed; a feed over the 20,000 cap or whose expansion runs
 * over COMPUTE_BUDGET_MS makes its member unavailable, named, without a 5xx; and expansion runs
 * in worker threads, so `/healthz` is answered while a heavy feed is being expanded.
 * Runs on SQLite and (RTSEQ_TEST_STORE=postgres) PostgreSQL.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CachedExternalBusySource } from '../../src/adapters/calendars/busy-source.ts';
import type { CalendarExpander } from '../../src/adapters/calendars/expansion/expansion.ts';
import { ExpansionPool } from '../../src/adapters/calendars/expansion/pool.ts';
import { ExternalCalendars } from '../../src/adapters/calendars/reader.ts';
import { OutboundGuard } from '../../src/adapters/net/outbound.ts';
import type { AppContext } from '../../src/app/context.ts';
import { readArgs } from '../../src/cli/args.ts';
import { runCalendarCommand } from '../../src/cli/calendars.ts';
import { loadConfig } from '../../src/config/config.ts';
import { buildServer } from '../../src/server.ts';
import { storeSourceStatus } from '../../src/wiring/wire.ts';
import { makeTestContext, type TestContext } from '../support/context.ts';
import { type IcsFeedServer, startIcsFeedServer } from '../support/ics-feed-server.ts';
import { seedScenario } from '../support/scenario.ts';

const NOW = Date.UTC(2026, 0, 5, 8, 0, 0);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

type FeedEvent = { uid: string; start: number; end: number; rrule?: string };

const stamp = (ms: number) => `${new Date(ms).toISOString().replace(/[-:]/g, '').slice(0, 15)}Z`;

function feedText(events: readonly FeedEvent[]): string {
  const lines = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//rtseq tests//EN'];
  for (const event of events) {
    lines.push('BEGIN:VEVENT', `UID:${event.uid}`, 'DTSTAMP:20260101T000000Z');
    lines.push(`DTSTART:${stamp(event.start)}`, `DTEND:${stamp(event.end)}`, 'SUMMARY:Busy');
    if (event.rrule !== undefined) lines.push(`RRULE:${event.rrule}`);
    lines.push('END:VEVENT');
  }
  lines.push('END:VCALENDAR', '');
  return lines.join('\r\n');
}

/**
 * About 4.5 MB of separate five-minute events, all inside the request's window and fewer than
 * 20,000: legal, and hundreds of milliseconds of parsing and expansion.
 */
function heavyFeed(): string {
  const first = NOW + DAY;
  return feedText(
    Array.from({ length: 19_500 }, (_, i) => ({
      uid: `block-${i}-${'x'.repeat(80)}`,
      start: first + i * 60_000,
      end: first + i * 60_000 + 5 * 60_000,
    })),
  );
}

// biome-ignore lint/suspicious/noExplicitAny: tests read response bodies freely
type Reply = { status: number; json: any };

type Harness = {
  readonly t: TestContext;
  readonly url: string;
  readonly feed: IcsFeedServer;
  /** Starts with a budget of 60 s whatever COMPUTE_BUDGET_MS says (connecting reads the feed too). */
  readonly pool: ExpansionPool;
  readonly clientId: string;
  post(path: string, body: Record<string, unknown>): Promise<Reply>;
  get(path: string): Promise<Reply>;
  /** Connects the feed as a new account's calendar. */
  connect(): Promise<{ sub: string; calendarId: string }>;
  /** Availability of one member over the next 14 days, 00:00–24:00. */
  availability(sub: string): Promise<Reply>;
};

/**
 * A listening server wired as main.ts wires one (an expansion pool, the status written to the
 * store, COMPUTE_BUDGET_MS in the reasons), except that `wrap` may observe the expander.
 */
async function harness(
  t: { after(fn: () => Promise<void>): void },
  options: { budgetMs: number; wrap?: (pool: CalendarExpander) => CalendarExpander },
): Promise<Harness> {
  const context = await makeTestContext({
    start: NOW,
    env: { CALENDAR_CACHE_SECONDS: '0', COMPUTE_BUDGET_MS: String(options.budgetMs) },
  });
  const pool = new ExpansionPool({ workers: 1, budgetMs: 60_000 });
  const calendars = new ExternalCalendars({
    outbound: new OutboundGuard({ allowPrivate: true }), // the feed listens on loopback
    timeoutMs: 60_000,
    expander: options.wrap?.(pool) ?? pool,
  });
  const ctx: AppContext = {
    ...context.ctx,
    external: new CachedExternalBusySource({
      reader: calendars,
      secrets: context.ctx.secrets,
      clock: context.clock,
      cacheSeconds: 0,
      timeoutMs: 60_000,
      budgetMs: context.ctx.config.computeBudgetMs,
      statuses: storeSourceStatus(context.ctx.store),
    }),
    connector: calendars,
  };
  const app = buildServer({ ctx, logger: false, version: 'test' });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  const scenario = await seedScenario(ctx);
  const feed = await startIcsFeedServer(feedText([]));
  t.after(async () => {
    await feed.stop();
    await app.close();
    await pool.close();
    await context.dispose();
  });
  const call = async (method: string, path: string, body?: Record<string, unknown>) => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${scenario.clientSecret}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, json: text === '' ? undefined : JSON.parse(text) };
  };
  const post = (path: string, body: Record<string, unknown>) => call('POST', path, body);
  return {
    t: context,
    url,
    feed,
    pool,
    clientId: scenario.clientId,
    post,
    get: (path) => call('GET', path),
    async connect() {
      const response = await post('/v1/external_calendars/ics', { url: feed.url, name: 'Busy feed' });
      assert.equal(response.status, 200, JSON.stringify(response.json));
      return { sub: response.json.sub, calendarId: response.json.calendars[0].calendar_id };
    },
    availability: (sub) =>
      post('/v1/availability', {
        participants: [{ members: [{ sub }], required: 'all' }],
        required_duration: { minutes: 60 },
        query_periods: Array.from({ length: 14 }, (_, d) => ({
          start: new Date(NOW + (d + 1) * DAY).toISOString(),
          end: new Date(NOW + (d + 2) * DAY).toISOString(),
        })),
      }),
  };
}

/** `rtseq calendars list` on the harness's database, as the operator would run it. */
async function cli(h: Harness, ...flags: string[]): Promise<string> {
  const lines: string[] = [];
  const config = loadConfig({ ...h.t.databaseEnv });
  const handled = await runCalendarCommand(
    config,
    readArgs(['calendars', 'list', '--client-id', h.clientId, ...flags]),
    (line) => lines.push(line),
  );
  assert.ok(handled);
  return lines.join('\n');
}

test('ignored FREQ=MINUTELY rules appear in the source status, in the API and the CLI', async (t) => {
  const h = await harness(t, { budgetMs: 60_000 });
  const person = await h.connect();
  const before = await h.get('/v1/external_calendars');
  assert.equal(before.status, 200, JSON.stringify(before.json));
  assert.deepEqual(before.json.external_calendars, [
    {
      sub: person.sub,
      calendar_id: person.calendarId,
      calendar_name: 'Busy feed',
      provider_name: 'ics',
      source: new URL(h.feed.url).origin,
      last_read: null,
    },
  ]);
  h.feed.setBody(
    feedText([
      { uid: 'standup', start: NOW + DAY + 10 * HOUR, end: NOW + DAY + 11 * HOUR, rrule: 'FREQ=MINUTELY' },
      { uid: 'review', start: NOW + 2 * DAY, end: NOW + 2 * DAY + HOUR, rrule: 'FREQ=DAILY;COUNT=3' },
    ]),
  );
  const body = await h.availability(person.sub);
  assert.equal(body.status, 200, JSON.stringify(body.json));
  assert.equal(body.json.unavailable_sources, undefined);

  const listed = await h.get(`/v1/external_calendars?sub=${person.sub}`);
  const read = listed.json.external_calendars[0].last_read;
  assert.equal(read.status, 'ok');
  assert.equal(read.busy_count, 4, 'the minutely event once, the daily one three times');
  assert.deepEqual(read.ignored_rules, ['event standup: FREQ=MINUTELY rule ignored']);
  assert.equal(read.reason, undefined);
  assert.equal(read.read_at, '2026-01-05T08:00:00Z');
  assert.deepEqual(Object.keys(read.window), ['start', 'end']);
  assert.ok(!JSON.stringify(listed.json).includes('/feed.ics'), 'only the origin of the feed URL');

  const text = await cli(h);
  assert.match(text, new RegExp(`${person.calendarId}\\s+ics\\s+${person.sub}`));
  assert.match(text, /last read 2026-01-05T08:00:00Z: ok, 4 busy intervals/);
  assert.match(text, /ignored: event standup: FREQ=MINUTELY rule ignored/);
  const json = JSON.parse(await cli(h, '--json'));
  assert.deepEqual(json, listed.json);
});

test('a feed over the 20,000 cap: member unavailable, and the status says why', async (t) => {
  const h = await harness(t, { budgetMs: 60_000 });
  const person = await h.connect();
  // 100 hourly series over the 14-day window: 336 × 100 > 20,000 instances.
  h.feed.setBody(
    feedText(
      Array.from({ length: 100 }, (_, i) => ({
        uid: `hourly-${i}`,
        start: NOW - DAY,
        end: NOW - DAY + 5 * 60_000,
        rrule: 'FREQ=HOURLY',
      })),
    ),
  );
  const body = await h.availability(person.sub);
  assert.equal(body.status, 200, JSON.stringify(body.json));
  assert.deepEqual(body.json.available_periods, []);
  const reason = `ICS feed ${new URL(h.feed.url).origin} has more than 20,000 busy intervals in the requested window`;
  assert.deepEqual(body.json.unavailable_sources, [
    { sub: person.sub, calendar_id: person.calendarId, reason },
  ]);
  const read = (await h.get('/v1/external_calendars')).json.external_calendars[0].last_read;
  assert.equal(read.status, 'failed');
  assert.equal(read.reason, reason, 'the same words as unavailable_sources');
  assert.equal(read.busy_count, undefined);
  assert.match(await cli(h), new RegExp(`failed: ${reason.replace(/[.]/g, '\\.')}`));
});

test('expansion over COMPUTE_BUDGET_MS: the source fails with a reason, no 5xx', async (t) => {
  const h = await harness(t, { budgetMs: 1 });
  const person = await h.connect();
  h.pool.budgetMs = 1; // COMPUTE_BUDGET_MS=1, from here on
  h.feed.setBody(heavyFeed());
  const body = await h.availability(person.sub);
  assert.equal(body.status, 200, JSON.stringify(body.json));
  assert.deepEqual(body.json.available_periods, []);
  const reason = `ICS feed ${new URL(h.feed.url).origin}: reading its events took longer than 1 ms (too many events or recurring series in the requested window)`;
  assert.deepEqual(body.json.unavailable_sources, [
    { sub: person.sub, calendar_id: person.calendarId, reason },
  ]);
  const read = (await h.get('/v1/external_calendars')).json.external_calendars[0].last_read;
  assert.equal(read.status, 'failed');
  assert.equal(read.reason, reason);
});

test('/healthz is answered while a heavy feed is being expanded', async (t) => {
  let expanding = 0;
  let handedOver = (): void => undefined;
  const submitted = new Promise<void>((resolve) => {
    handedOver = resolve;
  });
  const h = await harness(t, {
    budgetMs: 600_000,
    wrap: (pool) => ({
      expand(request) {
        expanding += 1;
        if (request.data.kind === 'ics' && request.data.text.length > 1_000_000) handedOver();
        return pool.expand(request).finally(() => {
          expanding -= 1;
        });
      },
    }),
  });
  const person = await h.connect();
  h.feed.setBody(heavyFeed());
  const heavy = h.availability(person.sub);
  await submitted;
  const probe = await fetch(`${h.url}/healthz`);
  assert.equal(probe.status, 200);
  // Had the expansion run on the event loop, nothing could have answered until it had finished.
  assert.equal(expanding, 1, '/healthz was answered only after the heavy feed was expanded');
  const body = await heavy;
  assert.equal(body.status, 200, JSON.stringify(body.json));
  assert.equal(body.json.unavailable_sources, undefined);
  const read = (await h.get('/v1/external_calendars')).json.external_calendars[0].last_read;
  assert.equal(read.busy_count, 19_500);
});

test('GET /v1/external_calendars needs the client secret, and checks sub and limit', async (t) => {
  const h = await harness(t, { budgetMs: 60_000 });
  await h.connect();
  const anonymous = await fetch(`${h.url}/v1/external_calendars`);
  assert.equal(anonymous.status, 401);
  const unknown = await h.get('/v1/external_calendars?sub=acc_nobody');
  assert.equal(unknown.status, 422);
  assert.equal(unknown.json.errors.sub[0].key, 'errors.unknown_sub');
  const badLimit = await h.get('/v1/external_calendars?limit=0');
  assert.equal(badLimit.status, 422);
  assert.equal((await h.get('/v1/external_calendars?limit=1')).json.external_calendars.length, 1);
});
