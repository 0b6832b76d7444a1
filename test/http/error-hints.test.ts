/**
 * Errors that say the fix (issue 16): a loopback callback URL names ALLOW_PRIVATE_CALLBACKS; a
 * known credential of the wrong kind names the one the endpoint needs, unlike an unknown one.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../../src/server.ts';
import { makeTestContext, type TestContext } from '../support/context.ts';
import { type Scenario, seedScenario, twoStepLinkBody } from '../support/scenario.ts';

let t: TestContext;
let app: FastifyInstance;
let s: Scenario;

before(async () => {
  t = await makeTestContext({ env: { ALLOW_PRIVATE_CALLBACKS: 'false' } });
  app = buildServer({ ctx: t.ctx, logger: false, version: 'test' });
  s = await seedScenario(t.ctx);
});
after(async () => {
  await app.close();
  await t.dispose();
});

type Errors = Record<string, { key: string; description: string }[]>;

async function call(method: 'GET' | 'POST', url: string, bearer: string, payload?: unknown) {
  const response = await app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${bearer}` },
    ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
  });
  return { status: response.statusCode, errors: (response.json() as { errors: Errors }).errors };
}

test('a loopback callback_url is refused with the setting that allows it', async () => {
  const refused = await call(
    'POST',
    '/v1/real_time_sequencing',
    s.clientSecret,
    twoStepLinkBody(s, { callback_url: 'http://127.0.0.1:4000/callbacks' }),
  );
  assert.equal(refused.status, 422);
  const [problem] = refused.errors.callback_url!;
  assert.equal(problem!.key, 'errors.private_address');
  assert.match(problem!.description, /ALLOW_PRIVATE_CALLBACKS=true/);
});

test('an access token sent where the client secret is needed says so', async () => {
  const wrong = await call('GET', '/v1/callbacks', s.recruiter.accessToken);
  assert.equal(wrong.status, 401);
  assert.equal(wrong.errors.authorization![0]!.key, 'errors.unauthorized');
  assert.match(wrong.errors.authorization![0]!.description, /needs the application's client secret/);
  assert.match(wrong.errors.authorization![0]!.description, /access token was sent/);

  const unknown = await call('GET', '/v1/callbacks', 'no-such-secret');
  assert.equal(unknown.status, 401);
  assert.equal(unknown.errors.authorization![0]!.description, 'The credentials were not recognised');
});

test('a client secret sent where an access token is needed says so', async () => {
  const wrong = await call('GET', '/v1/calendars', s.clientSecret);
  assert.equal(wrong.status, 401);
  assert.match(wrong.errors.authorization![0]!.description, /needs an account's access token/);
  const unknown = await call('GET', '/v1/calendars', 'no-such-token');
  assert.equal(unknown.errors.authorization![0]!.description, 'The credentials were not recognised');
});

test('6.1 a link whose query periods have all ended is a 422 errors.in_the_past', async () => {
  const now = t.ctx.clock.now();
  const iso = (ms: number) => new Date(ms).toISOString();
  const body = (periods: { start: string; end: string }[]) => {
    const base = twoStepLinkBody(s);
    return { ...base, availability: { ...(base.availability as object), query_periods: periods } };
  };
  const past = await call(
    'POST',
    '/v1/real_time_sequencing',
    s.clientSecret,
    body([
      { start: iso(now - 3 * 86_400_000), end: iso(now - 2 * 86_400_000) },
      { start: iso(now - 2 * 3_600_000), end: iso(now) },
    ]),
  );
  assert.equal(past.status, 422);
  assert.deepEqual(Object.keys(past.errors), ['availability.query_periods']);
  assert.equal(past.errors['availability.query_periods']![0]!.key, 'errors.in_the_past');

  // One period still running is enough.
  const running = await app.inject({
    method: 'POST',
    url: '/v1/real_time_sequencing',
    headers: { authorization: `Bearer ${s.clientSecret}` },
    payload: body([
      { start: iso(now - 3 * 86_400_000), end: iso(now - 2 * 86_400_000) },
      { start: iso(now - 3_600_000), end: iso(now + 3_600_000) },
    ]),
  });
  assert.equal(running.statusCode, 200, running.body);
});
