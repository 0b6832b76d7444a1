/**
 * Issue 12, items 1 and 2, replayed against the API with the guard on (no ALLOW_PRIVATE_CALLBACKS):
 * every private form of a loopback listener is refused at creation with a 422, nothing connects to
 * the listener, and a delivery whose target turns private shows nothing of it and cannot be replayed
 * into it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ExternalCalendars } from '../../src/adapters/calendars/reader.ts';
import { OutboundGuard } from '../../src/adapters/net/outbound.ts';
import { httpTransport } from '../../src/adapters/webhooks/http-transport.ts';
import type { AppContext } from '../../src/app/context.ts';
import { OutboxWorker } from '../../src/jobs/outbox-worker.ts';
import { buildServer } from '../../src/server.ts';
import { makeTestContext, type TestContext } from '../support/context.ts';
import { type Receiver, startReceiver } from '../support/receiver.ts';
import {
  bookFirstOption,
  createTestLink,
  type Scenario,
  seedScenario,
  twoStepLinkBody,
} from '../support/scenario.ts';

let t: TestContext;
let receiver: Receiver;
let scenario: Scenario;
let strict: AppContext;
let app: ReturnType<typeof buildServer>;

before(async () => {
  t = await makeTestContext({ start: Date.UTC(2026, 0, 5, 8, 0, 0) });
  receiver = await startReceiver();
  scenario = await seedScenario(t.ctx);
  const guard = new OutboundGuard({ allowPrivate: false });
  strict = {
    ...t.ctx,
    config: { ...t.ctx.config, allowPrivateCallbacks: false },
    outbound: guard,
    connector: new ExternalCalendars({ outbound: guard, timeoutMs: 2000 }),
  };
  app = buildServer({ ctx: strict, logger: false, version: 'test' });
});

after(async () => {
  await app.close();
  await receiver.close();
  await t.dispose();
});

const port = () => new URL(receiver.url).port;

/** Every way of writing the receiver's loopback address (and other private targets). */
function privateForms(path: string): string[] {
  const p = port();
  return [
    `http://127.0.0.1:${p}${path}`,
    `http://[::ffff:127.0.0.1]:${p}${path}`,
    `http://[::ffff:7f00:1]:${p}${path}`,
    `http://[::ffff:0:0]:${p}${path}`,
    `http://[::ffff:169.254.169.254]:${p}${path}`,
    `http://[64:ff9b::7f00:1]:${p}${path}`,
    `http://[2002:7f00:1::]:${p}${path}`,
    `http://[::1]:${p}${path}`,
    `http://2130706433:${p}${path}`,
    `http://0x7f.1:${p}${path}`,
    `http://0177.0.0.1:${p}${path}`,
    `http://localhost:${p}${path}`,
    `http://100.64.0.1:${p}${path}`,
    `http://198.18.0.1:${p}${path}`,
    `http://240.0.0.1:${p}${path}`,
  ];
}

function bearer() {
  return { authorization: `Bearer ${scenario.clientSecret}` };
}

describe('SSRF: every private form is refused at creation, nothing connects', () => {
  test('callback URLs of a link', async () => {
    const before = receiver.requests.length;
    for (const url of privateForms('/c')) {
      const response = await app.inject({
        method: 'POST',
        url: '/v1/real_time_sequencing',
        headers: bearer(),
        payload: twoStepLinkBody(scenario, {
          callback_urls: { completed_url: url, no_times_suitable_url: url },
        }),
      });
      assert.equal(response.statusCode, 422, url);
      const errors = response.json().errors;
      assert.equal(errors['callback_urls.no_times_suitable_url'][0].key, 'errors.private_address', url);
      assert.equal(errors['callback_urls.completed_url'][0].key, 'errors.private_address', url);
    }
    assert.equal(receiver.requests.length, before);
  });

  test('ICS feeds, webcal: included', async () => {
    const before = receiver.requests.length;
    const forms = [
      ...privateForms('/feed.ics'),
      `webcal://2130706433:${port()}/feed.ics`,
      `webcals://[::ffff:7f00:1]:${port()}/feed.ics`,
    ];
    for (const url of forms) {
      const response = await app.inject({
        method: 'POST',
        url: '/v1/external_calendars/ics',
        headers: bearer(),
        payload: { url },
      });
      assert.equal(response.statusCode, 422, url);
      assert.equal(response.json().errors.url[0].key, 'errors.private_address', url);
    }
    assert.equal(receiver.requests.length, before);
  });

  test('CalDAV servers', async () => {
    const before = receiver.requests.length;
    for (const url of privateForms('/dav/')) {
      const response = await app.inject({
        method: 'POST',
        url: '/v1/external_calendars/caldav',
        headers: bearer(),
        payload: { server_url: url, username: 'u', password: 'p' },
      });
      assert.equal(response.statusCode, 422, url);
      assert.equal(response.json().errors.server_url[0].key, 'errors.private_address', url);
    }
    assert.equal(receiver.requests.length, before);
  });

  test('callback URLs of push notification channels (SPEC 8d)', async () => {
    const before = receiver.requests.length;
    for (const url of privateForms('/push')) {
      t.clock.advance(1000); // the earlier tests used up this second's share of the rate limit
      const response = await app.inject({
        method: 'POST',
        url: '/v1/channels',
        headers: { authorization: `Bearer ${scenario.engineer.accessToken}` },
        payload: { callback_url: url },
      });
      assert.equal(response.statusCode, 422, url);
      assert.equal(response.json().errors.callback_url[0].key, 'errors.private_address', url);
    }
    const listed = await app.inject({
      method: 'GET',
      url: '/v1/channels',
      headers: { authorization: `Bearer ${scenario.engineer.accessToken}` },
    });
    assert.deepEqual(listed.json(), { channels: [] });
    assert.equal(receiver.requests.length, before);
  });

  test('a name that does not resolve is accepted at creation', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/v1/real_time_sequencing',
      headers: bearer(),
      payload: twoStepLinkBody(scenario, {
        callback_urls: { completed_url: 'https://no-such-host.invalid/c' },
      }),
    });
    assert.equal(response.statusCode, 200, response.body);
  });
});

describe('SSRF: a delivery to a private target shows nothing and is never replayed into it', () => {
  test('the attempt log has no status code and the generic reason; replay connects to nothing', async () => {
    // The link was accepted while the target looked public (as a rebinding name would); by the
    // time of delivery it is the loopback receiver.
    const body = twoStepLinkBody(scenario, { callback_url: receiver.url });
    const link = await createTestLink(t.ctx, scenario, body);
    await bookFirstOption(t.ctx, link.token);
    const before = receiver.requests.length;
    const worker = new OutboxWorker({
      ctx: strict,
      transport: httpTransport({ allowPrivate: false }),
      writeBack: null,
      owner: 'ssrf-test',
    });
    assert.equal(await worker.runOnce(), 1);
    const listed = await app.inject({ method: 'GET', url: '/v1/callbacks', headers: bearer() });
    const item = listed.json().callbacks.find((c: { url: string }) => c.url === receiver.url);
    assert.ok(item, listed.body);
    assert.equal(item.last_error, 'could not be reached');
    const detail = await app.inject({
      method: 'GET',
      url: `/v1/callbacks/${item.callback_id}`,
      headers: bearer(),
    });
    const [attempt] = detail.json().callback.attempt_log;
    assert.equal(attempt.status_code, null);
    assert.equal(attempt.error, 'could not be reached');

    for (let i = 0; i < 3; i++) {
      const replay = await app.inject({
        method: 'POST',
        url: `/v1/callbacks/${item.callback_id}/replay`,
        headers: bearer(),
      });
      assert.ok(replay.statusCode < 500, replay.body);
      await worker.runOnce();
    }
    assert.equal(receiver.requests.length, before, 'the private receiver never saw a request');
  });
});
