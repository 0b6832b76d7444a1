/**
 * Reschedule and cancel in a real browser (Debian's Chromium through playwright-core), as an
 * invitee (SPEC 6.6): the whole loop from the completed page, one step moved by the application,
 * cancel with its confirmation step, the cutoff, another language, and two invitees racing into
 * the same time. Screenshots under test-output/screenshots/, checked with axe-core.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { requestReschedule } from '../../src/app/links/link-changes.ts';
import { linkById } from '../../src/app/links/links.ts';
import { CHROMIUM_MISSING, launchChromium } from '../support/browser.ts';
import {
  createSequencingLink,
  iso,
  type Link,
  startWebServer,
  type TestAccount,
  type TestServer,
} from '../web/fixtures.ts';

const HOUR = 3_600_000;
const SCREENSHOTS = 'test-output/screenshots';
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

const browser: Browser | null = await launchChromium();
const skip = browser === null ? CHROMIUM_MISSING : false;

let server: TestServer;
let counter = 0;

before(async () => {
  if (browser === null) return;
  mkdirSync(SCREENSHOTS, { recursive: true });
  server = await startWebServer();
});
after(async () => {
  await browser?.close();
  if (browser !== null) await server.close();
});

function tomorrow(): { start: number; end: number } {
  const day = Math.floor(server.clock.now() / (24 * HOUR)) * 24 * HOUR + 24 * HOUR;
  return { start: day + 9 * HOUR, end: day + 17 * HOUR };
}

/** A two-step loop (recruiter, then engineer) with both invitee actions allowed. */
async function loop(extra: Record<string, unknown> = {}): Promise<{
  link: Link;
  recruiter: TestAccount;
  engineer: TestAccount;
}> {
  counter += 1;
  const recruiter = await server.createAccount(`c-rec-${counter}`);
  const engineer = await server.createAccount(`c-eng-${counter}`);
  const period = tomorrow();
  const link = await createSequencingLink(server, {
    oauth: { redirect_uri: 'http://127.0.0.1:9/done' },
    event: { event_id: `loop-${counter}`, summary: 'Interview loop' },
    tzid: 'UTC',
    target_calendars: [
      { sub: recruiter.sub, calendar_id: recruiter.calendarId },
      { sub: engineer.sub, calendar_id: engineer.calendarId },
    ],
    availability: {
      query_periods: [{ start: iso(period.start), end: iso(period.end) }],
      sequence: [
        {
          sequence_id: 'pre',
          ordinal: 1,
          participants: [{ members: [{ sub: recruiter.sub }] }],
          required_duration: { minutes: 60 },
          start_interval: { minutes: 60 },
          event: { event_id: `loop-${counter}-pre`, summary: 'Pre-screen' },
        },
        {
          sequence_id: 'f2f',
          ordinal: 2,
          participants: [{ members: [{ sub: engineer.sub }] }],
          required_duration: { minutes: 60 },
          start_interval: { minutes: 60 },
          event: { event_id: `loop-${counter}-f2f`, summary: 'Face-to-face' },
        },
      ],
    },
    invitee_actions: { reschedule: true, cancel: true },
    ...extra,
  });
  return { link, recruiter, engineer };
}

async function open(options: BrowserContextOptions = {}) {
  const context = await browser!.newContext({
    locale: 'en-GB',
    timezoneId: 'UTC',
    viewport: { width: 1280, height: 900 },
    ...options,
  });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  return { page, problems, close: () => context.close() };
}

async function assertAccessible(page: Page, label: string): Promise<void> {
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const axe = (
      globalThis as unknown as {
        axe: { run(): Promise<{ violations: { id: string; impact: string | null }[] }> };
      }
    ).axe;
    return (await axe.run()).violations.map((v) => ({ id: v.id, impact: v.impact }));
  });
  const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(serious, [], `${label}: ${JSON.stringify(serious)}`);
}

/** The option keys of the shown day, in page order. */
async function optionValues(page: Page): Promise<string[]> {
  return page
    .locator('button[name="option"]')
    .evaluateAll((buttons) => buttons.map((b) => b.getAttribute('value') ?? ''));
}

/**
 * The chip that opens the option with this key. Found by the option's own button, not by position:
 * the live poll may mark or drop other options between reading the list and clicking.
 */
function chipOf(page: Page, key: string) {
  return page.locator(`label.chip:has(+ .detail button[name="option"][value="${key}"])`);
}

/** Picks the option with this key (or the first): its chip, then its action button. */
async function choose(page: Page, value?: string): Promise<void> {
  const values = await optionValues(page);
  const key = value ?? values[0];
  assert.ok(key !== undefined && values.includes(key), `option ${value} is offered`);
  await chipOf(page, key).click();
  const action = page.locator('.options > input:checked + .chip + .detail button');
  await action.waitFor();
  await action.click();
}

/** Books the option with this key (or the first) and stops the onward countdown. */
async function book(page: Page, value?: string): Promise<void> {
  await Promise.all([page.waitForURL(/\/book\/[^/]+\?tz=/), choose(page, value)]);
  await page.locator('#stay').waitFor();
  await page.locator('#stay').click();
}

async function eventStart(account: TestAccount, eventId: string) {
  const event = await server.ctx.store.read((r) => r.events.byKey(account.calendarId, eventId));
  return event === undefined || event.deleted ? null : iso(event.startMs);
}

async function status(link: Link) {
  return (await server.ctx.store.read((r) => r.links.byId(server.applicationId, link.id)))?.status;
}

describe('reschedule and cancel in Chromium', { skip }, () => {
  test('the whole loop: completed page → reschedule page → new time; events move in place', async () => {
    const { link, recruiter, engineer } = await loop();
    const { page, problems, close } = await open();
    try {
      await page.goto(`${server.url}${link.path}?tz=UTC`);
      await book(page);
      const eventId = `loop-${counter}`;
      assert.equal(await eventStart(recruiter, `${eventId}-pre`), iso(tomorrow().start));
      await Promise.all([page.waitForURL(/\/reschedule/), page.locator('#reschedule-link').click()]);
      await page.getByRole('heading', { name: 'Your current booking' }).waitFor();
      await page.screenshot({ path: `${SCREENSHOTS}/reschedule-desktop.png`, fullPage: true });
      await assertAccessible(page, 'reschedule page');
      await Promise.all([page.waitForURL(/\/book\/[^/]+\?tz=/), page.locator('#reschedule').click()]);
      await page.getByText('You are choosing a new time').waitFor();
      assert.equal(await status(link), 'rescheduling');
      const values = await optionValues(page);
      assert.ok(values.length > 2, 'times are offered, its own current one among them');
      await page.screenshot({ path: `${SCREENSHOTS}/rescheduling-desktop.png`, fullPage: true });
      await book(page, values.at(-1)!);
      assert.equal(await status(link), 'completed');
      const period = tomorrow();
      assert.equal(await eventStart(recruiter, `${eventId}-pre`), iso(period.end - 2 * HOUR));
      assert.equal(await eventStart(engineer, `${eventId}-f2f`), iso(period.end - HOUR));
      assert.deepEqual(problems, []);
    } finally {
      await close();
    }
  });

  test('one step, reopened by the application: the pre-screen stays, only the face-to-face moves', async () => {
    const { link, recruiter, engineer } = await loop();
    const { page, problems, close } = await open();
    try {
      await page.goto(`${server.url}${link.path}?tz=UTC`);
      await book(page);
      const application = (await server.ctx.store.read((r) => r.applications.byId(server.applicationId)))!;
      const stored = await linkById(server.ctx, application, 'sequencing', link.id);
      await requestReschedule(server.ctx, { link: stored, application }, ['f2f']);
      // Shared page states live a second (of the server's clock, which the tests drive).
      server.clock.advance(2000);
      await page.goto(`${server.url}${link.path}?tz=UTC`);
      await page.getByText('You are choosing a new time').waitFor();
      const values = await optionValues(page);
      const pre = tomorrow().start;
      for (const value of values) assert.ok(value!.startsWith(`0.${pre}-`), `the pre-screen stays: ${value}`);
      await book(page, values.at(-1)!);
      const eventId = `loop-${counter}`;
      assert.equal(await eventStart(recruiter, `${eventId}-pre`), iso(pre));
      assert.equal(await eventStart(engineer, `${eventId}-f2f`), iso(tomorrow().end - HOUR));
      assert.deepEqual(problems, []);
    } finally {
      await close();
    }
  });

  test('cancel: the confirmation step with a reason, then the events are gone', async () => {
    const { link, recruiter } = await loop();
    const { page, problems, close } = await open();
    try {
      await page.goto(`${server.url}${link.path}?tz=UTC`);
      await book(page);
      await Promise.all([page.waitForURL(/\/cancel/), page.locator('#cancel-link').click()]);
      await page.getByRole('button', { name: 'Yes, cancel my booking' }).waitFor();
      await assertAccessible(page, 'cancel page');
      await page.screenshot({ path: `${SCREENSHOTS}/cancel-desktop.png`, fullPage: true });
      assert.equal(await status(link), 'completed', 'the confirmation step changes nothing');
      await page.locator('#reason').fill('I accepted another offer');
      await Promise.all([page.waitForLoadState('load'), page.locator('#confirm-cancel').click()]);
      await page.getByRole('heading', { name: 'Your booking has been cancelled' }).waitFor();
      assert.equal(await status(link), 'cancelled');
      assert.equal(await eventStart(recruiter, `loop-${counter}-pre`), null);
      await page.goto(`${server.url}${link.path}`);
      await page.getByRole('heading', { name: 'This booking was cancelled' }).waitFor();
      assert.deepEqual(
        problems.filter((p) => !p.includes('410')),
        [],
      );
    } finally {
      await close();
    }
  });

  test('the cutoff: no links on the completed page, and a clear message at the action URL', async () => {
    const { link } = await loop({ invitee_action_cutoff: { hours: 48 } });
    const { page, close } = await open();
    try {
      await page.goto(`${server.url}${link.path}?tz=UTC`);
      await book(page);
      assert.equal(await page.locator('#reschedule-link').count(), 0);
      await page.goto(`${server.url}${link.path}/reschedule`);
      await page.getByRole('heading', { name: 'It is too late to change this booking online' }).waitFor();
      assert.match(
        (await page.locator('main').textContent()) ?? '',
        /Changes close 48 hrs? before the first appointment, which starts on/,
      );
      await assertAccessible(page, 'cutoff page');
    } finally {
      await close();
    }
  });

  test('in German from the browser language', async () => {
    const { link } = await loop();
    const { page, close } = await open({ locale: 'de-DE' });
    try {
      await page.goto(`${server.url}${link.path}?tz=UTC`);
      await book(page);
      await page.goto(`${server.url}${link.path}/cancel`);
      await page.getByRole('button', { name: 'Ja, Buchung absagen' }).waitFor();
      assert.equal(await page.locator('html').getAttribute('lang'), 'de-DE');
      await assertAccessible(page, 'cancel page (de)');
    } finally {
      await close();
    }
  });

  test('two invitees rescheduling into the same time: exactly one wins', async () => {
    const engineer = await server.createAccount(`c-race-${++counter}`);
    const period = tomorrow();
    const oneStep = async (name: string) =>
      createSequencingLink(server, {
        oauth: { redirect_uri: 'http://127.0.0.1:9/done' },
        event: { event_id: `race-${counter}-${name}`, summary: 'Chat' },
        tzid: 'UTC',
        target_calendars: [{ sub: engineer.sub, calendar_id: engineer.calendarId }],
        availability: {
          query_periods: [{ start: iso(period.start), end: iso(period.end) }],
          sequence: [
            {
              sequence_id: 'chat',
              participants: [{ members: [{ sub: engineer.sub }] }],
              required_duration: { minutes: 60 },
              start_interval: { minutes: 60 },
            },
          ],
        },
        invitee_actions: { reschedule: true, cancel: true },
      });
    const links = [await oneStep('a'), await oneStep('b')];
    const invitees = [await open(), await open()];
    try {
      for (const [i, link] of links.entries()) {
        const { page } = invitees[i]!;
        await page.goto(`${server.url}${link.path}?tz=UTC`);
        await book(page);
        await page.goto(`${server.url}${link.path}/reschedule`);
        await Promise.all([page.waitForURL(/\/book\/[^/]+\?tz=/), page.locator('#reschedule').click()]);
        await page.getByText('You are choosing a new time').waitFor();
      }
      const target = `0.${period.end - HOUR}`;
      for (const { page } of invitees) {
        assert.ok((await optionValues(page)).includes(target));
        // Open the option, so its Book button is on screen in both browsers.
        await chipOf(page, target).click();
        await page.locator(`button[name="option"][value="${target}"]`).waitFor();
      }
      // Both submit at once. The page's live check may already be hiding the time in the slower
      // browser; submitting the button's own form keeps both requests carrying the same choice.
      await Promise.all(
        invitees.map(({ page }) =>
          page.evaluate((value) => {
            const button = document.querySelector<HTMLButtonElement>(
              `button[name="option"][value="${value}"]`,
            );
            button?.form?.requestSubmit(button);
          }, target),
        ),
      );
      const outcomes = await Promise.all(
        invitees.map(async ({ page }) => {
          await page.waitForFunction(
            () =>
              document.body.textContent?.includes('You are booked') === true ||
              document.body.textContent?.includes('just booked by someone else') === true,
          );
          return (await page.locator('body').textContent())!.includes('You are booked') ? 'booked' : 'taken';
        }),
      );
      assert.deepEqual(outcomes.sort(), ['booked', 'taken']);
      const statuses = await Promise.all(links.map(status));
      assert.deepEqual(statuses.sort(), ['completed', 'rescheduling']);
    } finally {
      for (const invitee of invitees) await invitee.close();
    }
  });
});
