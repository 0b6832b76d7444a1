/**
 * Push notification channels (SPEC 8d) over HTTP, with a real receiver socket: the official Node
 * client's channel calls unchanged, the signed verification and change notifications, coalescing
 * (counted deliveries, the test's clock driving the one-second gap), filters, the 128 limit, bad
 * input, and following the changes with `GET /v1/events?last_modified=…&include_deleted=true`.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import { httpTransport } from '../../src/adapters/webhooks/http-transport.ts';
import { noteExternalChanges } from '../../src/app/channels/channels.ts';
import { formatUtc } from '../../src/domain/time/format.ts';
import { OutboxWorker } from '../../src/jobs/outbox-worker.ts';
import { type ReceivedRequest, type Receiver, startReceiver } from '../support/receiver.ts';
import { startTestServer, type TestAccount, type TestServer } from '../support/server.ts';

type Options = Record<string, unknown>;
// biome-ignore lint/suspicious/noExplicitAny: the SDK is untyped JavaScript
type Reply = Promise<any>;
type CronofyClient = {
  urls: { api: string };
  createNotificationChannel(options: Options): Reply;
  listNotificationChannels(options?: Options): Reply;
  deleteNotificationChannel(options: Options): Reply;
  readEvents(options: Options): Reply;
  hmacValid(options: { hmac: string; body: string }): boolean;
};
const Cronofy = createRequire(import.meta.url)('cronofy') as new (config: Options) => CronofyClient;

let server: TestServer;
let receiver: Receiver;
let worker: OutboxWorker;
let account: TestAccount;
let client: CronofyClient;

before(async () => {
  // The 128-channel test makes a few hundred calls: well beyond the default per-application limit.
  server = await startTestServer({
    env: { RATE_LIMIT_PER_SECOND: '100000', RATE_LIMIT_PER_MINUTE: '1000000' },
  });
  receiver = await startReceiver();
  worker = new OutboxWorker({
    ctx: server.ctx,
    transport: httpTransport({ allowPrivate: true }),
    writeBack: null,
    owner: 'channels-test',
  });
  account = await server.createAccount('channels-main');
  client = new Cronofy({
    data_center: 'us',
    client_id: server.clientId,
    client_secret: server.clientSecret,
    access_token: account.accessToken,
  });
  client.urls.api = server.url;
});

after(async () => {
  await receiver.close();
  await server.close();
});

/** Delivers everything due; returns the requests the receiver got meanwhile, at path `path`. */
async function deliver(path: string): Promise<ReceivedRequest[]> {
  const before = receiver.requests.length;
  const attempted = await worker.runOnce();
  await receiver.waitFor(before + attempted);
  return receiver.requests.slice(before).filter((r) => r.path === path);
}

const bodies = (requests: readonly ReceivedRequest[]) => requests.map((r) => JSON.parse(r.body));

function upsert(calendarId: string, eventId: string, token = account.accessToken) {
  return server.call('POST', `/v1/calendars/${calendarId}/events`, {
    token,
    body: {
      event_id: eventId,
      summary: `Event ${eventId}`,
      start: '2026-03-10T09:00:00Z',
      end: '2026-03-10T10:00:00Z',
    },
  });
}

async function newCalendar(name: string): Promise<string> {
  const created = await server.call('POST', '/v1/calendars', {
    token: account.accessToken,
    body: { profile_id: account.profileId, name },
  });
  assert.equal(created.status, 200, created.text);
  return created.json.calendar.calendar_id;
}

async function createChannel(path: string, filters?: Options): Promise<Options> {
  const response = await server.call('POST', '/v1/channels', {
    token: account.accessToken,
    body: { callback_url: `${receiver.url}${path}`, ...(filters === undefined ? {} : { filters }) },
  });
  assert.equal(response.status, 200, response.text);
  return response.json.channel;
}

async function closeAll(): Promise<void> {
  for (const channel of (await client.listNotificationChannels()).channels) {
    await client.deleteNotificationChannel({ channel_id: channel.channel_id });
  }
}

describe('channels: the official Node client and the verification notification', () => {
  it('createNotificationChannel answers the channel; its signed verification notification arrives', async () => {
    const created = await client.createNotificationChannel({ callback_url: `${receiver.url}/node` });
    assert.match(created.channel.channel_id, /^chn_[0-9a-f]{32}$/);
    assert.deepEqual(created.channel, {
      channel_id: created.channel.channel_id,
      callback_url: `${receiver.url}/node`,
      filters: {},
    });
    const [verification, ...more] = await deliver('/callback/node');
    assert.equal(more.length, 0);
    assert.deepEqual(JSON.parse(verification!.body), {
      notification: { type: 'verification' },
      channel: created.channel,
    });
    assert.equal(verification!.headers['content-type'], 'application/json; charset=utf-8');
    assert.match(String(verification!.headers['rtseq-delivery-id']), /^dlv_/);
    const hmac = String(verification!.headers['cronofy-hmac-sha256']);
    assert.ok(client.hmacValid({ hmac, body: verification!.body }));
    assert.ok(!new Cronofy({ client_secret: 'another' }).hmacValid({ hmac, body: verification!.body }));

    const listed = await client.listNotificationChannels();
    assert.deepEqual(listed, { channels: [created.channel] });

    // Node sends DELETE with a `{}` JSON body; the channel is gone and hears of no more changes.
    assert.equal(await client.deleteNotificationChannel({ channel_id: created.channel.channel_id }), '');
    assert.deepEqual(await client.listNotificationChannels(), { channels: [] });
    await upsert(account.calendarId, 'after-close');
    server.clock.advance(5000);
    assert.deepEqual(await deliver('/callback/node'), []);
  });

  it('filters are echoed as sent, unknown keys left out; DELETE without a body works too', async () => {
    const response = await server.call('POST', '/v1/channels', {
      token: account.accessToken,
      body: {
        callback_url: `${receiver.url}/echo`,
        filters: { calendar_ids: [account.calendarId], only_managed: false, future_parameter: 'x' },
      },
    });
    assert.equal(response.status, 200, response.text);
    assert.deepEqual(response.json.channel.filters, {
      calendar_ids: [account.calendarId],
      only_managed: false,
    });
    await deliver('/callback/echo');
    const closed = await server.call('DELETE', `/v1/channels/${response.json.channel.channel_id}`, {
      token: account.accessToken,
    });
    assert.equal(closed.status, 202);
    assert.equal(closed.text, '');
  });
});

describe('channels: change notifications', () => {
  it('changes are coalesced to one notification per channel per second, with the earliest change time', async () => {
    const channel = await createChannel('/changes');
    await deliver('/callback/changes'); // the verification
    const t0 = server.clock.now();
    for (const id of ['a', 'b', 'c']) assert.equal((await upsert(account.calendarId, id)).status, 202);
    server.clock.advance(300);
    assert.equal(
      (
        await server.call('DELETE', `/v1/calendars/${account.calendarId}/events`, {
          token: account.accessToken,
          body: { event_id: 'b' },
        })
      ).status,
      202,
    );
    const first = bodies(await deliver('/callback/changes'));
    assert.deepEqual(first, [{ notification: { type: 'change', changes_since: formatUtc(t0) }, channel }]);

    // A change within the second after that notification waits: the worker sends nothing for it…
    server.clock.advance(700);
    const t1 = server.clock.now();
    await upsert(account.calendarId, 'd');
    server.clock.advance(200);
    await upsert(account.calendarId, 'e');
    assert.deepEqual(await deliver('/callback/changes'), []);
    // …until the gap has passed; then one notification covers both, since the earlier.
    server.clock.advance(100);
    const second = bodies(await deliver('/callback/changes'));
    assert.deepEqual(second, [{ notification: { type: 'change', changes_since: formatUtc(t1) }, channel }]);
    assert.deepEqual(await deliver('/callback/changes'), [], 'nothing more is pending');

    // Following the notification: what changed since `changes_since`, deletions included on request.
    const since = await client.readEvents({
      tzid: 'Etc/UTC',
      last_modified: first[0].notification.changes_since,
      include_deleted: true,
    });
    const seen = since.events.map((e: Options) => [e.event_id, e.deleted]).sort();
    assert.deepEqual(seen, [
      ['a', false],
      ['b', true],
      ['c', false],
      ['d', false],
      ['e', false],
    ]);
    const live = await client.readEvents({ tzid: 'Etc/UTC', last_modified: formatUtc(t1) });
    assert.deepEqual(live.events.map((e: Options) => e.event_id).sort(), ['d', 'e']);
    await closeAll();
  });

  it('calendar_ids and only_managed filters choose which changes a channel hears of', async () => {
    const home = await newCalendar('Home for channels');
    const all = await createChannel('/all');
    const onlyHome = await createChannel('/home', { calendar_ids: [home] });
    const managed = await createChannel('/managed', { only_managed: true });
    await deliver('/callback/all');

    server.clock.advance(2000);
    await upsert(account.calendarId, 'filters-1');
    const afterPrimary = await deliver('/callback/all');
    assert.equal(afterPrimary.length, 1);
    assert.equal(receiver.requests.filter((r) => r.path === '/callback/home').length, 1, 'verification only');

    server.clock.advance(2000);
    await upsert(home, 'filters-2');
    const before = receiver.requests.length;
    await worker.runOnce();
    await receiver.waitFor(before + 3);
    const paths = receiver.requests
      .slice(before)
      .map((r) => r.path)
      .sort();
    assert.deepEqual(paths, ['/callback/all', '/callback/home', '/callback/managed']);

    // A change found by reading an external calendar is not a managed event's change.
    server.clock.advance(2000);
    await server.ctx.store.transaction((repos) =>
      noteExternalChanges(repos, [account.calendarId], server.clock.now()),
    );
    const external = receiver.requests.length;
    const queued = await worker.runOnce();
    assert.equal(queued, 1);
    await receiver.waitFor(external + 1);
    assert.deepEqual(
      receiver.requests.slice(external).map((r) => r.path),
      ['/callback/all'],
    );
    assert.ok(all && onlyHome && managed);
    await closeAll();
  });

  it("another account's changes and channels stay apart", async () => {
    const other = await server.createAccount('channels-other');
    const mine = await createChannel('/mine');
    await deliver('/callback/mine');
    server.clock.advance(2000);
    assert.equal((await upsert(other.calendarId, 'theirs', other.accessToken)).status, 202);
    assert.deepEqual(await deliver('/callback/mine'), []);
    const foreign = await server.call('DELETE', `/v1/channels/${mine.channel_id}`, {
      token: other.accessToken,
    });
    assert.equal(foreign.status, 404);
    const listed = await server.call('GET', '/v1/channels', { token: other.accessToken });
    assert.deepEqual(listed.json, { channels: [] });
    await closeAll();
  });
});

describe('channels: limits and bad input', () => {
  it('at most 128 channels per account; closing one makes room', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 128; i += 1) ids.push(String((await createChannel(`/many/${i}`)).channel_id));
    const refused = await server.call('POST', '/v1/channels', {
      token: account.accessToken,
      body: { callback_url: `${receiver.url}/one-too-many` },
    });
    assert.equal(refused.status, 422);
    assert.equal(refused.json.errors.callback_url[0].key, 'errors.too_many_channels');
    await client.deleteNotificationChannel({ channel_id: ids[0] });
    await createChannel('/room-again');
    await closeAll();
    // The 129 verifications are still delivered (they were queued before the channels closed).
    while ((await worker.runOnce()) > 0);
    const verifications = receiver.requests.filter((r) => /^\/callback\/(many\/|room-again)/.test(r.path));
    assert.equal(verifications.length, 129);
    assert.ok(verifications.every((r) => JSON.parse(r.body).notification.type === 'verification'));
  });

  it('every problem of a bad request is a 422 at its dotted path; nothing is created', async () => {
    const other = await server.createAccount('channels-bad-input');
    const response = await server.call('POST', '/v1/channels', {
      token: account.accessToken,
      body: {
        callback_url: 'ftp://example.com/x',
        filters: { calendar_ids: ['cal_unknown', other.calendarId, 7], only_managed: 'yes' },
      },
    });
    assert.equal(response.status, 422);
    assert.deepEqual(Object.keys(response.json.errors).sort(), [
      'callback_url',
      'filters.calendar_ids[2]',
      'filters.only_managed',
    ]);
    const unknown = await server.call('POST', '/v1/channels', {
      token: account.accessToken,
      body: {
        callback_url: `${receiver.url}/x`,
        filters: { calendar_ids: ['cal_unknown', other.calendarId] },
      },
    });
    assert.equal(unknown.status, 422);
    assert.equal(unknown.json.errors['filters.calendar_ids[0]'][0].key, 'errors.unknown_calendar');
    assert.equal(unknown.json.errors['filters.calendar_ids[1]'][0].key, 'errors.unknown_calendar');
    for (const body of [
      {},
      { callback_url: 'not a url' },
      { callback_url: `${receiver.url}/x`, filters: [] },
    ]) {
      const bad = await server.call('POST', '/v1/channels', { token: account.accessToken, body });
      assert.equal(bad.status, 422, JSON.stringify(body));
    }
    const empty = await server.call('POST', '/v1/channels', {
      token: account.accessToken,
      body: { callback_url: `${receiver.url}/x`, filters: { calendar_ids: [] } },
    });
    assert.equal(empty.status, 422);
    assert.deepEqual((await client.listNotificationChannels()).channels, []);
    const missing = await server.call('DELETE', '/v1/channels/chn_nope', { token: account.accessToken });
    assert.equal(missing.status, 404);
    const anonymous = await server.call('GET', '/v1/channels');
    assert.equal(anonymous.status, 401);
  });
});
