/**
 * Delivery survives a crash (SPEC 6.4): a server killed with SIGKILL while a callback is in flight
 * leaves the item leased; a fresh server takes it over once the lease expires and delivers it
 * with the same Rtseq-Delivery-Id.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeTestContext } from '../support/context.ts';
import { startServerProcess } from '../support/process.ts';
import { startReceiver } from '../support/receiver.ts';
import { bookFirstOption, createTestLink, seedScenario, twoStepLinkBody } from '../support/scenario.ts';

/** A booked link whose completion callback (to a fresh receiver) waits in the outbox. */
async function bookedLinkWithPendingCallback() {
  const t = await makeTestContext();
  const receiver = await startReceiver();
  const scenario = await seedScenario(t.ctx);
  const link = await createTestLink(
    t.ctx,
    scenario,
    twoStepLinkBody(scenario, { callback_url: receiver.url }),
  );
  await bookFirstOption(t.ctx, link.token);
  return { t, receiver };
}

test('6.4 a callback in flight when the server is SIGKILLed is delivered by the next server', async () => {
  const { t, receiver } = await bookedLinkWithPendingCallback();
  try {
    const env = {
      ...t.databaseEnv,
      ALLOW_PRIVATE_CALLBACKS: 'true',
      OUTBOX_LEASE_SECONDS: '2',
      OUTBOX_POLL_MS: '100',
    };
    receiver.script(['hang'], 200);
    const first = await startServerProcess(env);
    await receiver.waitFor(1);
    await first.stop('SIGKILL');
    const pending = (await t.ctx.store.read((r) => r.outbox.list({ limit: 10 })))[0]!;
    assert.equal(pending.status, 'pending', 'the killed server never recorded the attempt');

    const second = await startServerProcess(env);
    try {
      await receiver.waitFor(2, 20_000);
      const deadline = Date.now() + 10_000;
      let item = pending;
      while (item.status !== 'delivered' && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        item = (await t.ctx.store.read((r) => r.outbox.byId(pending.id)))!;
      }
      assert.equal(item.status, 'delivered', second.output());
      const ids = receiver.requests.map((r) => r.headers['rtseq-delivery-id']);
      assert.deepEqual(ids, [pending.deliveryId, pending.deliveryId]);
      assert.deepEqual(JSON.parse(receiver.requests[1]!.body), JSON.parse(pending.payload));
    } finally {
      await second.stop();
    }
  } finally {
    await receiver.close();
    await t.dispose();
  }
});

test('graceful shutdown: SIGTERM lets a delivery in flight finish before the process exits', async () => {
  const { t, receiver } = await bookedLinkWithPendingCallback();
  try {
    receiver.script(['hang'], 200);
    const server = await startServerProcess({
      ...t.databaseEnv,
      ALLOW_PRIVATE_CALLBACKS: 'true',
      OUTBOX_POLL_MS: '100',
    });
    await receiver.waitFor(1);
    const stopping = server.stop('SIGTERM');
    // The attempt in flight is bounded by the 10 s timeout; the process waits for it, records it
    // (failed: timed out), and only then exits. Nothing stays leased to a dead process.
    await stopping;
    const item = (await t.ctx.store.read((r) => r.outbox.list({ limit: 10 })))[0]!;
    assert.equal(item.attempts, 1);
    assert.equal(item.leaseOwner, null);
    assert.match(item.lastError ?? '', /timed out/);
  } finally {
    await receiver.close();
    await t.dispose();
  }
});
