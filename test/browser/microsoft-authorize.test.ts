/**
 * Connecting Microsoft 365 on the authorization page (SPEC 8b, 8c; issue 24) in Chromium: the
 * person picks "Microsoft 365", the fake identity platform's consent page
 * (test/support/fake-microsoft.ts) is answered with Allow, and the browser lands back at the
 * application's redirect URI with a code (exchanged for an account linked to office365) and its
 * state; Deny sends it back with error=access_denied and no code.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { CHROMIUM_MISSING, launchChromium, startRedirectTarget } from '../support/browser.ts';
import { type FakeMicrosoft, startFakeMicrosoft } from '../support/fake-microsoft.ts';
import { microsoftProviderOn, noWait } from '../support/provider-clients.ts';
import {
  authorizeUrl,
  exchangeCode,
  type ProviderServer,
  startProviderServer,
} from '../support/provider-kit.ts';

const browser: Browser | null = await launchChromium();
const skip = browser === null ? CHROMIUM_MISSING : false;

let server: ProviderServer;
let ms: FakeMicrosoft;
let url: string;
let target: { url: string; close(): Promise<void> };

before(async () => {
  if (skip !== false) return;
  target = await startRedirectTarget();
  server = await startProviderServer({
    start: Date.UTC(2026, 0, 5, 8),
    providers: async (t) => {
      const now = () => t.clock.now();
      ms = await startFakeMicrosoft({ now });
      ms.addUser({ mail: 'ana@contoso.example', timeZone: 'Europe/London' });
      return { office365: microsoftProviderOn(ms, { now, sleep: noWait }) };
    },
    redirectUris: [target.url],
  });
  url = server.url;
});

after(async () => {
  await browser?.close();
  if (skip !== false) return;
  await server?.close();
  await ms?.close();
  await target?.close();
});

/** Opens the page, picks Microsoft 365, answers the consent page; resolves where the browser lands. */
async function connect(decision: 'Allow' | 'Deny'): Promise<URL> {
  const context = await browser!.newContext({ locale: 'en-GB' });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  try {
    await page.goto(authorizeUrl(url, server.s, { redirectUri: target.url, state: 'opaque-365' }));
    const choice = page.locator('#provider-office365');
    assert.equal((await choice.textContent())?.trim(), 'Microsoft 365');
    await Promise.all([page.waitForURL(`${ms.authUrl}?**`), choice.click()]);
    assert.equal(await page.locator('h1').textContent(), 'Permissions requested');
    const redirect = new URL(page.url()).searchParams.get('redirect_uri');
    assert.equal(redirect, `${url}/oauth/callback/microsoft`);
    await Promise.all([
      page.waitForURL(`${target.url}?**`),
      page.getByRole('button', { name: decision }).click(),
    ]);
    assert.equal(await page.locator('h1').textContent(), 'Back at the app');
    assert.deepEqual(problems, []);
    return new URL(page.url());
  } finally {
    await context.close();
  }
}

describe('Microsoft 365 on the authorization page in Chromium', { skip }, () => {
  test('Allow: back at the application with a code for an office365 profile and the state', async () => {
    const landed = await connect('Allow');
    assert.equal(landed.searchParams.get('state'), 'opaque-365');
    assert.equal(landed.searchParams.get('error'), null);
    const token = await exchangeCode(server.api, server.s, landed.searchParams.get('code') ?? '', target.url);
    assert.equal(token.linking_profile.provider_name, 'office365');
    assert.equal(token.linking_profile.profile_name, 'ana@contoso.example');
  });

  test('Deny: back at the application with error=access_denied, the state and no code', async () => {
    const landed = await connect('Deny');
    assert.equal(landed.searchParams.get('error'), 'access_denied');
    assert.equal(landed.searchParams.get('state'), 'opaque-365');
    assert.equal(landed.searchParams.get('code'), null);
  });
});
