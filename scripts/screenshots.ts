/**
 * Screenshots of the booking page for docs/booking-page.md: a real server with the showcase link
 * (test/web/showcase.ts), Debian's Chromium through playwright-core, desktop (1280×800) and
 * phone (390×844), light and dark, in English, German and French (the machine that takes them
 * needs no fonts beyond Latin ones).
 *
 * Run: `node scripts/screenshots.ts` (writes docs/screenshots/*.png).
 */
import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../test/support/browser.ts';
import { type Link, startWebServer, type TestServer } from '../test/web/fixtures.ts';
import { brandApplication, showcaseLink } from '../test/web/showcase.ts';

const OUT = 'docs/screenshots';
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

type Shot = {
  readonly name: string;
  readonly link: Link;
  readonly phone?: boolean;
  readonly dark?: boolean;
  readonly locale?: string;
  readonly query?: string;
  readonly act?: (page: Page) => Promise<void>;
  readonly fullPage?: boolean;
};

/** Opens the first option whose itinerary runs into a second day (else the first option). */
async function openTwoDayOption(page: Page): Promise<void> {
  const index = await page
    .locator('.detail')
    .evaluateAll((details) => details.findIndex((d) => d.querySelector('.other-day') !== null));
  await page.locator('label.chip').nth(Math.max(0, index)).click();
}

async function take(browser: Browser, server: TestServer, shot: Shot): Promise<void> {
  const context = await browser.newContext({
    locale: shot.locale ?? 'en-GB',
    timezoneId: 'Europe/London',
    colorScheme: shot.dark === true ? 'dark' : 'light',
    ...(shot.phone === true
      ? { viewport: PHONE, isMobile: true, hasTouch: true, deviceScaleFactor: 2 }
      : { viewport: DESKTOP }),
  });
  try {
    const page = await context.newPage();
    await page.goto(`${server.url}${shot.link.path}${shot.query ?? ''}`);
    await page.waitForLoadState('networkidle');
    if (shot.act !== undefined) await shot.act(page);
    await page.screenshot({ path: `${OUT}/${shot.name}.png`, fullPage: shot.fullPage ?? false });
    process.stdout.write(`${OUT}/${shot.name}.png\n`);
  } finally {
    await context.close();
  }
}

const browser = await launchChromium();
if (browser === null)
  throw new Error('Chromium is needed: apt-get install -y --no-install-recommends chromium');
const server = await startWebServer();
try {
  mkdirSync(OUT, { recursive: true });
  await brandApplication(server);
  const link = await showcaseLink(server);
  const german = await showcaseLink(server, { locale: 'de' });
  const french = await showcaseLink(server, { locale: 'fr' });
  const confirm = await showcaseLink(server, { selectionMode: 'confirm', hourFormat: 'h' });
  const noTimes = await showcaseLink(server, { noTimes: true });
  const toBook = await showcaseLink(server);

  const shots: Shot[] = [
    { name: 'times-desktop', link },
    { name: 'times-phone', link, phone: true, fullPage: true },
    { name: 'itinerary-desktop', link, act: openTwoDayOption },
    { name: 'itinerary-phone', link, phone: true, act: openTwoDayOption },
    { name: 'times-de-desktop', link: german, act: openTwoDayOption },
    { name: 'itinerary-fr-phone', link: french, phone: true, act: openTwoDayOption },
    { name: 'times-dark-phone', link, phone: true, dark: true },
    { name: 'itinerary-dark-desktop', link: german, dark: true, act: openTwoDayOption },
    {
      name: 'confirm-phone',
      link: confirm,
      phone: true,
      act: async (page) => {
        await page.locator('label.chip').nth(1).click();
        await Promise.all([page.waitForURL(/\/confirm\?/), page.locator('.detail button').nth(1).click()]);
      },
    },
    { name: 'no-times-phone', link: noTimes, phone: true },
    {
      name: 'completed-desktop',
      link: toBook,
      fullPage: true,
      act: async (page) => {
        await openTwoDayOption(page);
        await Promise.all([
          page.waitForSelector('#countdown'),
          page
            .locator(
              '.options > input:checked ~ .detail button, .options > input:checked + .chip + .detail button',
            )
            .first()
            .click(),
        ]);
        await page.locator('#stay').click();
      },
    },
  ];
  for (const shot of shots) await take(browser, server, shot);
} finally {
  await browser.close();
  await server.close();
}
