/** SPEC 9 / docs/api.md: availability requests count their cost against the application's allowance. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { findAvailability } from '../../src/domain/engine/availability.ts';
import { findSequences } from '../../src/domain/engine/sequence.ts';
import type { AvailabilityCompute } from '../../src/ports/compute.ts';
import { buildServer } from '../../src/server.ts';
import { makeTestContext } from '../support/context.ts';
import { seedScenario } from '../support/scenario.ts';

test('a heavy availability request uses more of the allowance than a light one', async () => {
  const t = await makeTestContext({ env: { RATE_LIMIT_PER_SECOND: '5', RATE_LIMIT_PER_MINUTE: '1000' } });
  let workMs = 0;
  // The engine, taking as long as the test says (at least): the cost is the time the work took.
  const compute: AvailabilityCompute = {
    findAvailability: async (query) => {
      await sleep(workMs);
      return findAvailability(query);
    },
    findSequences: async (query) => findSequences(query),
  };
  const app = buildServer({ ctx: { ...t.ctx, compute }, logger: false, version: 'test' });
  try {
    const s = await seedScenario(t.ctx);
    const availability = () =>
      app.inject({
        method: 'POST',
        url: '/v1/availability',
        headers: { authorization: `Bearer ${s.clientSecret}` },
        payload: {
          participants: [{ members: [{ sub: s.recruiter.sub }], required: 'all' }],
          required_duration: { minutes: 30 },
          query_periods: [{ start: '2026-01-06T09:00:00Z', end: '2026-01-06T12:00:00Z' }],
        },
      });
    t.clock.set(Date.UTC(2026, 0, 5, 8, 0, 0, 100));
    workMs = 0;
    for (let i = 0; i < 2; i++) assert.equal((await availability()).statusCode, 200, 'light ones cost one');

    t.clock.advance(1000);
    workMs = 150; // at least 7 units of 20 ms on top of the request itself
    assert.equal((await availability()).statusCode, 200);
    const next = await availability();
    assert.equal(next.statusCode, 429, 'the heavy one used up the second');
    assert.ok(Number(next.headers['retry-after']) >= 1);
  } finally {
    await app.close();
    await t.dispose();
  }
});
