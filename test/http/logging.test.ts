/**
 * Logs are structured JSON with request ids, and no secret or token ever reaches a line: not the
 * client secret, not an access token, not a booking-page token in a URL.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildServer } from '../../src/server.ts';
import { makeLogger } from '../../src/wiring/wire.ts';
import { makeTestContext } from '../support/context.ts';
import { seedScenario, twoStepLinkBody } from '../support/scenario.ts';

test('request logs carry request ids and never a secret or token', async () => {
  const t = await makeTestContext();
  const lines: string[] = [];
  const logger = makeLogger(t.ctx.config, { write: (line: string) => void lines.push(line) });
  const app = buildServer({ ctx: t.ctx, logger, version: 'test' });
  try {
    const s = await seedScenario(t.ctx);
    const created = await app.inject({
      method: 'POST',
      url: '/v1/real_time_sequencing',
      headers: { authorization: `Bearer ${s.clientSecret}` },
      payload: twoStepLinkBody(s),
    });
    assert.equal(created.statusCode, 200);
    const url = (created.json() as { url: string }).url;
    const token = url.split('/').pop()!;
    await app.inject({ method: 'GET', url: new URL(url).pathname });
    await app.inject({
      method: 'GET',
      url: `/v1/real_time_sequencing?token=${token}`,
      headers: { authorization: `Bearer ${s.clientSecret}` },
    });
    await app.inject({
      method: 'POST',
      url: '/v1/application_calendars',
      payload: { client_id: s.clientId, client_secret: s.clientSecret, application_calendar_id: 'logged' },
    });
    await app.inject({
      method: 'GET',
      url: '/v1/calendars',
      headers: { authorization: `Bearer ${s.recruiter.accessToken}` },
    });
    await app.inject({
      method: 'GET',
      url: '/v1/calendars',
      headers: { authorization: 'Bearer wrong-token' },
    });

    const text = lines.join('');
    assert.ok(lines.length >= 6, 'requests were logged');
    for (const secret of [s.clientSecret, s.recruiter.accessToken, token, 'wrong-token']) {
      assert.ok(!text.includes(secret), `a log line contains ${secret.slice(0, 6)}…`);
    }
    const entries = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    // One line per answered request (server.ts logRequests).
    const requests = entries.filter((e) => e.msg === 'request');
    assert.equal(requests.length, 6);
    for (const entry of requests) {
      assert.equal(typeof entry.reqId, 'string');
      assert.equal(typeof entry.status, 'number');
      assert.equal(entry.service, 'rtseq');
      assert.equal(entry.data_center, 'us');
    }
    assert.ok(requests.some((e) => String(e.url).includes('/book/[redacted]')));
    assert.ok(
      requests.some((e) => e.client_id === s.clientId),
      'authenticated requests name their client',
    );
  } finally {
    await app.close();
    await t.dispose();
  }
});

test('the OpenAPI document covers every endpoint of the specification', async () => {
  const t = await makeTestContext();
  const app = buildServer({ ctx: t.ctx, logger: false, version: 'test' });
  try {
    const document = (await app.inject({ method: 'GET', url: '/v1/openapi.json' })).json() as {
      paths: Record<string, Record<string, { tags?: string[] }>>;
    };
    const expected: [string, string][] = [
      ['post', '/v1/application_calendars'],
      ['post', '/oauth/token'],
      ['get', '/v1/calendars'],
      ['post', '/v1/calendars'],
      ['post', '/v1/calendars/{calendar_id}/events'],
      ['delete', '/v1/calendars/{calendar_id}/events'],
      ['get', '/v1/events'],
      ['get', '/v1/free_busy'],
      ['post', '/v1/availability_rules'],
      ['get', '/v1/availability_rules'],
      ['delete', '/v1/availability_rules/{availability_rule_id}'],
      ['post', '/v1/available_periods'],
      ['get', '/v1/available_periods'],
      ['delete', '/v1/available_periods'],
      ['post', '/v1/availability'],
      ['post', '/v1/sequenced_availability'],
      ['post', '/v1/real_time_sequencing'],
      ['get', '/v1/real_time_sequencing'],
      ['get', '/v1/real_time_sequencing/{id}'],
      ['post', '/v1/real_time_sequencing/{id}/disable'],
      ['post', '/v1/real_time_scheduling'],
      ['get', '/v1/real_time_scheduling/{id}'],
      ['post', '/v1/real_time_scheduling/{id}/disable'],
      ['get', '/v1/status'],
      ['get', '/v1/callbacks'],
      ['post', '/v1/callbacks/{id}/replay'],
    ];
    const missing = expected.filter(([method, path]) => document.paths[path]?.[method] === undefined);
    assert.deepEqual(missing, []);
    assert.deepEqual(document.paths['/v1/real_time_sequencing']!.post!.tags, ['cronofy']);
    assert.deepEqual(document.paths['/v1/callbacks']!.get!.tags, ['rtseq']);
  } finally {
    await app.close();
    await t.dispose();
  }
});
