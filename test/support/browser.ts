/**
 * Debian's Chromium for the browser suites, driven by playwright-core (no browser downloads).
 * When /usr/bin/chromium is missing the suites skip with an install hint, except with CI=true,
 * where a missing browser is a failure.
 */
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
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

/** The application's redirect URI for a browser: a page that says the browser is back. */
export async function startRedirectTarget(): Promise<{ url: string; close(): Promise<void> }> {
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
