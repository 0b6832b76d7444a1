/**
 * Connecting Google on the authorization page in Chromium (issue 23): the person picks Google on the
 * provider choice, lands on (the fake) Google's consent page, clicks Allow and ends on the
 * application's redirect URI with a code and its state; Deny ends there with `error=access_denied`
 * and the state.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { createGoogleProvider } from '../../src/adapters/calendars/google/provider.ts';
import { buildServer } from '../../src/server.ts';
import { CHROMIUM_MISSING, launchChromium } from '../support/browser.ts';
import { makeTestContext, type TestContext } from '../support/context.ts';
import { type FakeGoogle, startFakeGoogle } from '../support/fake-google.ts';
import { freePort } from '../support/process.ts';
import { type Scenario, seedScenario } from '../support/scenario.ts';

const browser: Browser | null = await launchChromium();
const skip = browser === null ? CHROMIUM_MISSING : false;

describe('Google on the authorization page in Chromium', { skip }, () => {
  let t: TestContext;
  let google: FakeGoogle;
  let app: ReturnType<typeof buildServer>;
  let s: Scenario;
  let url: string;
  let target: { url: string; close(): Promise<void> };

  before(async () => {
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    t = await makeTestContext({ start: Date.now(), env: { PUBLIC_URL: url } });
    google = await startFakeGoogle();
    google.addUser('ana@example.com');
    google.setConsent({ mode: 'page' });
    const provider = createGoogleProvider({
      clientId: google.clientId,
      clientSecret: google.clientSecret,
      authUrl: google.authUrl,
      tokenUrl: google.tokenUrl,
      apiUrl: google.apiUrl,
    });
    app = buildServer({ ctx: { ...t.ctx, providers: { google: provider } }, logger: false, version: 'test' });
    await app.listen({ port, host: '127.0.0.1' });
    s = await seedScenario(t.ctx);
    const http = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end('<!doctype html><html lang="en"><title>The app</title><h1>Back at the app</h1></html>');
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    target = {
      url: `http://127.0.0.1:${(http.address() as AddressInfo).port}/callback`,
      close: () => new Promise<void>((resolve) => http.close(() => resolve())),
    };
    const registered = await app.inject({
      method: 'PATCH',
      url: '/v1/application',
      headers: { authorization: `Bearer ${s.clientSecret}` },
      payload: { redirect_uris: [target.url] },
    });
    assert.equal(registered.statusCode, 200, registered.body);
  });

  after(async () => {
    await browser?.close();
    await app?.close();
    await google?.stop();
    await target?.close();
    await t?.dispose();
  });

  /** Opens the authorization page, picks Google, and answers on the consent page with `decision`. */
  async function connect(decision: 'Allow' | 'Deny'): Promise<URL> {
    const context = await browser!.newContext({ locale: 'en-GB' });
    try {
      const page = await context.newPage();
      const query = new URLSearchParams({
        response_type: 'code',
        client_id: s.clientId,
        redirect_uri: target.url,
        scope: 'read_write',
        state: 'opaque-7',
      });
      await page.goto(`${url}/oauth/authorize?${query}`);
      await Promise.all([page.waitForURL(`${google.authUrl}?**`), page.click('#provider-google')]);
      const consent = new URL(page.url());
      assert.equal(consent.searchParams.get('redirect_uri'), `${url}/oauth/callback/google`);
      assert.equal(consent.searchParams.get('access_type'), 'offline');
      assert.equal(await page.locator('h1').textContent(), 'Choose an account');
      await Promise.all([
        page.waitForURL(`${target.url}?**`),
        page.click(`button[value="${decision.toLowerCase()}"]`),
      ]);
      assert.equal(await page.locator('h1').textContent(), 'Back at the app');
      return new URL(page.url());
    } finally {
      await context.close();
    }
  }

  test('Allow: back at the application with a code and the state; the code is a Google account', async () => {
    const landed = await connect('Allow');
    assert.equal(landed.searchParams.get('state'), 'opaque-7');
    assert.equal(landed.searchParams.get('error'), null);
    const code = landed.searchParams.get('code');
    assert.ok(code, landed.href);
    const token = await app.inject({
      method: 'POST',
      url: '/oauth/token',
      payload: {
        grant_type: 'authorization_code',
        client_id: s.clientId,
        client_secret: s.clientSecret,
        code,
        redirect_uri: target.url,
      },
    });
    assert.equal(token.statusCode, 200, token.body);
    assert.equal(token.json().linking_profile.provider_name, 'google');
    assert.equal(token.json().linking_profile.profile_name, 'ana@example.com');
  });

  test('Deny: back at the application with error=access_denied and the state, no code', async () => {
    const landed = await connect('Deny');
    assert.equal(landed.searchParams.get('error'), 'access_denied');
    assert.equal(landed.searchParams.get('state'), 'opaque-7');
    assert.equal(landed.searchParams.get('code'), null);
  });
});
