/**
 * SPEC 8 bounds through the API: a feed whose read yields more than 20,000 busy intervals makes its
 * member unavailable and named, as a failing source does; FREQ=MINUTELY rules are ignored.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CachedExternalBusySource } from '../../src/adapters/calendars/busy-source.ts';
import { ExternalCalendars } from '../../src/adapters/calendars/reader.ts';
import { OutboundGuard } from '../../src/adapters/net/outbound.ts';
import type { AppContext } from '../../src/app/context.ts';
import { buildServer } from '../../src/server.ts';
import { makeTestContext, type TestContext } from '../support/context.ts';
import { type IcsFeedServer, startIcsFeedServer } from '../support/ics-feed-server.ts';
import { type Scenario, seedScenario } from '../support/scenario.ts';

let t: TestContext;
let app: ReturnType<typeof buildServer>;
let s: Scenario;
let feed: IcsFeedServer;

function feedText(events: readonly { uid: string; start: string; end: string; rrule?: string }[]): string {
  const lines = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//rtseq tests//EN'];
  for (const event of events) {
    lines.push('BEGIN:VEVENT', `UID:${event.uid}`, 'DTSTAMP:20260101T000000Z');
    lines.push(`DTSTART:${event.start}`, `DTEND:${event.end}`);
    if (event.rrule !== undefined) lines.push(`RRULE:${event.rrule}`);
    lines.push('END:VEVENT');
  }
  lines.push('END:VCALENDAR', '');
  return lines.join('\r\n');
}

before(async () => {
  t = await makeTestContext({ start: Date.UTC(2026, 0, 5, 8, 0, 0), env: { CALENDAR_CACHE_SECONDS: '0' } });
  const calendars = new ExternalCalendars({
    outbound: new OutboundGuard({ allowPrivate: true }), // the feed listens on loopback
    timeoutMs: t.ctx.config.calendarTimeoutMs,
  });
  const ctx: AppContext = {
    ...t.ctx,
    external: new CachedExternalBusySource({
      reader: calendars,
      secrets: t.ctx.secrets,
      clock: t.clock,
      cacheSeconds: 0,
      timeoutMs: t.ctx.config.calendarTimeoutMs,
    }),
    connector: calendars,
  };
  app = buildServer({ ctx, logger: false, version: 'test' });
  s = await seedScenario(ctx);
  feed = await startIcsFeedServer(
    feedText([{ uid: 'one', start: '20260106T100000Z', end: '20260106T110000Z' }]),
  );
});
after(async () => {
  await feed.stop();
  await app.close();
  await t.dispose();
});

const post = (url: string, payload: Record<string, unknown>) =>
  app.inject({ method: 'POST', url, payload, headers: { authorization: `Bearer ${s.clientSecret}` } });

async function connect(): Promise<{ sub: string; calendarId: string }> {
  const response = await post('/v1/external_calendars/ics', { url: feed.url, name: 'Busy feed' });
  assert.equal(response.statusCode, 200, response.body);
  const json = response.json();
  return { sub: json.sub, calendarId: json.calendars[0].calendar_id };
}

/** 30 working days of 09:00–17:00 for one member. */
async function availability(sub: string) {
  const days = Array.from({ length: 30 }, (_, d) => Date.UTC(2026, 0, 6 + d));
  const response = await post('/v1/availability', {
    participants: [{ members: [{ sub }], required: 'all' }],
    required_duration: { minutes: 60 },
    query_periods: days.map((day) => ({
      start: new Date(day + 9 * 3_600_000).toISOString(),
      end: new Date(day + 17 * 3_600_000).toISOString(),
    })),
  });
  assert.equal(response.statusCode, 200, response.body);
  return response.json() as {
    available_periods: { start: string; end: string }[];
    unavailable_sources?: { sub: string; calendar_id: string; reason: string }[];
  };
}

test('a feed with more than 20,000 busy intervals in the window makes its member unavailable, named', async () => {
  const person = await connect();
  // 30 hourly series: about 700 hours in the read window × 30 > 20,000 instances.
  feed.setBody(
    feedText(
      Array.from({ length: 30 }, (_, i) => ({
        uid: `hourly-${i}`,
        start: '20260101T000000Z',
        end: '20260101T000500Z',
        rrule: 'FREQ=HOURLY',
      })),
    ),
  );
  const body = await availability(person.sub);
  assert.deepEqual(body.available_periods, []);
  assert.deepEqual(body.unavailable_sources, [
    {
      sub: person.sub,
      calendar_id: person.calendarId,
      reason: `ICS feed ${new URL(feed.url).origin} has more than 20,000 busy intervals in the requested window`,
    },
  ]);
});

test('a FREQ=MINUTELY event blocks only its first instance', async () => {
  const person = await connect();
  feed.setBody(
    feedText([
      { uid: 'minutely', start: '20260106T100000Z', end: '20260106T110000Z', rrule: 'FREQ=MINUTELY' },
    ]),
  );
  const body = await availability(person.sub);
  assert.equal(body.unavailable_sources, undefined);
  assert.deepEqual(body.available_periods.slice(0, 3), [
    { start: '2026-01-06T09:00:00Z', end: '2026-01-06T10:00:00Z', participants: [{ sub: person.sub }] },
    { start: '2026-01-06T11:00:00Z', end: '2026-01-06T17:00:00Z', participants: [{ sub: person.sub }] },
    { start: '2026-01-07T09:00:00Z', end: '2026-01-07T17:00:00Z', participants: [{ sub: person.sub }] },
  ]);
});
