/**
 * Connecting Microsoft 365 on the authorization page (SPEC 8b, 8c; issue 24) in Chromium: the
 * person picks "Microsoft 365", the fake identity platform's consent page
 * (test/support/fake-microsoft.ts) is answered with Allow, and the browser lands back at the
 * application's redirect URI with a code (exchanged for an account linked to office365) and its
 * state; Deny sends it back with error=access_denied and no code.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { createMicrosoftProvider } from '../../src/adapters/calendars/microsoft/provider.ts';
import type { AppContext } from '../../src/app/context.ts';
import { buildServer } from '../../src/server.ts';
import { CHROMIUM_MISSING, launchChromium } from '../support/browser.ts';
import { makeTestContext, type TestContext } from '../support/context.ts';
import { type FakeMicrosoft, startFakeMicrosoft } from '../support/fake-microsoft.ts';
import { freePort } from '../support/process.ts';
import { type Scenario, seedScenario } from '../support/scenario.ts';

const browser: Browser | null = await launchChromium();
const skip = browser === null ? CHROMIUM_MISSING : false;

let t: TestContext;
let ms: FakeMicrosoft;
let app: ReturnType<typeof buildServer>;
let s: Scenario;
let url: string;
let target: { url: string; close(): Promise<void> };

/** The application's redirect URI: a page that says the browser is back. */
async function startTarget() {
  const http = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end('<!doctype html><html lang="en"><title>The app</title><h1>Back at the app</h1></html>');
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/callback`,
    close: () => new Promise<void>((resolve) => http.close(() => resolve())),
  };
}

before(async () => {
  if (skip !== false) return;
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  t = await makeTestContext({ start: Date.UTC(2026, 0, 5, 8), env: { PUBLIC_URL: url } });
  ms = await startFakeMicrosoft({ now: () => t.clock.now() });
  ms.addUser({ mail: 'ana@contoso.example', timeZone: 'Europe/London' });
  const provider = createMicrosoftProvider({
    clientId: ms.clientId,
    clientSecret: ms.clientSecret,
    authUrl: ms.authUrl,
    tokenUrl: ms.tokenUrl,
    graphUrl: ms.graphUrl,
    now: () => t.clock.now(),
    sleep: async () => undefined,
  });
  const ctx: AppContext = { ...t.ctx, providers: { office365: provider } };
  app = buildServer({ ctx, logger: false, version: 'test' });
  await app.listen({ port, host: '127.0.0.1' });
  s = await seedScenario(ctx);
  target = await startTarget();
  const set = await app.inject({
    method: 'PATCH',
    url: '/v1/application',
    headers: { authorization: `Bearer ${s.clientSecret}` },
    payload: { redirect_uris: [target.url] },
  });
  assert.equal(set.statusCode, 200, set.body);
});

after(async () => {
  await browser?.close();
  if (skip !== false) return;
  await app?.close();
  await ms?.close();
  await target?.close();
  await t?.dispose();
});

function authorizeUrl(): string {
  const params = new URLSearchParams({
    response_type: 'code',
    client_id: s.clientId,
    redirect_uri: target.url,
    scope: 'read_write',
    state: 'opaque-365',
  });
  return `${url}/oauth/authorize?${params.toString()}`;
}

/** Opens the page, picks Microsoft 365, answers the consent page; resolves where the browser lands. */
async function connect(decision: 'Allow' | 'Deny'): Promise<URL> {
  const context = await browser!.newContext({ locale: 'en-GB' });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  try {
    await page.goto(authorizeUrl());
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
    const token = await app.inject({
      method: 'POST',
      url: '/oauth/token',
      payload: {
        grant_type: 'authorization_code',
        client_id: s.clientId,
        client_secret: s.clientSecret,
        code: landed.searchParams.get('code') ?? '',
        redirect_uri: target.url,
      },
    });
    assert.equal(token.statusCode, 200, token.body);
    assert.equal(token.json().linking_profile.provider_name, 'office365');
    assert.equal(token.json().linking_profile.profile_name, 'ana@contoso.example');
  });

  test('Deny: back at the application with error=access_denied, the state and no code', async () => {
    const landed = await connect('Deny');
    assert.equal(landed.searchParams.get('error'), 'access_denied');
    assert.equal(landed.searchParams.get('state'), 'opaque-365');
    assert.equal(landed.searchParams.get('code'), null);
  });
});
