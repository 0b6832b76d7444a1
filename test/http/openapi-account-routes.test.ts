import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../support/server.ts';

const ACCOUNT_ROUTES = [
  ['get', '/v1/calendars'],
  ['post', '/v1/calendars'],
  ['post', '/v1/calendars/{calendar_id}/events'],
  ['delete', '/v1/calendars/{calendar_id}/events'],
  ['delete', '/v1/events'],
  ['get', '/v1/events'],
  ['get', '/v1/events/pages/*'],
  ['get', '/v1/free_busy'],
  ['get', '/v1/free_busy/pages/*'],
  ['post', '/v1/availability_rules'],
  ['get', '/v1/availability_rules'],
  ['get', '/v1/availability_rules/{availability_rule_id}'],
  ['delete', '/v1/availability_rules/{availability_rule_id}'],
  ['post', '/v1/available_periods'],
  ['get', '/v1/available_periods'],
  ['delete', '/v1/available_periods'],
  ['get', '/v1/available_periods/pages/*'],
] as const;

describe('OpenAPI document: account endpoints', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  it('describes every calendar, event and managed-availability route with account auth', async () => {
    const res = await server.call('GET', '/v1/openapi.json');
    assert.equal(res.status, 200);
    for (const [method, path] of ACCOUNT_ROUTES) {
      const operation = res.json.paths[path]?.[method];
      assert.ok(operation, `${method} ${path}`);
      assert.deepEqual(operation.tags, ['cronofy'], `${method} ${path}`);
      assert.deepEqual(operation.security, [{ accessToken: [] }], `${method} ${path}`);
      assert.equal(typeof operation.summary, 'string');
      assert.ok(operation.responses['401'] && operation.responses['422'], `${method} ${path}`);
      const success =
        method === 'delete' || (method === 'post' && /events|available_periods/.test(path)) ? '202' : '200';
      assert.ok(operation.responses[success], `${method} ${path} ${success}`);
    }
    const events = res.json.paths['/v1/events'].get;
    assert.ok(events.parameters.some((p: { name: string }) => p.name === 'tzid'));
    assert.ok(events.parameters.some((p: { name: string }) => p.name === 'calendar_ids[]'));
    assert.ok(res.json.paths['/v1/calendars/{calendar_id}/events'].post.requestBody);
  });
});
