/**
 * Callback delivery (SPEC 6.4) against a real HTTP receiver on loopback: exact body, signatures the
 * official `cronofy` client accepts, stable delivery ids across retries, give-up and replay.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, test } from 'node:test';
import { httpTransport } from '../../src/adapters/webhooks/http-transport.ts';
import { rotateSecret } from '../../src/app/accounts/applications.ts';
import { replayDelivery } from '../../src/app/callbacks.ts';
import { OUTBOX_POLICY } from '../../src/jobs/outbox-policy.ts';
import { OutboxWorker } from '../../src/jobs/outbox-worker.ts';
import { makeTestContext, type TestContext } from '../support/context.ts';
import { type Receiver, startReceiver } from '../support/receiver.ts';
import {
  bookFirstOption,
  createTestLink,
  type Scenario,
  seedScenario,
  twoStepLinkBody,
} from '../support/scenario.ts';

const require = createRequire(import.meta.url);
const Cronofy = require('cronofy') as new (options: {
  client_secret: string;
}) => {
  hmacValid(options: { hmac: string; body: string }): boolean;
};

let t: TestContext;
let receiver: Receiver;
let scenario: Scenario;

before(async () => {
  t = await makeTestContext({ start: Date.UTC(2026, 0, 5, 8, 0, 0) });
  receiver = await startReceiver();
  scenario = await seedScenario(t.ctx);
});

after(async () => {
  await receiver.close();
  await t.dispose();
});

function worker(random = () => 0.5) {
  return new OutboxWorker({
    ctx: t.ctx,
    transport: httpTransport({ allowPrivate: true }),
    writeBack: null,
    owner: 'test-worker',
    random,
  });
}

async function bookLink(callbackUrl: string, eventId: string) {
  const body = twoStepLinkBody(scenario, { callback_url: callbackUrl });
  (body.event as Record<string, unknown>).event_id = eventId;
  const steps = (body.availability as { sequence: { event: Record<string, unknown> }[] }).sequence;
  steps[0]!.event.event_id = `${eventId}-pre`;
  steps[1]!.event.event_id = `${eventId}-f2f`;
  const link = await createTestLink(t.ctx, scenario, body);
  const option = await bookFirstOption(t.ctx, link.token);
  return { link, option };
}

test('6.4 the completion callback body matches the specification field by field', async () => {
  const before = receiver.requests.length;
  const { link, option } = await bookLink(receiver.url, 'evt-body');
  assert.equal(await worker().runOnce(), 1);
  await receiver.waitFor(before + 1);
  const received = receiver.requests[before]!;
  const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
  const [first, second] = option.steps;
  assert.deepEqual(JSON.parse(received.body), {
    notification: { type: 'real_time_sequencing_completed' },
    real_time_sequencing: { real_time_sequencing_id: link.id, status: 'completed' },
    event: {
      event_id: 'evt-body',
      summary: 'Interview at Globex',
      start: { time: iso(first!.start), tzid: 'Europe/London' },
      end: { time: iso(second!.end), tzid: 'Europe/London' },
      tzid: 'Europe/London',
      description: 'Two steps',
    },
    participants: [{ sub: scenario.recruiter.sub }, { sub: scenario.engineer.sub }],
    sequence: [
      {
        sequence_id: 'pre',
        event: {
          event_id: 'evt-body-pre',
          summary: 'Pre screen',
          start: iso(first!.start),
          end: iso(first!.end),
        },
        participants: [{ sub: scenario.recruiter.sub }],
      },
      {
        sequence_id: 42,
        event: {
          event_id: 'evt-body-f2f',
          summary: 'Face to face',
          start: iso(second!.start),
          end: iso(second!.end),
        },
        participants: [{ sub: scenario.engineer.sub }],
      },
    ],
  });
  assert.equal(received.headers['content-type'], 'application/json; charset=utf-8');
  assert.match(String(received.headers['rtseq-delivery-id']), /^dlv_[0-9a-f]{32}$/);
  const signature = String(received.headers['cronofy-hmac-sha256']);
  assert.ok(
    new Cronofy({ client_secret: scenario.clientSecret }).hmacValid({ hmac: signature, body: received.body }),
  );
  assert.ok(
    !new Cronofy({ client_secret: 'some-other-secret' }).hmacValid({ hmac: signature, body: received.body }),
  );
  const events = await t.ctx.store.read((r) => r.events.byKey(scenario.engineer.calendarId, 'evt-body-f2f'));
  assert.equal(events?.startMs, second!.start);
});

test('6.4 with two active secrets the header carries one HMAC per secret, each accepted by the SDK', async () => {
  const rotated = await rotateSecret(t.ctx, scenario.clientId);
  const before = receiver.requests.length;
  await bookLink(receiver.url, 'evt-two-secrets');
  await worker().runOnce();
  await receiver.waitFor(before + 1);
  const received = receiver.requests[before]!;
  const header = String(received.headers['cronofy-hmac-sha256']);
  assert.equal(header.split(',').length, 2);
  assert.ok(!header.includes(' '));
  assert.ok(
    new Cronofy({ client_secret: scenario.clientSecret }).hmacValid({ hmac: header, body: received.body }),
  );
  assert.ok(
    new Cronofy({ client_secret: rotated.clientSecret }).hmacValid({ hmac: header, body: received.body }),
  );
});

test('6.4 a receiver failing three times then succeeding sees the same delivery id every time', async () => {
  receiver.script([500, 500, 500], 200);
  const before = receiver.requests.length;
  await bookLink(receiver.url, 'evt-retries');
  const w = worker();
  for (let attempt = 1; attempt <= 4; attempt++) {
    assert.equal(await w.runOnce(), 1, `attempt ${attempt} was due`);
    assert.equal(await w.runOnce(), 0, 'nothing is due before the backoff has passed');
    t.clock.advance(OUTBOX_POLICY.maxDelayMs * 2);
  }
  await receiver.waitFor(before + 4);
  const ids = receiver.requests.slice(before).map((r) => r.headers['rtseq-delivery-id']);
  assert.equal(ids.length, 4);
  assert.equal(new Set(ids).size, 1);
  const items = await t.ctx.store.read((r) => r.outbox.list({ limit: 100 }));
  const item = items.find((i) => i.deliveryId === ids[0]);
  assert.equal(item?.status, 'delivered');
  assert.equal(item?.attempts, 4);
  const attempts = await t.ctx.store.read((r) => r.outbox.attempts(item!.id));
  assert.deepEqual(
    attempts.map((a) => a.statusCode),
    [500, 500, 500, 200],
  );
});

test('6.4 after 24 hours of failures the delivery is failed, and a replay delivers it with the same id', async () => {
  receiver.script([], 503);
  const before = receiver.requests.length;
  await bookLink(receiver.url, 'evt-give-up');
  const w = worker();
  const started = t.clock.now();
  let attempts = 0;
  while (t.clock.now() - started <= OUTBOX_POLICY.giveUpAfterMs + OUTBOX_POLICY.maxDelayMs * 2) {
    attempts += await w.runOnce();
    t.clock.advance(30 * 60_000);
  }
  const failed = await t.ctx.store.read((r) => r.outbox.list({ status: 'failed', limit: 100 }));
  assert.equal(failed.length, 1);
  assert.ok(attempts >= 20, `retried ${attempts} times over 24 h`);
  receiver.script([], 200);
  await replayDelivery(t.ctx, failed[0]!.id);
  assert.equal(await w.runOnce(), 1);
  const delivered = await t.ctx.store.read((r) => r.outbox.byId(failed[0]!.id));
  assert.equal(delivered?.status, 'delivered');
  const ids = new Set(receiver.requests.slice(before).map((r) => r.headers['rtseq-delivery-id']));
  assert.equal(ids.size, 1);
});

test('6.4 callbacks to private addresses are refused unless allowed', async () => {
  const refusing = httpTransport({ allowPrivate: false });
  const before = receiver.requests.length;
  const result = await refusing.deliver({ url: receiver.url, body: '{}', headers: {}, timeoutMs: 2000 });
  assert.equal(result.ok, false);
  // SPEC 8a: a refused target reads like any unreachable one and was never contacted.
  assert.equal(result.error, 'could not be reached');
  assert.equal(result.statusCode, null);
  assert.equal(receiver.requests.length, before);
  const allowing = httpTransport({ allowPrivate: true });
  const ok = await allowing.deliver({ url: receiver.url, body: '{}', headers: {}, timeoutMs: 2000 });
  assert.equal(ok.ok, true);
});

test('6.4 redirects are not followed and a slow receiver times out', async () => {
  const transport = httpTransport({ allowPrivate: true });
  receiver.script([302]);
  const redirected = await transport.deliver({ url: receiver.url, body: '{}', headers: {}, timeoutMs: 2000 });
  assert.equal(redirected.ok, false);
  assert.equal(redirected.statusCode, 302);
  receiver.script(['hang']);
  const slow = await transport.deliver({ url: receiver.url, body: '{}', headers: {}, timeoutMs: 300 });
  assert.equal(slow.ok, false);
  assert.match(slow.error ?? '', /timed out/);
  receiver.script([], 200);
});
