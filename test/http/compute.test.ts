/**
 * SPEC 9 "computation per request": availability work runs off the event loop in the worker pool,
 * within COMPUTE_BUDGET_MS; over it the answer is 422 errors.too_complex.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WorkerPoolCompute } from '../../src/adapters/compute/pool.ts';
import type { AvailabilityCompute } from '../../src/ports/compute.ts';
import { DEFAULT_NOW, startTestServer, type TestServer } from './../support/server.ts';

const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

/** 20 steps with one-minute start intervals over 90 working days: seconds of engine work. */
function heavyBody(subs: readonly string[]) {
  const first = DEFAULT_NOW + DAY;
  return {
    sequence: Array.from({ length: 20 }, (_, step) => ({
      sequence_id: `step-${step}`,
      ordinal: step + 1,
      participants: [{ members: subs.map((sub) => ({ sub })), required: 1 }],
      required_duration: { minutes: 15 },
      start_interval: { minutes: 1 },
      buffer: { before: { minimum: { minutes: 0 }, maximum: { minutes: 600 } } },
    })),
    query_periods: Array.from({ length: 89 }, (_, d) => ({
      start: iso(first + d * DAY),
      end: iso(first + d * DAY + 20 * 3_600_000),
    })),
  };
}

async function members(server: TestServer, count: number): Promise<string[]> {
  const subs: string[] = [];
  for (let i = 0; i < count; i += 1) subs.push((await server.createAccount(`member-${i}`)).sub);
  return subs;
}

async function post(server: TestServer, body: unknown): Promise<{ status: number; json: unknown }> {
  const response = await fetch(`${server.url}/v1/sequenced_availability`, {
    method: 'POST',
    headers: { authorization: `Bearer ${server.clientSecret}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: await response.json() };
}

test('work over COMPUTE_BUDGET_MS is a 422 errors.too_complex that says what to shrink', async (t) => {
  const compute = new WorkerPoolCompute({ workers: 1, budgetMs: 1 });
  const server = await startTestServer({ compute });
  t.after(async () => {
    await server.close();
    await compute.close();
  });
  const { status, json } = await post(server, heavyBody(await members(server, 3)));
  assert.equal(status, 422, JSON.stringify(json));
  const problems = (json as { errors: Record<string, { key: string; description: string }[]> }).errors;
  const problem = problems.sequence?.[0];
  assert.equal(problem?.key, 'errors.too_complex', JSON.stringify(json));
  assert.match(problem.description, /budget of 1 ms/);
  assert.match(problem.description, /query periods/);
  assert.match(problem.description, /start_interval/);
});

test('/healthz is answered while a heavy request is being computed', async (t) => {
  const pool = new WorkerPoolCompute({ workers: 1, budgetMs: 600_000 });
  // The pool, telling the test when the heavy request's work has been handed over.
  let handedOver = (): void => undefined;
  const submitted = new Promise<void>((resolve) => {
    handedOver = resolve;
  });
  const compute: AvailabilityCompute = {
    findAvailability: (query) => pool.findAvailability(query),
    findSequences: (query) => {
      handedOver();
      return pool.findSequences(query);
    },
  };
  const server = await startTestServer({ compute });
  t.after(async () => {
    await server.close();
    await pool.close();
  });
  const body = heavyBody(await members(server, 3));
  let heavyAnswered = false;
  const heavy = fetch(`${server.url}/v1/sequenced_availability`, {
    method: 'POST',
    headers: { authorization: `Bearer ${server.clientSecret}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  }).then((response) => {
    heavyAnswered = true; // the status line and headers are in: the server has finished its work
    return response;
  });
  await submitted;
  const probe = await fetch(`${server.url}/healthz`);
  assert.equal(probe.status, 200);
  assert.equal(heavyAnswered, false, '/healthz was answered only after the heavy request');
  const response = await heavy;
  assert.equal(response.status, 200, await response.text());
});
