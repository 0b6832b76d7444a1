/**
 * Connecting Google on the authorization page in Chromium (issue 23): the person picks Google on the
 * provider choice, lands on (the fake) Google's consent page, clicks Allow and ends on the
 * application's redirect URI with a code and its state; Deny ends there with `error=access_denied`
 * and the state.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { CHROMIUM_MISSING, launchChromium, startRedirectTarget } from '../support/browser.ts';
import { type FakeGoogle, startFakeGoogle } from '../support/fake-google.ts';
import { googleProviderOn } from '../support/provider-clients.ts';
import {
  authorizeUrl,
  exchangeCode,
  type ProviderServer,
  startProviderServer,
} from '../support/provider-kit.ts';

const browser: Browser | null = await launchChromium();
const skip = browser === null ? CHROMIUM_MISSING : false;

describe('Google on the authorization page in Chromium', { skip }, () => {
  let server: ProviderServer;
  let google: FakeGoogle;
  let url: string;
  let target: { url: string; close(): Promise<void> };

  before(async () => {
    target = await startRedirectTarget();
    server = await startProviderServer({
      start: Date.now(),
      providers: async () => {
        google = await startFakeGoogle();
        google.addUser('ana@example.com');
        google.setConsent({ mode: 'page' });
        return { google: googleProviderOn(google) };
      },
      redirectUris: [target.url],
    });
    url = server.url;
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    await google?.stop();
    await target?.close();
  });

  /** Opens the authorization page, picks Google, and answers on the consent page with `decision`. */
  async function connect(decision: 'Allow' | 'Deny'): Promise<URL> {
    const context = await browser!.newContext({ locale: 'en-GB' });
    try {
      const page = await context.newPage();
      await page.goto(authorizeUrl(url, server.s, { redirectUri: target.url, state: 'opaque-7' }));
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
    const token = await exchangeCode(server.api, server.s, code, target.url);
    assert.equal(token.linking_profile.provider_name, 'google');
    assert.equal(token.linking_profile.profile_name, 'ana@example.com');
  });

  test('Deny: back at the application with error=access_denied and the state, no code', async () => {
    const landed = await connect('Deny');
    assert.equal(landed.searchParams.get('error'), 'access_denied');
    assert.equal(landed.searchParams.get('state'), 'opaque-7');
    assert.equal(landed.searchParams.get('code'), null);
  });
});
