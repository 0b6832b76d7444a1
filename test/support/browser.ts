/**
 * Debian's Chromium for the browser suites, driven by playwright-core (no browser downloads).
 * When /usr/bin/chromium is missing the suites skip with an install hint, except with CI=true,
 * where a missing browser is a failure.
 */
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';
export const CHROMIUM_MISSING = 'chromium not installed: apt-get install -y --no-install-recommends chromium';

/** A headless Chromium, or null (skip) when it is not installed outside CI. */
export async function launchChromium(): Promise<Browser | null> {
  if (!existsSync(CHROMIUM_PATH)) {
    if (process.env.CI === 'true') throw new Error(CHROMIUM_MISSING);
    return null;
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}
