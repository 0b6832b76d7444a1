/**
 * Channel notifications from what rtseq writes itself (SPEC 8d): booking, reschedule and cancel
 * change the target calendars' events, so the participants' channels hear of it; a pending change
 * outlives the process that recorded it; profile notifications reach every channel of the account.
 * Delivered to a real receiver and checked with the official client's hmacValid.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, test } from 'node:test';
import { httpTransport } from '../../src/adapters/webhooks/http-transport.ts';
import type { AccountCaller } from '../../src/app/accounts/auth.ts';
import { createChannel, queueProfileNotification } from '../../src/app/channels/channels.ts';
import type { AppContext } from '../../src/app/context.ts';
import { formatUtc } from '../../src/domain/time/format.ts';
import { OutboxWorker } from '../../src/jobs/outbox-worker.ts';
import { listenApi } from '../support/api-server.ts';
import { makeTestContext, type TestContext } from '../support/context.ts';
import { type ReceivedRequest, type Receiver, startReceiver } from '../support/receiver.ts';
import {
  bookFirstOption,
  createTestLink,
  type Person,
  type Scenario,
  seedScenario,
  twoStepLinkBody,
} from '../support/scenario.ts';

const Cronofy = createRequire(import.meta.url)('cronofy') as new (options: {
  client_secret: string;
}) => { hmacValid(options: { hmac: string; body: string }): boolean };

let t: TestContext;
let s: Scenario;
let receiver: Receiver;
let api: Awaited<ReturnType<typeof listenApi>>;

before(async () => {
  t = await makeTestContext({ start: Date.UTC(2026, 0, 5, 8, 0, 0) });
  s = await seedScenario(t.ctx);
  receiver = await startReceiver();
  api = await listenApi(t);
});
after(async () => {
  await api.close();
  await receiver.close();
  await t.dispose();
});

const worker = (ctx: AppContext = t.ctx, owner = 'channel-test') =>
  new OutboxWorker({ ctx, transport: httpTransport({ allowPrivate: true }), writeBack: null, owner });

/** Runs the worker once and returns what arrived at `/callback{suffix}`. */
async function deliver(suffix: string, ctx: AppContext = t.ctx): Promise<ReceivedRequest[]> {
  const before = receiver.requests.length;
  const attempted = await worker(ctx).runOnce();
  await receiver.waitFor(before + attempted);
  return receiver.requests.slice(before).filter((r) => r.path === `/callback${suffix}`);
}

async function callerOf(person: Person): Promise<AccountCaller> {
  const account = await t.ctx.store.read((r) => r.accounts.byId(person.sub));
  return { kind: 'account', application: s.application, account: account! };
}

const post = (url: string) =>
  api.app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${s.clientSecret}` } });

test('booking, reschedule and cancel each notify the participants’ channels; the reads follow', async () => {
  const engineer = await createChannel(t.ctx, await callerOf(s.engineer), {
    callbackUrl: `${receiver.url}/engineer`,
    filters: { calendar_ids: [s.engineer.calendarId] },
  });
  const [verification] = await deliver('/engineer');
  assert.equal(JSON.parse(verification!.body).notification.type, 'verification');

  t.clock.advance(5000);
  const bookedAt = t.clock.now();
  const link = await createTestLink(t.ctx, s, twoStepLinkBody(s));
  await bookFirstOption(t.ctx, link.token);
  const booked = await deliver('/engineer');
  assert.equal(booked.length, 1);
  const body = JSON.parse(booked[0]!.body);
  assert.deepEqual(body, {
    notification: { type: 'change', changes_since: formatUtc(bookedAt) },
    channel: { channel_id: engineer.id, callback_url: `${receiver.url}/engineer`, filters: engineer.filters },
  });
  assert.ok(
    new Cronofy({ client_secret: s.clientSecret }).hmacValid({
      hmac: String(booked[0]!.headers['cronofy-hmac-sha256']),
      body: booked[0]!.body,
    }),
  );

  t.clock.advance(5000);
  assert.equal((await post(`/v1/real_time_sequencing/${link.id}/reschedule`)).statusCode, 200);
  assert.deepEqual(await deliver('/engineer'), [], 'reopening for a reschedule changes no event');
  const rebookedAt = t.clock.now();
  await bookFirstOption(t.ctx, link.token);
  const rebooked = await deliver('/engineer');
  assert.deepEqual(
    rebooked.map((r) => JSON.parse(r.body).notification),
    [{ type: 'change', changes_since: formatUtc(rebookedAt) }],
  );

  t.clock.advance(5000);
  const cancelledAt = t.clock.now();
  assert.equal((await post(`/v1/real_time_sequencing/${link.id}/cancel`)).statusCode, 200);
  const cancelled = await deliver('/engineer');
  assert.deepEqual(
    cancelled.map((r) => JSON.parse(r.body).notification),
    [{ type: 'change', changes_since: formatUtc(cancelledAt) }],
  );
  const read = await api.app.inject({
    method: 'GET',
    url: `/v1/events?tzid=Etc/UTC&include_deleted=true&last_modified=${formatUtc(cancelledAt)}`,
    headers: { authorization: `Bearer ${s.engineer.accessToken}` },
  });
  assert.deepEqual(
    read.json().events.map((e: Record<string, unknown>) => [e.event_id, e.deleted]),
    [['interview-1-f2f', true]],
  );
  const live = await api.app.inject({
    method: 'GET',
    url: `/v1/events?tzid=Etc/UTC&last_modified=${formatUtc(cancelledAt)}`,
    headers: { authorization: `Bearer ${s.engineer.accessToken}` },
  });
  assert.deepEqual(live.json().events, [], 'without include_deleted, deletions stay hidden');
});

test('a pending change recorded by one process is notified by another (it is stored, not in memory)', async () => {
  const channel = await createChannel(t.ctx, await callerOf(s.recruiter), {
    callbackUrl: `${receiver.url}/restart`,
    filters: {},
  });
  await deliver('/restart');
  t.clock.advance(5000);
  const changedAt = t.clock.now();
  const upsert = await api.app.inject({
    method: 'POST',
    url: `/v1/calendars/${s.recruiter.calendarId}/events`,
    headers: { authorization: `Bearer ${s.recruiter.accessToken}` },
    payload: {
      event_id: 'restart-1',
      summary: 'x',
      start: '2026-01-07T09:00:00Z',
      end: '2026-01-07T10:00:00Z',
    },
  });
  assert.equal(upsert.statusCode, 202);
  const other = await makeTestContext({ start: t.clock.now(), database: t.databaseEnv });
  try {
    const received = await deliver('/restart', other.ctx);
    assert.deepEqual(
      received.map((r) => JSON.parse(r.body)),
      [
        {
          notification: { type: 'change', changes_since: formatUtc(changedAt) },
          channel: { channel_id: channel.id, callback_url: `${receiver.url}/restart`, filters: {} },
        },
      ],
    );
    assert.deepEqual(await deliver('/restart'), [], 'the first process finds nothing left to send');
  } finally {
    await other.dispose();
  }
});

test('profile notifications reach every channel of the account', async () => {
  const caller = await callerOf(s.engineer);
  const a = await createChannel(t.ctx, caller, { callbackUrl: `${receiver.url}/profile-a`, filters: {} });
  const b = await createChannel(t.ctx, caller, { callbackUrl: `${receiver.url}/profile-b`, filters: {} });
  await deliver('/profile-a');
  const queued = await t.ctx.store.transaction((repos) =>
    queueProfileNotification(t.ctx, repos, s.engineer.sub, 'profile_disconnected'),
  );
  assert.equal(queued, 3, 'the two new channels and the first test’s one');
  const before = receiver.requests.length;
  await worker().runOnce();
  await receiver.waitFor(before + 3);
  const got = receiver.requests.slice(before).map((r) => [r.path, JSON.parse(r.body)] as const);
  const byPath = new Map(got);
  assert.deepEqual(byPath.get('/callback/profile-a'), {
    notification: { type: 'profile_disconnected' },
    channel: { channel_id: a.id, callback_url: `${receiver.url}/profile-a`, filters: {} },
  });
  assert.equal(byPath.get('/callback/profile-b')?.channel.channel_id, b.id);
  assert.equal(byPath.get('/callback/engineer')?.notification.type, 'profile_disconnected');
});
