/**
 * The page's two static files, read once at start and served under content-hashed names
 * (`/book/assets/app.{hash}.css`), so they can be cached for a year and never go stale.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { AssetUrls } from './templates.ts';

export type Asset = { readonly body: Buffer; readonly contentType: string };

export type Assets = { readonly urls: AssetUrls; readonly byName: ReadonlyMap<string, Asset> };

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  css: 'text/css; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
};

export function loadAssets(): Assets {
  const byName = new Map<string, Asset>();
  const urls: Record<string, string> = {};
  for (const ext of ['css', 'js'] as const) {
    const body = readFileSync(new URL(`./assets/app.${ext}`, import.meta.url));
    const hash = createHash('sha256').update(body).digest('hex').slice(0, 12);
    const name = `app.${hash}.${ext}`;
    byName.set(name, { body, contentType: CONTENT_TYPES[ext]! });
    urls[ext] = `/book/assets/${name}`;
  }
  return { urls: { css: urls.css!, js: urls.js! }, byName };
}
