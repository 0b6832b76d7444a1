/**
 * SPEC 7: application calendars are idempotent per application_calendar_id and answer the exact
 * token shape; `POST /oauth/token` with a refresh token issues a fresh pair (through the official
 * client's refreshAccessToken) and spends the old refresh token.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { createApplication } from '../../src/app/accounts/applications.ts';
import { listenApi } from '../support/api-server.ts';
import { makeTestContext } from '../support/context.ts';

const require = createRequire(import.meta.url);
const Cronofy = require('cronofy') as new (
  options: Record<string, string>,
) => {
  urls: { api: string };
  refreshAccessToken(options?: Record<string, string>): Promise<Record<string, string>>;
  listCalendars(options?: Record<string, string>): Promise<{ calendars: unknown[] }>;
};

test('7 application calendars are idempotent and refresh tokens rotate', async () => {
  const t = await makeTestContext();
  const api = await listenApi(t);
  try {
    const app = await createApplication(t.ctx, 'OAuth test');
    const create = async () =>
      (await fetch(`${api.url}/v1/application_calendars`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          client_id: app.clientId,
          client_secret: app.clientSecret,
          application_calendar_id: 'room-7',
        }),
      }).then((r) => r.json())) as Record<string, unknown>;
    const first = await create();
    assert.deepEqual(Object.keys(first).sort(), [
      'access_token',
      'application_calendar_id',
      'expires_in',
      'linking_profile',
      'refresh_token',
      'scope',
      'sub',
      'token_type',
    ]);
    assert.equal(first.token_type, 'bearer');
    assert.equal(first.scope, 'read_write');
    assert.match(String(first.sub), /^acc_/);
    assert.equal((first.linking_profile as Record<string, string>).provider_name, 'cronofy');
    assert.match((first.linking_profile as Record<string, string>).profile_id!, /^pro_/);
    const second = await create();
    assert.equal(second.sub, first.sub, 'the same account every time');

    const client = new Cronofy({
      client_id: app.clientId,
      client_secret: app.clientSecret,
      refresh_token: String(first.refresh_token),
    });
    client.urls.api = api.url;
    const refreshed = await client.refreshAccessToken();
    assert.equal(refreshed.sub, first.sub);
    assert.notEqual(refreshed.access_token, first.access_token);
    const account = new Cronofy({ access_token: refreshed.access_token! });
    account.urls.api = api.url;
    const calendars = await account.listCalendars();
    assert.equal(calendars.calendars.length, 1);

    const spent = await fetch(`${api.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: String(first.refresh_token),
        client_id: app.clientId,
        client_secret: app.clientSecret,
      }).toString(),
    });
    // SPEC 3 (token lifecycle): a spent refresh token is a 400 invalid_grant, as in OAuth 2.
    assert.equal(spent.status, 400, 'a spent refresh token is refused');
    assert.deepEqual(await spent.json(), { error: 'invalid_grant' });
  } finally {
    await api.close();
    await t.dispose();
  }
});
