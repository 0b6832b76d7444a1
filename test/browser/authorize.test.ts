/**
 * The authorization page (SPEC 8b) in Chromium, as a person connecting their calendar: the
 * provider choice, a CalDAV login against a real Radicale (a wrong password said on the page, then
 * the right one), an ICS feed served by the test, cancel, German, a browser without JavaScript and
 * the keyboard. axe-core finds no serious or critical violations in either colour scheme; the
 * application's page receives the code, which the official Node client exchanges.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { CHROMIUM_MISSING, launchChromium, startRedirectTarget } from '../support/browser.ts';
import { type IcsFeedServer, startIcsFeedServer } from '../support/ics-feed-server.ts';
import { createCalendar, putRawEvent, type RadicaleServer, startRadicale } from '../support/radicale.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const Cronofy = require('cronofy') as new (
  options: Record<string, string>,
) => {
  urls: { api: string };
  requestAccessToken(options: Record<string, string>): Promise<Record<string, unknown>>;
};
const SCREENSHOTS = 'test-output/screenshots';

const browser: Browser | null = await launchChromium();
const radicale: RadicaleServer | null = browser === null ? null : await startRadicale();
const skip = browser === null ? CHROMIUM_MISSING : radicale === null ? 'radicale not installed' : false;

let server: TestServer;
let feed: IcsFeedServer;
let target: { url: string; close(): Promise<void> };

function busyEvent(uid: string, start: string, end: string): string {
  const stamp = (iso: string) => iso.replace(/[-:]/g, '');
  return [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//rtseq tests//EN',
    'BEGIN:VEVENT',
    `UID:${uid}`,
    'DTSTAMP:20260101T000000Z',
    `DTSTART:${stamp(start)}`,
    `DTEND:${stamp(end)}`,
    'SUMMARY:Busy',
    'END:VEVENT',
    'END:VCALENDAR',
    '',
  ].join('\r\n');
}

before(async () => {
  if (skip !== false) return;
  mkdirSync(SCREENSHOTS, { recursive: true });
  server = await startTestServer({
    external: { allowPrivate: true },
    env: { PAGE_RATE_LIMIT_PER_SECOND: '1000' },
  });
  feed = await startIcsFeedServer(busyEvent('feed-1', '2026-03-03T10:00:00Z', '2026-03-03T11:00:00Z'));
  target = await startRedirectTarget();
  const calendarUrl = await createCalendar(radicale!, 'work', 'Work');
  await putRawEvent(
    radicale!,
    calendarUrl,
    'busy.ics',
    busyEvent('cal-1', '2026-03-03T14:00:00Z', '2026-03-03T15:00:00Z'),
  );
  const set = await server.call('PATCH', '/v1/application', {
    token: server.clientSecret,
    body: { redirect_uris: [target.url], display_name: 'Acme Hiring', accent_colour: '#1d4ed8' },
  });
  assert.equal(set.status, 200, set.text);
});

after(async () => {
  await browser?.close();
  if (skip !== false) return;
  await server.close();
  await feed.stop();
  await radicale?.stop();
  await target.close();
});

function authorizeUrl(extra: Record<string, string> = {}): string {
  const params = new URLSearchParams({
    response_type: 'code',
    client_id: server.clientId,
    redirect_uri: target.url,
    scope: 'read_write',
    state: 'opaque-42',
    ...extra,
  });
  return `${server.url}/oauth/authorize?${params.toString()}`;
}

async function open(options: BrowserContextOptions = {}) {
  const context = await browser!.newContext({
    locale: 'en-GB',
    viewport: { width: 1280, height: 900 },
    ...options,
  });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && !/status of 4\d\d/.test(message.text())) problems.push(message.text());
  });
  return { page, problems, close: () => context.close() };
}

type AxeViolation = { id: string; impact: string | null; help: string; nodes: { target: unknown }[] };

async function assertAccessible(page: Page, label: string): Promise<void> {
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.evaluate(AXE_SOURCE);
    const violations = await page.evaluate(async () => {
      const axe = (globalThis as unknown as { axe: { run(): Promise<{ violations: AxeViolation[] }> } }).axe;
      const result = await axe.run();
      return result.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.map((n) => n.target),
      }));
    });
    const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    assert.deepEqual(serious, [], `${label} (${scheme}): ${JSON.stringify(serious, null, 2)}`);
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

async function exchange(code: string) {
  const client = new Cronofy({ client_id: server.clientId, client_secret: server.clientSecret });
  client.urls.api = server.url;
  return client.requestAccessToken({ code, redirect_uri: target.url });
}

async function busyHours(sub: string): Promise<string[][]> {
  const res = await server.call('POST', '/v1/availability', {
    token: server.clientSecret,
    body: {
      participants: [{ members: [{ sub }], required: 'all' }],
      required_duration: { minutes: 60 },
      query_periods: [{ start: '2026-03-03T09:00:00Z', end: '2026-03-03T16:00:00Z' }],
    },
  });
  assert.equal(res.status, 200, res.text);
  return res.json.available_periods.map((p: { start: string; end: string }) => [p.start, p.end]);
}

describe('authorization page in Chromium', { skip }, () => {
  test('CalDAV: choose, a wrong password is said on the page, the right one connects and its busy time counts', async () => {
    const { page, problems, close } = await open();
    try {
      await page.goto(authorizeUrl());
      assert.equal(await page.locator('h1').textContent(), 'Connect your calendar');
      assert.match((await page.locator('.brand-name').textContent()) ?? '', /Acme Hiring/);
      await assertAccessible(page, 'choice');
      await page.screenshot({ path: `${SCREENSHOTS}/authorize-choice.png`, fullPage: true });
      await page.click('#provider-caldav');
      await page.fill('#server_url', radicale!.url);
      await page.fill('#username', radicale!.username);
      await page.fill('#password', 'wrong password');
      await page.click('#connect');
      await page.waitForSelector('#password-error');
      assert.match((await page.locator('#password-error').textContent()) ?? '', /did not accept/);
      assert.equal(await page.locator('#password').getAttribute('aria-invalid'), 'true');
      assert.equal(await page.inputValue('#password'), '', 'the password is never sent back');
      assert.equal(await page.inputValue('#server_url'), radicale!.url, 'what was typed stays');
      await assertAccessible(page, 'caldav with an error');
      await page.screenshot({ path: `${SCREENSHOTS}/authorize-caldav-error.png`, fullPage: true });
      await page.fill('#password', radicale!.password);
      await Promise.all([page.waitForURL(`${target.url}?**`), page.click('#connect')]);
      const landed = new URL(page.url());
      assert.equal(landed.searchParams.get('state'), 'opaque-42');
      const token = await exchange(landed.searchParams.get('code') ?? '');
      assert.equal((token.linking_profile as Record<string, string>).provider_name, 'caldav');
      assert.deepEqual(await busyHours(String(token.sub)), [
        ['2026-03-03T09:00:00Z', '2026-03-03T14:00:00Z'],
        ['2026-03-03T15:00:00Z', '2026-03-03T16:00:00Z'],
      ]);
      assert.deepEqual(problems, []);
    } finally {
      await close();
    }
  });

  test('ICS feed in German with provider_name, by keyboard', async () => {
    const { page, problems, close } = await open({ locale: 'de-DE' });
    try {
      await page.goto(authorizeUrl({ provider_name: 'ics' }));
      assert.equal(await page.locator('html').getAttribute('lang'), 'de-DE');
      assert.equal(await page.locator('h1').textContent(), 'Kalender-Feed verbinden');
      await assertAccessible(page, 'ics (de)');
      await page.screenshot({ path: `${SCREENSHOTS}/authorize-ics-de.png`, fullPage: true });
      await page.focus('#url');
      await page.keyboard.type(feed.url);
      await Promise.all([page.waitForURL(`${target.url}?**`), page.keyboard.press('Enter')]);
      const token = await exchange(new URL(page.url()).searchParams.get('code') ?? '');
      assert.equal((token.linking_profile as Record<string, string>).provider_name, 'ics');
      assert.deepEqual(await busyHours(String(token.sub)), [
        ['2026-03-03T09:00:00Z', '2026-03-03T10:00:00Z'],
        ['2026-03-03T11:00:00Z', '2026-03-03T16:00:00Z'],
      ]);
      assert.deepEqual(problems, []);
    } finally {
      await close();
    }
  });

  test('without JavaScript: cancel goes back with error=access_denied and the state', async () => {
    const { page, close } = await open({ javaScriptEnabled: false });
    try {
      await page.goto(authorizeUrl());
      await page.click('#provider-ics');
      await page.fill('#url', '');
      await page.click('#connect');
      assert.match((await page.locator('#url-error').textContent()) ?? '', /Enter the address of the feed/);
      await Promise.all([page.waitForURL(`${target.url}?**`), page.click('#cancel')]);
      const landed = new URL(page.url());
      assert.equal(landed.searchParams.get('error'), 'access_denied');
      assert.equal(landed.searchParams.get('state'), 'opaque-42');
      assert.equal(landed.searchParams.get('code'), null);
    } finally {
      await close();
    }
  });

  test('an unregistered redirect URI: the page says so and the browser stays', async () => {
    const { page, close } = await open();
    try {
      const response = await page.goto(authorizeUrl({ redirect_uri: 'https://attacker.example/catch' }));
      assert.equal(response?.status(), 400);
      assert.equal(new URL(page.url()).pathname, '/oauth/authorize');
      assert.equal(await page.locator('h1').textContent(), 'This link cannot be used');
      await assertAccessible(page, 'refused');
    } finally {
      await close();
    }
  });
});
