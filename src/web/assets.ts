/**
 * The page's two static files, read once at start and served under content-hashed names
 * (`/book/assets/app.{hash}.css`), so they can be cached for a year and never go stale.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { AssetUrls } from './views/common.ts';

export type Asset = { readonly body: Buffer; readonly contentType: string };

export type Assets = { readonly urls: AssetUrls; readonly byName: ReadonlyMap<string, Asset> };

const FILES = [
  { file: 'app.css', key: 'css', contentType: 'text/css; charset=utf-8' },
  { file: 'app.js', key: 'js', contentType: 'text/javascript; charset=utf-8' },
  { file: 'icon.svg', key: 'icon', contentType: 'image/svg+xml' },
] as const;

export function loadAssets(): Assets {
  const byName = new Map<string, Asset>();
  const urls: Record<string, string> = {};
  for (const { file, key, contentType } of FILES) {
    const body = readFileSync(new URL(`./assets/${file}`, import.meta.url));
    const hash = createHash('sha256').update(body).digest('hex').slice(0, 12);
    const dot = file.lastIndexOf('.');
    const name = `${file.slice(0, dot)}.${hash}${file.slice(dot)}`;
    byName.set(name, { body, contentType });
    urls[key] = `/book/assets/${name}`;
  }
  return { urls: { css: urls.css!, js: urls.js!, icon: urls.icon! }, byName };
}
