/**
 * Reschedule and cancel with a CalDAV target calendar on a real Radicale (SPEC 6.6): the written
 * event does not block its own link's page while rescheduling (and still blocks others), the new
 * choice updates the same object in place through the outbox, and cancel deletes it.
 * Without Radicale this skips with a reason (with CI=true it fails instead).
 */
import assert from 'node:assert/strict';
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
import {
  createCalendar,
  listRawEvents,
  type RadicaleServer,
  radicaleInstalled,
  startRadicale,
} from '../support/radicale.ts';
import { createTestLink, type Scenario, seedScenario } from '../support/scenario.ts';

const CACHE_SECONDS = 30;
const PAST_CACHE_MS = (CACHE_SECONDS + 1) * 1000;
const at = (text: string) => Date.parse(text);
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

const radicaleSkip =
  radicaleInstalled() || process.env.CI === 'true'
    ? false
    : 'radicale is not installed (apt-get install radicale)';

describe('reschedule and cancel with a CalDAV target on Radicale', { skip: radicaleSkip }, () => {
  let t: TestContext;
  let ctx: AppContext;
  let app: ReturnType<typeof buildServer>;
  let s: Scenario;
  let writeBack: CaldavWriteBack;
  let radicale: RadicaleServer;
  let calendarUrl: string;
  let wanda: { sub: string; calendarId: string };

  before(async () => {
    t = await makeTestContext({
      start: Date.UTC(2026, 0, 5, 8, 0, 0),
      env: { CALENDAR_CACHE_SECONDS: String(CACHE_SECONDS) },
    });
    const calendars = new ExternalCalendars({
      outbound: new OutboundGuard({ allowPrivate: true }),
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
    const started = await startRadicale();
    assert.ok(started, 'radicale should start');
    radicale = started;
    calendarUrl = await createCalendar(radicale, 'interviews', 'Interviews');
    const connected = await api('/v1/external_calendars/caldav', {
      server_url: radicale.url,
      username: radicale.username,
      password: radicale.password,
      application_calendar_id: 'wanda',
      name: 'Wanda',
      tzid: 'Europe/London',
    });
    assert.equal(connected.statusCode, 200, connected.body);
    wanda = { sub: connected.json().sub, calendarId: connected.json().calendars[0].calendar_id };
  });
  after(async () => {
    await radicale?.stop();
    await app?.close();
    await t?.dispose();
  });

  function api(url: string, payload?: Record<string, unknown>) {
    return app.inject({
      method: 'POST',
      url,
      headers: { authorization: `Bearer ${s.clientSecret}` },
      ...(payload === undefined ? {} : { payload }),
    });
  }

  function link(eventId: string) {
    return createTestLink(ctx, s, {
      oauth: { redirect_uri: 'https://app.example/done' },
      event: { event_id: eventId, summary: 'Interview at Globex' },
      availability: {
        sequence: [
          {
            sequence_id: 'screen',
            participants: [{ members: [{ sub: wanda.sub }], required: 'all' }],
            required_duration: { minutes: 60 },
          },
        ],
        query_periods: [{ start: '2026-01-07T09:00:00Z', end: '2026-01-07T13:00:00Z' }],
      },
      target_calendars: [{ sub: wanda.sub, calendar_id: wanda.calendarId }],
      tzid: 'Europe/London',
    });
  }

  async function starts(token: string): Promise<string[]> {
    const page = await viewLink(ctx, token);
    if (page?.kind !== 'open') throw new Error(`expected an open page, got ${page?.kind}`);
    return page.options.map((o) => iso(o.steps[0]!.start));
  }

  async function book(token: string, start: string) {
    return bookOption(ctx, (await loadLinkForPage(ctx, token))!, [{ index: 0, start: at(start) }], null);
  }

  async function deliverCaldav(): Promise<void> {
    const worker = new OutboxWorker({
      ctx,
      transport: httpTransport({ allowPrivate: true }),
      writeBack,
      owner: 'reschedule-caldav',
      random: () => 0.5,
    });
    while ((await worker.runOnce()) > 0) {}
    const jobs = (await ctx.store.read((r) => r.outbox.list({ limit: 1000 }))).filter(
      (o) => o.kind === 'caldav_write',
    );
    assert.ok(
      jobs.every((job) => job.status === 'delivered'),
      JSON.stringify(jobs.map((j) => j.lastError)),
    );
  }

  /** The objects on Radicale with this UID, each with its busy interval. */
  async function onServer(uid: string) {
    return [...(await listRawEvents(radicale, calendarUrl)).entries()]
      .filter(([, text]) => text.includes(`UID:${uid}`))
      .map(([href, text]) => ({
        href,
        busy: busyIntervalsFromICalendar(
          text,
          { start: at('2026-01-01T00:00:00Z'), end: at('2026-02-01T00:00:00Z') },
          'Etc/UTC',
        ).map((i) => `${iso(i.start)}/${iso(i.end)}`),
      }));
  }

  test('reschedule: own CalDAV event free for its own page, busy for others; the object moves in place', async () => {
    const mine = await link('caldav-loop');
    assert.equal((await book(mine.token, '2026-01-07T09:00:00Z')).kind, 'booked');
    await deliverCaldav();
    const event = await ctx.store.read((r) => r.events.byKey(wanda.calendarId, 'caldav-loop'));
    assert.ok(event);
    const written = await onServer(event.eventUid);
    assert.deepEqual(
      written.map((w) => w.busy),
      [['2026-01-07T09:00:00Z/2026-01-07T10:00:00Z']],
    );

    const reopened = await api(`/v1/real_time_sequencing/${mine.id}/reschedule`);
    assert.equal(reopened.statusCode, 200, reopened.body);
    t.clock.advance(PAST_CACHE_MS);
    assert.ok((await starts(mine.token)).includes('2026-01-07T09:00:00Z'), 'its own time is offered');
    const other = await link('caldav-other');
    assert.ok(!(await starts(other.token)).includes('2026-01-07T09:00:00Z'), 'still busy for others');

    assert.equal((await book(mine.token, '2026-01-07T11:00:00Z')).kind, 'booked');
    await deliverCaldav();
    const moved = await onServer(event.eventUid);
    assert.equal(moved.length, 1, 'one object, updated in place');
    assert.equal(moved[0]!.href, written[0]!.href);
    assert.deepEqual(moved[0]!.busy, ['2026-01-07T11:00:00Z/2026-01-07T12:00:00Z']);

    const cancelled = await api(`/v1/real_time_sequencing/${mine.id}/cancel`, { reason: 'Role filled' });
    assert.equal(cancelled.statusCode, 200, cancelled.body);
    await deliverCaldav();
    assert.deepEqual(await onServer(event.eventUid), [], 'cancel deletes the object on the server');
    t.clock.advance(PAST_CACHE_MS);
    assert.ok((await starts(other.token)).includes('2026-01-07T11:00:00Z'), 'and frees the time');
  });
});
