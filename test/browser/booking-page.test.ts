/**
 * The booking page in a real browser (Debian's Chromium through playwright-core), as an invitee:
 * days, itineraries before booking, languages, zones (detection and search), the hour toggle,
 * choosing, confirming, the onward redirect, live removal of taken times, taken-meanwhile, "none
 * of these work", closed links, keyboard use and a browser without JavaScript. Every state is
 * screenshotted under test-output/screenshots/ and checked with axe-core (no serious or critical
 * violations), in several locales, desktop and phone, light and dark.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { disableLink } from '../../src/app/links/links.ts';
import { CHROMIUM_MISSING, launchChromium } from '../support/browser.ts';
import {
  csrfOf,
  interviewLink,
  optionKeysOf,
  singleLink,
  startWebServer,
  type TestAccount,
  type TestServer,
  Visitor,
} from '../web/fixtures.ts';
import { brandApplication, EVENT_SUMMARY, showcaseLink } from '../web/showcase.ts';

const HOUR = 3_600_000;
const SCREENSHOTS = 'test-output/screenshots';
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };

const browser: Browser | null = await launchChromium();
const skip = browser === null ? CHROMIUM_MISSING : false;

let server: TestServer;
let target: { url: string; hits: string[]; close(): Promise<void> };
let counter = 0;

/** The application's own page the invitee is sent on to. */
async function startTarget() {
  const hits: string[] = [];
  const http = createServer((request, response) => {
    hits.push(request.url ?? '/');
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end(
      '<!doctype html><html lang="en"><title>Organiser app</title><h1>Back at the app</h1></html>',
    );
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hits,
    close: () => new Promise<void>((resolve) => http.close(() => resolve())),
  };
}

before(async () => {
  if (browser === null) return;
  mkdirSync(SCREENSHOTS, { recursive: true });
  server = await startWebServer();
  target = await startTarget();
});

after(async () => {
  await browser?.close();
  if (browser === null) return;
  await server.close();
  await target.close();
});

async function people(engineers = 2) {
  counter += 1;
  const recruiter = await server.createAccount(`b-rec-${counter}`);
  const list: TestAccount[] = [];
  for (let i = 0; i < engineers; i++) list.push(await server.createAccount(`b-eng-${counter}-${i}`));
  return { recruiter, engineers: list };
}

function tomorrow(): { start: number; end: number } {
  const day = Math.floor(server.clock.now() / (24 * HOUR)) * 24 * HOUR + 24 * HOUR;
  return { start: day + 9 * HOUR, end: day + 17 * HOUR };
}

type Opened = { page: Page; problems: string[]; close(): Promise<void> };

/** A fresh browser context (own cookies); collects script errors and CSP violations. */
async function open(options: BrowserContextOptions & { phone?: boolean } = {}): Promise<Opened> {
  const { phone, ...rest } = options;
  const context = await browser!.newContext({
    locale: 'en-GB',
    timezoneId: 'Europe/London',
    ...(phone === true
      ? { viewport: PHONE, isMobile: true, hasTouch: true, deviceScaleFactor: 2 }
      : { viewport: DESKTOP }),
    ...rest,
  });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  return { page, problems, close: () => context.close() };
}

/** Screenshot at the current size, and for desktop contexts also at phone width. */
async function shoot(page: Page, name: string): Promise<void> {
  const size = page.viewportSize();
  if (size !== null && size.width > PHONE.width) {
    await page.screenshot({ path: `${SCREENSHOTS}/${name}-desktop.png`, fullPage: true });
    await page.setViewportSize(PHONE);
    await page.screenshot({ path: `${SCREENSHOTS}/${name}-phone.png`, fullPage: true });
    await page.setViewportSize(size);
  } else {
    await page.screenshot({ path: `${SCREENSHOTS}/${name}-phone.png`, fullPage: true });
  }
}

type AxeViolation = { id: string; impact: string | null; help: string; nodes: { target: unknown }[] };

/** axe-core in the page (evaluated through the driver, so the page's CSP still applies to it). */
async function assertAccessible(page: Page, label: string): Promise<void> {
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
  assert.deepEqual(serious, [], `${label}: ${JSON.stringify(serious, null, 2)}`);
}

/** Problems other than the expected failed loads of answers with these statuses (409, 410, 404). */
function unexpected(problems: readonly string[], statuses: readonly number[] = []): string[] {
  return problems.filter(
    (m) => !statuses.some((s) => m.includes(`the server responded with a status of ${s}`)),
  );
}

/** The start-time chips of the shown day. */
function chips(page: Page) {
  return page.locator('label.chip');
}

/** The action button of the chosen option (visible only once its chip is selected). */
function chosenAction(page: Page) {
  return page.locator('.options > input:checked + .chip + .detail button');
}

/** axe in both colour schemes: the dark theme has its own colours to check. */
async function assertAccessibleBoth(page: Page, label: string): Promise<void> {
  await assertAccessible(page, `${label} (light)`);
  await page.emulateMedia({ colorScheme: 'dark' });
  try {
    await assertAccessible(page, `${label} (dark)`);
  } finally {
    await page.emulateMedia({ colorScheme: 'light' });
  }
}

describe('booking page in Chromium', { skip }, () => {
  test('no_confirm: detects the zone, the itinerary of a two-day option is shown before booking, books, goes on', async () => {
    await brandApplication(server);
    const link = await showcaseLink(server, { redirectUri: `${target.url}/done?from=rtseq`, days: 3 });
    const { page, problems, close } = await open({ timezoneId: 'America/New_York' });
    try {
      await page.goto(`${server.url}${link.path}`);
      // The script notices the browser is in New York and swaps the times in without a reload.
      await page.waitForSelector('html[data-tz="America/New_York"]');
      assert.match(page.url(), /\?tz=America%2FNew_York$/);
      assert.equal(await chips(page).first().locator('time').textContent(), '03:00');
      assert.equal(await page.locator('#tz').inputValue(), 'America/New_York');
      assert.equal(await page.locator('h1').textContent(), EVENT_SUMMARY);
      assert.match((await page.locator('.brand').textContent()) ?? '', /Globex Corporation/);
      assert.match((await page.locator('.organizer').textContent()) ?? '', /Dana Whitfield/);
      // Nothing is chosen yet: no itinerary and no Book button on screen.
      assert.equal(await page.locator('.detail:visible').count(), 0);
      await shoot(page, 'open');
      await assertAccessibleBoth(page, 'open page');

      // Back to London; the first day's later options run into the next morning.
      await page.goto(`${server.url}${link.path}?tz=Europe/London`);
      const twoDay = await page
        .locator('.detail')
        .evaluateAll((details) => details.findIndex((d) => d.querySelector('.other-day') !== null));
      assert.ok(twoDay > 0, 'the first day has an option that ends the next day');
      await chips(page).nth(twoDay).click();
      const detail = page.locator('.options > input:checked + .chip + .detail');
      await detail.waitFor();
      const text = (await detail.textContent()) ?? '';
      // Every step, its day when not the first step's, location, description, gap and total.
      assert.match(text, /11:30 – 12:15\s*Pre screen\s*Phone call \(we will call you\)\s*A short call/);
      assert.match(text, /19 hrs, 45 mins break/);
      assert.match(text, /on Wed 4 Mar\s*08:00 – 09:30\s*Face to face\s*Globex HQ, 1 Market Street, London/);
      assert.match(text, /Total: 22 hrs, from 11:30 to Wed 4 Mar, 09:30/);
      assert.ok(await chosenAction(page).isVisible());
      await shoot(page, 'itinerary');
      await assertAccessibleBoth(page, 'open page with an itinerary');

      await Promise.all([page.waitForURL(/\/book\/[^/]+\?tz=Europe%2FLondon$/), chosenAction(page).click()]);
      await page.getByText('You are booked').waitFor();
      const steps = await page.locator('.itinerary .when').allTextContents();
      assert.deepEqual(steps, ['11:30 – 12:15', 'on Wed 4 Mar 08:00 – 09:30']);
      assert.equal(
        await page.getByRole('link', { name: /Download all steps/ }).getAttribute('href'),
        `${link.path}/itinerary.ics`,
      );
      const google = await page.getByRole('link', { name: 'Google Calendar' }).first().getAttribute('href');
      assert.match(
        google ?? '',
        /^https:\/\/calendar\.google\.com\/calendar\/render\?action=TEMPLATE&text=Pre\+screen\+%E2%80%94\+Product\+Manager/,
      );
      const outlook = await page
        .getByRole('link', { name: 'Outlook on the web' })
        .nth(1)
        .getAttribute('href');
      assert.match(
        outlook ?? '',
        /^https:\/\/outlook\.live\.com\/calendar\/0\/deeplink\/compose\?.*subject=Face\+to\+face/,
      );
      await page.screenshot({ path: `${SCREENSHOTS}/completed-countdown-desktop.png`, fullPage: true });
      await assertAccessibleBoth(page, 'completed page');

      // No one stops the countdown: the browser lands on the application's page.
      await page.waitForURL(`${target.url}/**`, { timeout: 10_000 });
      const landed = new URL(page.url());
      assert.equal(landed.pathname, '/done');
      assert.equal(landed.searchParams.get('from'), 'rtseq');
      assert.equal(landed.searchParams.get('state'), 'pm-42');
      assert.equal(landed.searchParams.get('real_time_sequencing_id'), link.id);
      assert.deepEqual(problems, []);
    } finally {
      await close();
    }
  });

  test('day navigation: calendar days, next available day, month links, in place and by URL', async () => {
    const link = await showcaseLink(server, { days: 12 });
    const { page, problems, close } = await open({ phone: true });
    try {
      await page.goto(`${server.url}${link.path}`);
      const selected = page.locator('.calendar a[aria-current="date"]');
      assert.equal(await selected.textContent(), '3');
      assert.match((await page.locator('#times-title').textContent()) ?? '', /Tuesday 3 March/);
      await page.getByRole('link', { name: /Next available day: Wed 4 Mar/ }).click();
      await page.waitForURL(/day=2026-03-04/);
      assert.match((await page.locator('#times-title').textContent()) ?? '', /Wednesday 4 March/);
      assert.equal(await selected.textContent(), '4');
      // The day's times start at 08:00 again (the first day's engineers were busy from 11:00).
      assert.equal(await chips(page).first().locator('time').textContent(), '08:00');
      assert.ok((await chips(page).count()) >= 10);
      await page.locator('.calendar a', { hasText: /^12$/ }).click();
      await page.waitForURL(/day=2026-03-12/);
      assert.match((await page.locator('#times-title').textContent()) ?? '', /Thursday 12 March/);
      // The calendar keeps the page short on a phone: one month, not a wall of every time.
      const height = await page.evaluate(() => document.documentElement.scrollHeight);
      assert.ok(height < 4000, `page height ${height}`);
      await shoot(page, 'day');
      // Back goes to the previous day (history), and a day URL opens that day directly.
      await page.goBack();
      await page.waitForURL(/day=2026-03-04/);
      await page.locator('#times-title', { hasText: 'Wednesday 4 March' }).waitFor();
      assert.deepEqual(problems, []);
    } finally {
      await close();
    }
  });

  const WEEKDAYS: Record<string, RegExp> = {
    en: /Tue.*Wed/,
    de: /Di.*Mi/,
    fr: /mar\..*mer\./,
    es: /mar.*mié/,
    nl: /di.*wo/,
    ja: /火.*水/,
  };

  for (const [language, weekdays] of Object.entries(WEEKDAYS)) {
    test(`speaks ${language}: the link's locale, Intl weekday and month names`, async () => {
      const link = await showcaseLink(server, { days: 3, locale: language });
      const { page, problems, close } = await open({ locale: 'en-GB', phone: language === 'ja' });
      try {
        await page.goto(`${server.url}${link.path}`);
        assert.equal(await page.locator('html').getAttribute('lang'), language);
        const headers = (await page.locator('.calendar thead').textContent()) ?? '';
        assert.match(headers, weekdays);
        const month = new Intl.DateTimeFormat(language, {
          month: 'long',
          year: 'numeric',
          timeZone: 'UTC',
        }).format(Date.UTC(2026, 2, 3));
        assert.equal(await page.locator('#month-title').textContent(), month);
        assert.equal(await page.locator('#lang').inputValue(), language);
        if (language === 'de' || language === 'ja')
          await assertAccessibleBoth(page, `open page (${language})`);
        assert.deepEqual(problems, []);
      } finally {
        await close();
      }
    });
  }

  test('Accept-Language picks the language; the invitee switches language and clock on the page', async () => {
    const link = await showcaseLink(server, { days: 3 });
    const { page, problems, close } = await open({ locale: 'fr-FR' });
    try {
      await page.goto(`${server.url}${link.path}`);
      assert.equal(await page.locator('html').getAttribute('lang'), 'fr-FR');
      assert.match((await page.locator('#days-title').textContent()) ?? '', /Choisissez un jour/);
      // French clocks are 24-hour; switch to 12-hour: applies at once, no button.
      assert.equal(await chips(page).first().locator('time').textContent(), '08:00');
      await page.locator('#hf').selectOption('h');
      await page.waitForURL(/hf=h/);
      await page.waitForFunction(() =>
        /AM/.test(document.querySelector('label.chip time')?.textContent ?? ''),
      );
      assert.equal((await chips(page).first().locator('time').textContent())?.replace(/\s/g, ' '), '8:00 AM');
      assert.equal(await page.locator('.settings .apply').isHidden(), true);
      await page.locator('#lang').selectOption('de');
      await page.waitForURL(/lang=de/);
      await page.locator('html[lang="de-DE"], html[lang="de"]').waitFor();
      assert.match((await page.locator('#days-title').textContent()) ?? '', /Tag wählen/);
      assert.equal(await page.locator('#hf').inputValue(), 'h', 'the clock choice is kept');
      await assertAccessible(page, 'open page (de, 12-hour)');
      // The choice survives a reload (it is in the URL).
      await page.reload();
      assert.match((await page.locator('#days-title').textContent()) ?? '', /Tag wählen/);
      assert.deepEqual(problems, []);
    } finally {
      await close();
    }
  });

  test('zone search: friendly names with local times, canonical ids, applies at once', async () => {
    const link = await showcaseLink(server, { days: 3 });
    const { page, problems, close } = await open({ timezoneId: 'Asia/Calcutta' });
    try {
      await page.goto(`${server.url}${link.path}`);
      // The browser reports the old id; the page shows the canonical one.
      await page.waitForSelector('html[data-tz="Asia/Kolkata"]');
      assert.equal(await page.locator('#tz').inputValue(), 'Asia/Kolkata');
      assert.equal(await page.locator('#tz option[value="Asia/Calcutta"]').count(), 0);
      const label = (await page.locator('#tz option[value="Asia/Kolkata"]').textContent()) ?? '';
      assert.match(label, /^Kolkata · India Standard Time · \d\d:\d\d$/);
      await page.locator('#tz-search').fill('tokyo');
      const visible = await page.locator('#tz option:not([hidden])').allTextContents();
      assert.equal(visible.length, 1);
      assert.match(visible[0]!, /^Tokyo · Japan Standard Time · /);
      await page.locator('#tz-search').press('Enter');
      await page.waitForURL(/tz=Asia%2FTokyo/);
      await page.waitForSelector('html[data-tz="Asia/Tokyo"]');
      assert.equal(await chips(page).first().locator('time').textContent(), '17:00');
      // Choosing from the list applies on change too.
      await page.locator('#tz').selectOption('Europe/Berlin');
      await page.waitForURL(/tz=Europe%2FBerlin/);
      await page.waitForSelector('html[data-tz="Europe/Berlin"]');
      assert.equal(await chips(page).first().locator('time').textContent(), '09:00');
      await page.locator('#tz-search').fill('zzzz');
      assert.equal(await page.locator('#tz-none').isVisible(), true);
      await shoot(page, 'zone-search');
      assert.deepEqual(problems, []);
    } finally {
      await close();
    }
  });

  test('live: a time booked elsewhere is marked on the open page within 10 seconds', async () => {
    const p = await people(1);
    const period = tomorrow();
    const mine = await singleLink(server, p.recruiter, { periods: [period], eventId: 'live-mine' });
    const theirs = await singleLink(server, p.recruiter, { periods: [period], eventId: 'live-theirs' });
    const { page, problems, close } = await open();
    try {
      await page.goto(`${server.url}${mine.path}?tz=UTC`);
      const firstKey = await page.locator('.detail button').first().getAttribute('value');
      await chips(page).nth(2).click();

      const other = new Visitor(server);
      const otherPage = await other.get(theirs.path);
      const booked = await other.post(`${theirs.path}/choose`, {
        csrf: csrfOf(otherPage.body),
        option: firstKey!,
      });
      assert.equal(booked.status, 303);

      await page.locator('label.chip.gone').first().waitFor({ timeout: 10_000 });
      assert.equal(await page.locator('label.chip.gone').count(), 1);
      assert.equal(await page.locator('#o0').isDisabled(), true);
      assert.equal(await page.locator(`.detail button[value="${firstKey}"]`).count(), 0);
      assert.match((await page.locator('#live-status').textContent()) ?? '', /no longer available/);
      // The option the invitee had open stays open.
      assert.ok(await chosenAction(page).isVisible());
      await shoot(page, 'live-gone');
      await assertAccessible(page, 'page with a time marked gone');
      assert.deepEqual(problems, []);
    } finally {
      await close();
    }
  });

  test('confirm mode on a phone, keyboard only: skip link, hold, Back, Confirm, stay, Continue', async () => {
    const p = await people();
    const link = await interviewLink(server, p, {
      periods: [tomorrow()],
      selectionMode: 'confirm',
      hourFormat: 'h',
      redirectUri: `${target.url}/confirmed`,
      state: 'phone',
    });
    const { page, problems, close } = await open({ phone: true });
    try {
      await page.goto(`${server.url}${link.path}`);
      await shoot(page, 'open-12h');
      await assertAccessible(page, 'open page (phone)');
      assert.equal((await chips(page).first().locator('time').textContent())?.replace(/\s/g, ' '), '9:00 am');

      // The first Tab reaches the skip link; Enter moves focus to the day's times.
      await page.keyboard.press('Tab');
      await page.waitForFunction(() => document.activeElement?.textContent === 'Skip to the times', null, {
        timeout: 2000,
      });
      await page.keyboard.press('Enter');
      await page.waitForFunction(() => document.activeElement?.id === 'times', null, { timeout: 2000 });
      // Tab to the first time; arrow keys move between times; the focus ring is visible.
      let onPick = false;
      for (let i = 0; i < 10 && !onPick; i++) {
        await page.keyboard.press('Tab');
        onPick = await page.evaluate(() => document.activeElement?.matches('.options > input') === true);
      }
      assert.ok(onPick, 'a time is reachable with Tab right after the skip link');
      await page.keyboard.press('Space');
      // The focused time shows a focus ring (waited for: a busy machine lags behind the key press).
      await page.waitForFunction(
        () =>
          document.activeElement?.matches('.options > input') === true &&
          getComputedStyle(document.activeElement.nextElementSibling!).outlineStyle !== 'none',
        null,
        { timeout: 2000 },
      );
      await page.keyboard.press('ArrowRight');
      assert.equal(await page.evaluate(() => (document.activeElement as HTMLInputElement).checked), true);
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'o1');
      await page.keyboard.press('Tab');
      assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Continue with this time');
      await Promise.all([page.waitForURL(/\/confirm\?/), page.keyboard.press('Enter')]);
      await page.getByRole('heading', { name: 'Your itinerary' }).waitFor();
      assert.match((await page.locator('.hold').textContent()) ?? '', /held for you until .*\(5 minutes\)/);
      await shoot(page, 'confirm');
      await assertAccessibleBoth(page, 'confirmation page');
      // A reload of the confirmation page is a plain GET (no resubmission).
      await page.reload();
      await page.getByRole('heading', { name: 'Your itinerary' }).waitFor();

      await Promise.all([
        page.waitForURL(/\/book\/[^/]+\?tz=/),
        page.getByRole('button', { name: 'Back' }).click(),
      ]);
      await chips(page).first().waitFor();
      await chips(page).nth(1).click();
      await Promise.all([page.waitForURL(/\/confirm\?/), chosenAction(page).click()]);
      await Promise.all([
        page.waitForURL(/\/book\/[^/]+\?tz=/),
        page.getByRole('button', { name: 'Confirm' }).click(),
      ]);
      await page.getByText('You are booked').waitFor();
      await page.getByRole('button', { name: 'Stay on this page' }).click();
      assert.equal(await page.locator('#countdown').isHidden(), true);
      assert.match(
        ((await page.locator('.itinerary .when').first().textContent()) ?? '').replace(/\s/g, ' '),
        /9:15 am – 10:15 am/,
      );
      await shoot(page, 'completed');
      await assertAccessible(page, 'completed page');
      await page.waitForTimeout(5500);
      assert.match(page.url(), /\/book\//, 'Stay stopped the countdown');

      await Promise.all([
        page.waitForURL(`${target.url}/**`),
        page.getByRole('link', { name: 'Continue' }).click(),
      ]);
      const landed = new URL(page.url());
      assert.equal(landed.pathname, '/confirmed');
      assert.equal(landed.searchParams.get('state'), 'phone');
      assert.equal(landed.searchParams.get('real_time_sequencing_id'), link.id);
      assert.deepEqual(problems, []);
    } finally {
      await close();
    }
  });

  test('German on a phone, confirm mode: every state passes axe in light and dark', async () => {
    const link = await showcaseLink(server, { days: 2, selectionMode: 'confirm', locale: 'de' });
    const { page, problems, close } = await open({ phone: true, locale: 'de-DE' });
    try {
      await page.goto(`${server.url}${link.path}`);
      await assertAccessibleBoth(page, 'open page (de, phone)');
      await chips(page).first().click();
      await assertAccessibleBoth(page, 'itinerary (de, phone)');
      await Promise.all([page.waitForURL(/\/confirm\?/), chosenAction(page).click()]);
      await page.getByRole('heading', { name: 'Ihr Ablauf' }).waitFor();
      assert.match((await page.locator('.hold').textContent()) ?? '', /reserviert bis/);
      await assertAccessibleBoth(page, 'confirmation page (de, phone)');
      await Promise.all([
        page.waitForURL(/\/book\/[^/]+\?/),
        page.getByRole('button', { name: 'Bestätigen' }).click(),
      ]);
      await page.getByText('Sie sind gebucht').waitFor();
      await page.getByRole('button', { name: 'Auf dieser Seite bleiben' }).click();
      assert.equal(await page.getByRole('link', { name: 'Google Kalender' }).count(), 2);
      await assertAccessibleBoth(page, 'completed page (de, phone)');
      assert.deepEqual(problems, []);
    } finally {
      await close();
    }
  });

  test('taken meanwhile: another link books the time first', async () => {
    const p = await people(1);
    const period = tomorrow();
    const mine = await singleLink(server, p.recruiter, {
      periods: [period],
      eventId: 'mine',
      summary: 'Intro call',
    });
    const theirs = await singleLink(server, p.recruiter, { periods: [period], eventId: 'theirs' });
    const { page, problems, close } = await open();
    try {
      await page.goto(`${server.url}${mine.path}?tz=UTC`);
      const first = await page.locator('.detail button').first().getAttribute('value');

      const other = new Visitor(server);
      const otherPage = await other.get(theirs.path);
      assert.equal(optionKeysOf(otherPage.body)[0], first);
      const booked = await other.post(`${theirs.path}/choose`, {
        csrf: csrfOf(otherPage.body),
        option: first!,
      });
      assert.equal(booked.status, 303);

      await chips(page).first().click();
      await chosenAction(page).click();
      await page.getByText('that time was just booked by someone else').waitFor();
      const offered = await page
        .locator('.detail button')
        .evaluateAll((buttons) => buttons.map((b) => b.getAttribute('value')));
      assert.ok(!offered.includes(first), 'the taken time is gone from the fresh list');
      await shoot(page, 'taken');
      await assertAccessible(page, 'taken page');
      assert.deepEqual(problems, []);
    } finally {
      await close();
    }
  });

  test('"None of these times work" with a note tells the organiser; the skip link reaches it', async () => {
    const p = await people(1);
    const link = await singleLink(server, p.recruiter, {
      periods: [tomorrow()],
      noTimesSuitableUrl: `${target.url}/callback`,
    });
    const { page, problems, close } = await open();
    try {
      await page.goto(`${server.url}${link.path}`);
      // The page is loaded and idle before the keyboard starts (a busy machine may lag behind).
      await page.waitForLoadState('networkidle');
      let onSkip = false;
      for (let i = 0; i < 8 && !onSkip; i++) {
        await page.keyboard.press('Tab');
        onSkip = await page
          .waitForFunction(
            () => /None of these times work/.test(document.activeElement?.textContent ?? ''),
            null,
            {
              timeout: 300,
            },
          )
          .then(
            () => true,
            () => false,
          );
      }
      assert.ok(onSkip, 'the second skip link leads to "None of these times work"');
      assert.equal(await page.evaluate(() => document.activeElement?.className), 'skip');
      await page.keyboard.press('Enter');
      await page.waitForFunction(() => document.activeElement?.id === 'none', null, { timeout: 2000 });
      await page.getByLabel('A note for the organiser (optional)').fill('Evenings work better for me.');
      await page.getByRole('button', { name: 'None of these times work' }).click();
      await page.getByRole('heading', { name: 'Thanks, the organiser has been told' }).waitFor();
      assert.match(page.url(), /\/none\?.*told=1/);
      await shoot(page, 'none');
      await assertAccessible(page, 'none page');
      assert.deepEqual(problems, []);
    } finally {
      await close();
    }
  });

  test('no times, disabled, expired and unknown links name the organiser', async () => {
    const noTimes = await showcaseLink(server, { days: 2, noTimes: true });
    const disabled = await showcaseLink(server, { days: 2 });
    await disableLink(
      server.ctx,
      (await server.ctx.store.read((repos) => repos.links.byId(server.applicationId, disabled.id)))!,
      'This role has been filled. Thank you for your interest!\n— The team',
    );
    const p = await people(1);
    const soon = server.clock.now() + HOUR;
    const expired = await singleLink(server, p.recruiter, { periods: [{ start: soon, end: soon + HOUR }] });
    const { page, problems, close } = await open({ phone: true });
    try {
      await page.goto(`${server.url}${noTimes.path}`);
      assert.match((await page.locator('.empty').textContent()) ?? '', /no times available/);
      assert.equal(await page.getByRole('button', { name: 'None of these times work' }).count(), 0);
      assert.match(
        (await page.locator('.dead-end').textContent()) ?? '',
        /Dana Whitfield: dana\.whitfield@globex\.example/,
      );
      await shoot(page, 'no-times');
      await assertAccessibleBoth(page, 'no-times page');

      await page.goto(`${server.url}${disabled.path}`);
      assert.match((await page.locator('.message').textContent()) ?? '', /This role has been filled/);
      assert.match((await page.locator('.dead-end').textContent()) ?? '', /dana\.whitfield@globex\.example/);
      await shoot(page, 'disabled');
      await assertAccessibleBoth(page, 'disabled page');

      server.clock.advance(2 * HOUR);
      try {
        await page.goto(`${server.url}${expired.path}`);
        await page.getByRole('heading', { name: 'This booking link has expired' }).waitFor();
        await shoot(page, 'expired');
        await assertAccessible(page, 'expired page');
      } finally {
        server.clock.advance(-2 * HOUR);
      }

      const response = await page.goto(`${server.url}/book/NoSuchTokenNoSuchTokenNoSuchToken`);
      assert.equal(response?.status(), 404);
      await shoot(page, 'not-found');
      await assertAccessible(page, '404 page');
      assert.deepEqual(unexpected(problems, [404, 410]), []);
    } finally {
      await close();
    }
  });

  test('works with JavaScript disabled: day links, settings form, itinerary, plain forms all the way', async () => {
    const link = await showcaseLink(server, {
      days: 3,
      selectionMode: 'confirm',
      redirectUri: `${target.url}/nojs`,
    });
    const { page, close } = await open({ javaScriptEnabled: false, timezoneId: 'America/New_York' });
    try {
      await page.goto(`${server.url}${link.path}`);
      // Without script there is no detection: the link's zone is shown, and Apply is there.
      assert.equal(await page.locator('#tz').inputValue(), 'Europe/London');
      assert.equal(await page.locator('.zone-search').isHidden(), true);
      assert.equal(await chips(page).first().locator('time').textContent(), '08:00');
      await page.locator('#tz').selectOption('America/New_York');
      await page.locator('#lang').selectOption('es');
      await Promise.all([
        page.waitForURL(/tz=America%2FNew_York/),
        page.getByRole('button', { name: 'Apply' }).click(),
      ]);
      assert.equal(await chips(page).first().locator('time').textContent(), '03:00');
      assert.match((await page.locator('#days-title').textContent()) ?? '', /Elige un día/);
      // A day is a plain link with the day in the query string.
      await Promise.all([page.waitForURL(/day=2026-03-04/), page.locator('.next-day a').click()]);
      assert.match((await page.locator('#times-title').textContent()) ?? '', /4 de marzo/);
      // The itinerary opens with CSS alone when a time is chosen.
      await chips(page).nth(1).click();
      assert.ok(await page.locator('.options > input:checked + .chip + .detail ol').isVisible());
      await shoot(page, 'open-nojs');

      await Promise.all([page.waitForURL(/\/confirm\?/), chosenAction(page).click()]);
      await page.getByRole('button', { name: 'Confirmar' }).waitFor();
      await shoot(page, 'confirm-nojs');
      await Promise.all([
        page.waitForURL(/\/book\/[^/]+\?/),
        page.getByRole('button', { name: 'Confirmar' }).click(),
      ]);
      await page.getByText('Reserva hecha').waitFor();
      assert.equal(await page.locator('#countdown').isHidden(), true, 'no countdown without script');
      await shoot(page, 'completed-nojs');
      await Promise.all([
        page.waitForURL(`${target.url}/**`),
        page.getByRole('link', { name: 'Continuar' }).click(),
      ]);
      const landed = new URL(page.url());
      assert.equal(landed.pathname, '/nojs');
      assert.equal(landed.searchParams.get('state'), 'pm-42');
      assert.equal(landed.searchParams.get('real_time_sequencing_id'), link.id);
    } finally {
      await close();
    }
  });
});
