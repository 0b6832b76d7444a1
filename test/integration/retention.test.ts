/**
 * Retention (issue 28, app/retention.ts): a run deletes every reservation that ended longer ago
 * than the policy says, in batches, and keeps the rest; delivered callbacks go after their age.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PRUNE_BATCH, pruneHistory } from '../../src/app/retention.ts';
import { anOutboxItem, aReservation, HOUR, seed } from '../contract/storage-contract.ts';
import { makeTestContext } from '../support/context.ts';

const DAY = 24 * HOUR;

test('a retention run prunes ended reservations in batches and old delivered callbacks, and keeps the rest', async (t) => {
  const { ctx, clock, dispose } = await makeTestContext();
  t.after(dispose);
  await seed(ctx.store);
  const now = clock.now();
  const ended = PRUNE_BATCH * 2 + 37;
  await ctx.store.transaction(async (r) => {
    for (let i = 0; i < ended; i += 1) {
      const startMs = now - 60 * DAY + i * HOUR;
      await r.reservations.insertAll(
        [aReservation({ id: `old_${i}`, startMs, endMs: startMs + HOUR })],
        now,
        null,
      );
    }
    // Ended less than a day ago, and still to come: both stay.
    await r.reservations.insertAll(
      [aReservation({ id: 'recent', startMs: now - 2 * HOUR, endMs: now - HOUR })],
      now,
      null,
    );
    await r.reservations.insertAll(
      [aReservation({ id: 'future', startMs: now + HOUR, endMs: now + 2 * HOUR })],
      now,
      null,
    );
    await r.outbox.insert(
      anOutboxItem({ id: 'old', deliveryId: 'd_old', status: 'delivered', finishedAt: now - 3 * DAY }),
    );
    await r.outbox.insert(
      anOutboxItem({ id: 'new', deliveryId: 'd_new', status: 'delivered', finishedAt: now - HOUR }),
    );
  });

  const pruned = await pruneHistory(ctx, { reservationsMs: DAY, deliveriesMs: 2 * DAY });
  assert.deepEqual(pruned, { reservations: ended, deliveries: 1 });

  const left = await ctx.store.read((r) => r.reservations.liveIn(['acc_1'], { start: 0, end: now * 2 }, now));
  assert.deepEqual(left.map((x) => x.id).sort(), ['future', 'recent']);
  const outbox = await ctx.store.read((r) => r.outbox.list({ limit: 10 }));
  assert.deepEqual(
    outbox.map((o) => o.id),
    ['new'],
  );
  assert.deepEqual(await pruneHistory(ctx, { reservationsMs: DAY, deliveriesMs: 2 * DAY }), {
    reservations: 0,
    deliveries: 0,
  });
  // A policy of null keeps everything.
  assert.deepEqual(await pruneHistory(ctx, { reservationsMs: null, deliveriesMs: null }), {
    reservations: 0,
    deliveries: 0,
  });
});
