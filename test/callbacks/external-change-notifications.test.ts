/**
 * Channel notifications for changes found in external calendars (SPEC 8d "external sync"): an ICS
 * feed served on loopback, read live by availability queries as main.ts wires it (the status and
 * its fingerprint written to the store). A second read of the same window that finds other busy
 * time sends the watching channels a `change`; the same busy time, a read of another window, or a
 * failed read in between sends nothing. Delivered through the outbox to a real receiver.
 * Runs on SQLite and (RTSEQ_TEST_STORE=postgres) PostgreSQL.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CachedExternalBusySource } from '../../src/adapters/calendars/busy-source.ts';
import { ExternalCalendars } from '../../src/adapters/calendars/reader.ts';
import { OutboundGuard } from '../../src/adapters/net/outbound.ts';
import { httpTransport } from '../../src/adapters/webhooks/http-transport.ts';
import type { AccountCaller } from '../../src/app/accounts/auth.ts';
import { createChannel } from '../../src/app/channels/channels.ts';
import type { AppContext } from '../../src/app/context.ts';
import { formatUtc } from '../../src/domain/time/format.ts';
import { OutboxWorker } from '../../src/jobs/outbox-worker.ts';
import { buildServer } from '../../src/server.ts';
import { storeSourceStatus } from '../../src/wiring/wire.ts';
import { makeTestContext, type TestContext } from '../support/context.ts';
import { type IcsFeedServer, startIcsFeedServer } from '../support/ics-feed-server.ts';
import { type ReceivedRequest, type Receiver, startReceiver } from '../support/receiver.ts';
import { type Scenario, seedScenario } from '../support/scenario.ts';

const NOW = Date.UTC(2026, 0, 5, 8, 0, 0);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const stamp = (ms: number) => `${new Date(ms).toISOString().replace(/[-:]/g, '').slice(0, 15)}Z`;

/** A feed with one busy hour at `start`. */
function feedWith(start: number): string {
  return [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//rtseq tests//EN',
    'BEGIN:VEVENT',
    'UID:busy-1',
    'DTSTAMP:20260101T000000Z',
    `DTSTART:${stamp(start)}`,
    `DTEND:${stamp(start + HOUR)}`,
    'SUMMARY:Busy elsewhere',
    'END:VEVENT',
    'END:VCALENDAR',
    '',
  ].join('\r\n');
}

let t: TestContext;
let ctx: AppContext;
let s: Scenario;
let app: ReturnType<typeof buildServer>;
let feed: IcsFeedServer;
let receiver: Receiver;

before(async () => {
  t = await makeTestContext({ start: NOW, env: { CALENDAR_CACHE_SECONDS: '0' } });
  const calendars = new ExternalCalendars({
    outbound: new OutboundGuard({ allowPrivate: true }), // the feed listens on loopback
    timeoutMs: 10_000,
  });
  ctx = {
    ...t.ctx,
    external: new CachedExternalBusySource({
      reader: calendars,
      secrets: t.ctx.secrets,
      clock: t.clock,
      cacheSeconds: 0,
      timeoutMs: 10_000,
      statuses: storeSourceStatus(t.ctx.store),
    }),
    connector: calendars,
  };
  app = buildServer({ ctx, logger: false, version: 'test' });
  s = await seedScenario(ctx);
  feed = await startIcsFeedServer(feedWith(NOW + DAY + 9 * HOUR));
  receiver = await startReceiver();
});
after(async () => {
  await app.close();
  await feed.stop();
  await receiver.close();
  await t.dispose();
});

const post = (url: string, payload: Record<string, unknown>) =>
  app.inject({ method: 'POST', url, payload, headers: { authorization: `Bearer ${s.clientSecret}` } });

/** Availability of `sub` over `days` days from tomorrow: each query reads the feed once. */
async function readAvailability(sub: string, days = 3): Promise<void> {
  const response = await post('/v1/availability', {
    participants: [{ members: [{ sub }], required: 'all' }],
    required_duration: { minutes: 60 },
    query_periods: [{ start: formatUtc(NOW + DAY), end: formatUtc(NOW + (1 + days) * DAY) }],
  });
  assert.equal(response.statusCode, 200, response.body);
}

/** Runs the outbox worker once; what arrived at `/callback{suffix}`. */
async function deliver(suffix: string): Promise<ReceivedRequest[]> {
  const before = receiver.requests.length;
  const worker = new OutboxWorker({
    ctx,
    transport: httpTransport({ allowPrivate: true }),
    writeBack: null,
    owner: 'external-changes-test',
  });
  const attempted = await worker.runOnce();
  await receiver.waitFor(before + attempted);
  return receiver.requests.slice(before).filter((r) => r.path === `/callback${suffix}`);
}

const notifications = (received: ReceivedRequest[]) => received.map((r) => JSON.parse(r.body).notification);

test('a changed ICS feed read again over the same window sends the watching channels a change', async () => {
  const connected = await post('/v1/external_calendars/ics', { url: feed.url, name: 'Elsewhere' });
  assert.equal(connected.statusCode, 200, connected.body);
  const sub: string = connected.json().sub;
  const calendarId: string = connected.json().calendars[0].calendar_id;
  const account = await t.ctx.store.read((r) => r.accounts.byId(sub));
  const caller: AccountCaller = { kind: 'account', application: s.application, account: account! };
  const watching = await createChannel(ctx, caller, {
    callbackUrl: `${receiver.url}/watching`,
    filters: { calendar_ids: [calendarId] },
  });
  await createChannel(ctx, caller, {
    callbackUrl: `${receiver.url}/managed`,
    filters: { only_managed: true },
  });
  const recruiter = await t.ctx.store.read((r) => r.accounts.byId(s.recruiter.sub));
  await createChannel(
    ctx,
    { kind: 'account', application: s.application, account: recruiter! },
    {
      callbackUrl: `${receiver.url}/elsewhere`,
      filters: {},
    },
  );
  assert.deepEqual(notifications(await deliver('/watching')), [{ type: 'verification' }]);

  // The first read has nothing to compare with; reading the same busy time again changes nothing.
  t.clock.advance(5000);
  await readAvailability(sub);
  t.clock.advance(5000);
  await readAvailability(sub);
  assert.deepEqual(await deliver('/watching'), []);

  // The feed changes: the next read of the same window finds it.
  feed.setBody(feedWith(NOW + DAY + 14 * HOUR));
  t.clock.advance(5000);
  const foundAt = t.clock.now();
  await readAvailability(sub);
  const before = receiver.requests.length;
  const changed = await deliver('/watching');
  assert.deepEqual(
    changed.map((r) => JSON.parse(r.body)),
    [
      {
        notification: { type: 'change', changes_since: formatUtc(foundAt) },
        channel: {
          channel_id: watching.id,
          callback_url: `${receiver.url}/watching`,
          filters: watching.filters,
        },
      },
    ],
  );
  const others = receiver.requests.slice(before).map((r) => r.path);
  assert.deepEqual(others, ['/callback/watching'], 'not the only_managed channel, not another account’s');

  // A failed read in between keeps what the last good read found: the same busy time after it is no change.
  t.clock.advance(5000);
  feed.setStatus(503);
  await readAvailability(sub);
  feed.setStatus(200);
  t.clock.advance(5000);
  await readAvailability(sub);
  assert.deepEqual(await deliver('/watching'), []);

  // A read of another window only replaces the fingerprint: nothing is known to have changed…
  feed.setBody(feedWith(NOW + 2 * DAY + 10 * HOUR));
  t.clock.advance(5000);
  await readAvailability(sub, 5);
  assert.deepEqual(await deliver('/watching'), []);
  // …and the next change in that window is found again.
  feed.setBody(feedWith(NOW + 2 * DAY + 11 * HOUR));
  t.clock.advance(5000);
  const againAt = t.clock.now();
  await readAvailability(sub, 5);
  assert.deepEqual(notifications(await deliver('/watching')), [
    { type: 'change', changes_since: formatUtc(againAt) },
  ]);
});
