/**
 * Issue 21, item 2, at the HTTP edge: availability work is admitted in the lane of the request that
 * asked for it (booking pages or the API) and as its application, and work that is not admitted is
 * a 429 (API) or a 503 page (booking page), both with Retry-After. The policy itself is tested in
 * src/adapters/admission.test.ts; here the pool only records who asked, or refuses everything.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WorkerPoolCompute } from '../../src/adapters/compute/pool.ts';
import { createApplicationCalendar } from '../../src/app/accounts/accounts.ts';
import type { AppContext } from '../../src/app/context.ts';
import { currentComputeClient } from '../../src/http/compute-clients.ts';
import { type AvailabilityCompute, ComputeBusyError, type ComputeClient } from '../../src/ports/compute.ts';
import { buildServer } from '../../src/server.ts';
import { makeTestContext } from '../support/context.ts';
import { createTestLink, seedScenario, twoStepLinkBody } from '../support/scenario.ts';

/** A compute port that remembers whose work it was given, then refuses it as `reason`. */
function refusing(reason: 'full' | 'waited', seen: ComputeClient[]): AvailabilityCompute {
  const refuse = () => {
    const client = currentComputeClient();
    seen.push({ ...client });
    return Promise.reject(new ComputeBusyError(client.lane, reason, 2));
  };
  return { findAvailability: refuse, findSequences: refuse };
}

async function setUp(compute: AvailabilityCompute) {
  const t = await makeTestContext();
  const ctx: AppContext = { ...t.ctx, compute };
  const s = await seedScenario(ctx);
  const link = await createTestLink(ctx, s, twoStepLinkBody(s));
  const app = buildServer({ ctx, logger: false, version: 'test' });
  const api = () =>
    app.inject({
      method: 'POST',
      url: '/v1/sequenced_availability',
      remoteAddress: '203.0.113.8',
      headers: { authorization: `Bearer ${s.clientSecret}` },
      payload: (twoStepLinkBody(s) as { availability: unknown }).availability as object,
    });
  const page = () => app.inject({ method: 'GET', url: `/book/${link.token}`, remoteAddress: '198.51.100.4' });
  return {
    s,
    api,
    page,
    close: async () => {
      await app.close();
      await t.dispose();
    },
  };
}

test('a full queue: 429 with Retry-After on the API, a 503 page with Retry-After on booking pages', async () => {
  const seen: ComputeClient[] = [];
  const t = await setUp(refusing('full', seen));
  try {
    const api = await t.api();
    assert.equal(api.statusCode, 429, api.body);
    assert.equal(api.headers['retry-after'], '2');
    assert.equal(JSON.parse(api.body).errors.rate_limit[0].key, 'errors.rate_limited');
    const page = await t.page();
    assert.equal(page.statusCode, 503);
    assert.equal(page.headers['retry-after'], '2');
    assert.match(String(page.headers['content-type']), /text\/html/);
    assert.match(page.body, /try again in 2 s/);
    assert.deepEqual(seen, [
      { lane: 'api', tenant: `app:${t.s.application.id}` },
      { lane: 'page', tenant: 'ip:198.51.100.4' },
    ]);
  } finally {
    await t.close();
  }
});

test('work that waited out its budget is a 503 on the API too', async () => {
  const t = await setUp(refusing('waited', []));
  try {
    const api = await t.api();
    assert.equal(api.statusCode, 503, api.body);
    assert.equal(api.headers['retry-after'], '2');
    assert.equal(JSON.parse(api.body).errors.server[0].key, 'errors.unavailable');
  } finally {
    await t.close();
  }
});

test('through the real pool: an application over its share gets 429 while others are served', async () => {
  // A share of 0 refuses the application's every job: no timing involved.
  const pool = new WorkerPoolCompute({
    workers: 1,
    budgetMs: 60_000,
    admission: { api: { queue: 8, perTenant: 0 }, page: { queue: 8, perTenant: 8 } },
    clientOf: currentComputeClient,
  });
  const t = await setUp(pool);
  try {
    assert.equal((await t.api()).statusCode, 429);
    assert.equal((await t.page()).statusCode, 200, 'the page lane has its own share');
    assert.equal(pool.refused, 1);
  } finally {
    await t.close();
    await pool.close();
  }
});

test('a large availability request is refused before its body is read while its application is at its share', async () => {
  let release = (): void => undefined;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  let entered = (): void => undefined;
  const inCompute = new Promise<void>((resolve) => {
    entered = resolve;
  });
  let calls = 0;
  const blocking: AvailabilityCompute = {
    findAvailability: () => Promise.reject(new Error('not used')),
    findSequences: async () => {
      calls += 1;
      entered();
      await released;
      return [];
    },
  };
  // One compute thread: one heavy request per application at a time (heavy-gate.ts).
  const t = await makeTestContext({ env: { COMPUTE_WORKERS: '1' } });
  const ctx: AppContext = { ...t.ctx, compute: blocking };
  const s = await seedScenario(ctx);
  const app = buildServer({ ctx, logger: false, version: 'test' });
  const day = Date.UTC(2026, 0, 6);
  const subs: string[] = [];
  for (let i = 0; i < 8; i++)
    subs.push((await createApplicationCalendar(ctx, s.application, `m${i}`)).account.id);
  // 20 steps of 8 members with 1-minute starts over 89 days: cost 2, a heavy request.
  const heavy = {
    sequence: Array.from({ length: 20 }, (_, i) => ({
      sequence_id: `s${i}`,
      ordinal: i + 1,
      participants: [{ members: subs.map((sub) => ({ sub })), required: 1 }],
      required_duration: { minutes: 15 },
      start_interval: { minutes: 1 },
    })),
    query_periods: Array.from({ length: 89 }, (_, d) => ({
      start: new Date(day + d * 86_400_000).toISOString(),
      end: new Date(day + (d + 1) * 86_400_000).toISOString(),
    })),
  };
  const post = (payload: string) =>
    app.inject({
      method: 'POST',
      url: '/v1/sequenced_availability',
      headers: { authorization: `Bearer ${s.clientSecret}`, 'content-type': 'application/json' },
      payload,
    });
  // Not even JSON: only a refusal before reading can answer it with anything but 422.
  const large = `{"sequence": [${' '.repeat(70 * 1024)}`;
  try {
    const first = post(JSON.stringify(heavy));
    await inCompute;
    const refused = await post(large);
    assert.equal(refused.statusCode, 429, refused.body);
    assert.equal(refused.headers['retry-after'], '2');
    assert.equal(calls, 1);
    release();
    assert.equal((await first).statusCode, 200);
    assert.equal((await post(large)).statusCode, 422, 'with room, the body is read (and found broken)');
  } finally {
    release();
    await app.close();
    await t.dispose();
  }
});
