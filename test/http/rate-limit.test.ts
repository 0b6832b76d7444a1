/** SPEC 9: per-application API rate limits answer 429 with Retry-After, per application. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildServer } from '../../src/server.ts';
import { makeTestContext } from '../support/context.ts';
import { seedScenario } from '../support/scenario.ts';

test('9 an application over its per-second limit gets 429 with Retry-After; others are unaffected', async () => {
  const t = await makeTestContext({ env: { RATE_LIMIT_PER_SECOND: '3', RATE_LIMIT_PER_MINUTE: '5' } });
  const app = buildServer({ ctx: t.ctx, logger: false, version: 'test' });
  try {
    const first = await seedScenario(t.ctx);
    const second = await seedScenario(t.ctx);
    const status = (secret: string) =>
      app.inject({
        method: 'GET',
        url: '/v1/real_time_sequencing/seq_unknown',
        headers: { authorization: `Bearer ${secret}` },
      });
    t.clock.set(Date.UTC(2026, 0, 5, 8, 0, 0, 100));
    for (let i = 0; i < 3; i++) assert.equal((await status(first.clientSecret)).statusCode, 404);
    const limited = await status(first.clientSecret);
    assert.equal(limited.statusCode, 429);
    assert.equal(limited.headers['retry-after'], '1');
    assert.deepEqual(Object.keys(limited.json().errors), ['rate_limit']);
    assert.equal((await status(second.clientSecret)).statusCode, 404, 'another application is not limited');

    t.clock.advance(1000);
    assert.equal((await status(first.clientSecret)).statusCode, 404, 'a new second, a new allowance');
    assert.equal((await status(first.clientSecret)).statusCode, 429, 'but the minute allows five');
    const retry = Number((await status(first.clientSecret)).headers['retry-after']);
    assert.ok(retry > 1 && retry <= 60, `retry after ${retry} s`);
  } finally {
    await app.close();
    await t.dispose();
  }
});
