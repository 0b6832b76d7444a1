/** SPEC 9 / docs/api.md: availability requests count their cost against the application's allowance. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createApplicationCalendar } from '../../src/app/accounts/accounts.ts';
import type { AvailabilityCompute } from '../../src/ports/compute.ts';
import { buildServer } from '../../src/server.ts';
import { makeTestContext } from '../support/context.ts';
import { seedScenario } from '../support/scenario.ts';

test('a heavy availability request uses more of the allowance than a light one', async () => {
  const t = await makeTestContext({ env: { RATE_LIMIT_PER_SECOND: '5', RATE_LIMIT_PER_MINUTE: '1000' } });
  // The cost is known from the request's shape; the engine's answer does not matter here.
  const compute: AvailabilityCompute = { findAvailability: async () => [], findSequences: async () => [] };
  const app = buildServer({ ctx: { ...t.ctx, compute }, logger: false, version: 'test' });
  try {
    const s = await seedScenario(t.ctx);
    const subs: string[] = [];
    for (let i = 0; i < 50; i++) {
      subs.push((await createApplicationCalendar(t.ctx, s.application, `member-${i}`)).account.id);
    }
    const availability = (members: readonly string[], groups: number, days: number, interval: number) =>
      app.inject({
        method: 'POST',
        url: '/v1/availability',
        headers: { authorization: `Bearer ${s.clientSecret}` },
        payload: {
          participants: Array.from({ length: groups }, () => ({
            members: members.map((sub) => ({ sub })),
            required: 1,
          })),
          required_duration: { minutes: 30 },
          start_interval: { minutes: interval },
          query_periods: [
            { start: '2026-01-06T00:00:00Z', end: new Date(Date.UTC(2026, 0, 6 + days)).toISOString() },
          ],
        },
      });
    t.clock.set(Date.UTC(2026, 0, 5, 8, 0, 0, 100));
    for (let i = 0; i < 5; i++) {
      assert.equal((await availability(subs.slice(0, 2), 1, 14, 15)).statusCode, 200, 'light ones cost one');
    }
    assert.equal((await availability(subs.slice(0, 2), 1, 14, 15)).statusCode, 429);

    t.clock.advance(1000);
    // 10 groups of 50 members, minute starts over 90 days: 500 × 129,600 pairs, 6 units more.
    assert.equal((await availability(subs, 10, 90, 1)).statusCode, 200);
    const next = await availability(subs.slice(0, 2), 1, 14, 15);
    assert.equal(next.statusCode, 429, 'the heavy one used up the second');
    assert.ok(Number(next.headers['retry-after']) >= 1);
  } finally {
    await app.close();
    await t.dispose();
  }
});
