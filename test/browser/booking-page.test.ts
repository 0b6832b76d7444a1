/**
 * The booking page in a real browser (Debian's Chromium through playwright-core), as an invitee:
 * zones, choosing, confirming, the itinerary, the onward redirect, taken-meanwhile, "none of these
 * work", closed links, keyboard use and a browser without JavaScript. Every state is screenshotted
 * under test-output/screenshots/ and checked with axe-core (no serious or critical violations).
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { disableLink } from '../../src/app/links.ts';
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

function slotButtons(page: Page) {
  return page.locator('button.slot');
}

describe('booking page in Chromium', { skip }, () => {
  test('no_confirm: detects the zone, switches zones, books, shows the itinerary, goes on', async () => {
    const p = await people();
    const link = await interviewLink(server, p, {
      periods: [tomorrow()],
      redirectUri: `${target.url}/done?from=rtseq`,
      state: 'state-123',
      summary: 'Engineering interview <loop>',
    });
    const { page, problems, close } = await open({ timezoneId: 'America/New_York' });
    try {
      await page.goto(`${server.url}${link.path}`);
      // The script notices the browser is in New York and swaps the times in without a reload.
      await page.waitForSelector('html[data-tz="America/New_York"]');
      assert.match(page.url(), /\?tz=America%2FNew_York$/);
      assert.equal(await slotButtons(page).first().locator('time').textContent(), '04:00');
      assert.equal(await page.locator('#tz').inputValue(), 'America/New_York');
      assert.equal(await page.locator('h1').textContent(), 'Engineering interview <loop>');
      await shoot(page, 'open');
      await assertAccessible(page, 'open page');

      await page.locator('#tz').selectOption('Asia/Tokyo');
      await Promise.all([
        page.waitForURL(/tz=Asia%2FTokyo/),
        page.getByRole('button', { name: 'Show times' }).click(),
      ]);
      assert.equal(await slotButtons(page).first().locator('time').textContent(), '18:00');
      await shoot(page, 'open-tokyo');

      await Promise.all([
        page.waitForURL(/\/book\/[^/]+\?tz=Asia%2FTokyo$/),
        slotButtons(page).nth(4).click(),
      ]);
      await page.getByText('You are booked').waitFor();
      const when = await page.locator('.itinerary .when').allTextContents();
      assert.equal(when.length, 2);
      assert.match(when[0]!, /19:00 to 20:00/);
      assert.match(when[1]!, /20:00 to 21:00/);
      assert.equal(
        await page.getByRole('link', { name: /Add to your calendar/ }).getAttribute('href'),
        `${link.path}/itinerary.ics`,
      );
      await page.screenshot({ path: `${SCREENSHOTS}/completed-countdown-desktop.png`, fullPage: true });

      // No one stops the countdown: the browser lands on the application's page.
      await page.waitForURL(`${target.url}/**`, { timeout: 10_000 });
      const landed = new URL(page.url());
      assert.equal(landed.pathname, '/done');
      assert.equal(landed.searchParams.get('from'), 'rtseq');
      assert.equal(landed.searchParams.get('state'), 'state-123');
      assert.equal(landed.searchParams.get('real_time_sequencing_id'), link.id);
      assert.deepEqual(problems, []);
    } finally {
      await close();
    }
  });

  test('confirm mode on a phone, keyboard only: hold, Back, Confirm, stay, Continue', async () => {
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
      assert.equal(await slotButtons(page).first().locator('time').textContent(), '9:00 am');

      // Tab to the first time; its focus ring must be visible.
      let onSlot = false;
      for (let i = 0; i < 80 && !onSlot; i++) {
        await page.keyboard.press('Tab');
        onSlot = await page.evaluate(() => document.activeElement?.classList.contains('slot') === true);
      }
      assert.ok(onSlot, 'a time is reachable with Tab');
      const outline = await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle);
      assert.notEqual(outline, 'none');
      await Promise.all([page.waitForLoadState('load'), page.keyboard.press('Enter')]);
      await page.getByRole('heading', { name: 'Your itinerary' }).waitFor();
      assert.match((await page.locator('.hold').textContent()) ?? '', /held for you until .*\(5 minutes\)/);
      await shoot(page, 'confirm');
      await assertAccessible(page, 'confirmation page');

      await Promise.all([page.waitForURL(/\?tz=/), page.getByRole('button', { name: 'Back' }).click()]);
      await slotButtons(page).first().waitFor();
      await slotButtons(page).nth(1).click();
      await page.getByRole('button', { name: 'Confirm' }).waitFor();
      await Promise.all([
        page.waitForURL(/\/book\/[^/]+\?tz=/),
        page.getByRole('button', { name: 'Confirm' }).click(),
      ]);
      await page.getByText('You are booked').waitFor();
      await page.getByRole('button', { name: 'Stay on this page' }).click();
      assert.equal(await page.locator('#countdown').isHidden(), true);
      assert.match(
        (await page.locator('.itinerary .when').first().textContent()) ?? '',
        /9:15 am to 10:15 am/,
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
      const first = await slotButtons(page).first().getAttribute('value');

      const other = new Visitor(server);
      const otherPage = await other.get(theirs.path);
      assert.equal(optionKeysOf(otherPage.body)[0], first);
      const booked = await other.post(`${theirs.path}/choose`, {
        csrf: csrfOf(otherPage.body),
        option: first!,
      });
      assert.equal(booked.status, 303);

      await slotButtons(page).first().click();
      await page.getByText('that time was just taken').waitFor();
      const offered = await slotButtons(page).evaluateAll((buttons) =>
        buttons.map((b) => b.getAttribute('value')),
      );
      assert.ok(!offered.includes(first), 'the taken time is gone from the fresh list');
      await shoot(page, 'taken');
      await assertAccessible(page, 'taken page');
      assert.deepEqual(unexpected(problems, [409]), []);
    } finally {
      await close();
    }
  });

  test('"None of these times work" tells the organiser', async () => {
    const p = await people(1);
    const link = await singleLink(server, p.recruiter, {
      periods: [tomorrow()],
      noTimesSuitableUrl: `${target.url}/callback`,
    });
    const { page, problems, close } = await open();
    try {
      await page.goto(`${server.url}${link.path}`);
      await page.getByRole('button', { name: 'None of these times work' }).click();
      await page.getByRole('heading', { name: 'Thanks, the organiser has been told' }).waitFor();
      await shoot(page, 'none');
      await assertAccessible(page, 'none page');
      assert.deepEqual(problems, []);
    } finally {
      await close();
    }
  });

  test('disabled, expired and unknown links', async () => {
    const p = await people(1);
    const disabled = await singleLink(server, p.recruiter, { periods: [tomorrow()] });
    const record = await server.ctx.store.read((repos) =>
      repos.links.byId(server.applicationId, disabled.id),
    );
    await disableLink(
      server.ctx,
      record!,
      'This role has been filled. Thank you for your interest!\n— The team',
    );
    const soon = server.clock.now() + HOUR;
    const expired = await singleLink(server, p.recruiter, { periods: [{ start: soon, end: soon + HOUR }] });
    const { page, problems, close } = await open();
    try {
      await page.goto(`${server.url}${disabled.path}`);
      assert.match((await page.locator('.message').textContent()) ?? '', /This role has been filled/);
      await shoot(page, 'disabled');
      await assertAccessible(page, 'disabled page');

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

  test('works with JavaScript disabled: plain forms and links all the way', async () => {
    const p = await people();
    const link = await interviewLink(server, p, {
      periods: [tomorrow()],
      selectionMode: 'confirm',
      redirectUri: `${target.url}/nojs`,
      state: 'no-script',
    });
    const { page, close } = await open({ javaScriptEnabled: false, timezoneId: 'America/New_York' });
    try {
      await page.goto(`${server.url}${link.path}`);
      // Without script there is no detection: the link's zone is shown.
      assert.equal(await page.locator('#tz').inputValue(), 'Europe/London');
      assert.equal(await slotButtons(page).first().locator('time').textContent(), '09:00');
      await page.locator('#tz').selectOption('America/New_York');
      await Promise.all([
        page.waitForURL(/tz=America%2FNew_York/),
        page.getByRole('button', { name: 'Show times' }).click(),
      ]);
      assert.equal(await slotButtons(page).first().locator('time').textContent(), '04:00');
      await shoot(page, 'open-nojs');

      await slotButtons(page).first().click();
      await page.getByRole('button', { name: 'Confirm' }).waitFor();
      await shoot(page, 'confirm-nojs');
      await page.getByRole('button', { name: 'Confirm' }).click();
      await page.getByText('You are booked').waitFor();
      assert.equal(await page.locator('#countdown').isHidden(), true, 'no countdown without script');
      assert.match((await page.locator('.itinerary .when').first().textContent()) ?? '', /04:00 to 05:00/);
      await shoot(page, 'completed-nojs');
      await Promise.all([
        page.waitForURL(`${target.url}/**`),
        page.getByRole('link', { name: 'Continue' }).click(),
      ]);
      const landed = new URL(page.url());
      assert.equal(landed.pathname, '/nojs');
      assert.equal(landed.searchParams.get('state'), 'no-script');
      assert.equal(landed.searchParams.get('real_time_sequencing_id'), link.id);
    } finally {
      await close();
    }
  });
});
