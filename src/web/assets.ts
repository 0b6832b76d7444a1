/**
 * The page's static files, read once at start and served under content-hashed names
 * (`/book/assets/app.{hash}.css`), so they can be cached for a year and never go stale.
 *
 * The stylesheet and the script are each kept in several source files (assets/css/, assets/js/)
 * and served as one file each. The script's files are ES modules for the editor and Biome; served,
 * their relative imports and `export` keywords are dropped and the files joined, in the order
 * below, inside one function scope (which is why no two files may declare the same top-level name:
 * `assets.test.ts` checks it).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { AssetUrls } from './views/common.ts';

export type Asset = { readonly body: Buffer; readonly contentType: string };

export type Assets = { readonly urls: AssetUrls; readonly byName: ReadonlyMap<string, Asset> };

/** The stylesheet's parts, in cascade order (narrow-screen rules last). */
export const CSS_PARTS = [
  'base.css',
  'controls.css',
  'calendar.css',
  'options.css',
  'actions.css',
  'authorize.css',
] as const;
/** The script's parts: each after the parts it imports from; app.js (which starts the page) last. */
export const JS_PARTS = ['navigate.js', 'settings.js', 'live.js', 'page.js', 'app.js'] as const;

const read = (path: string): string => readFileSync(new URL(`./assets/${path}`, import.meta.url), 'utf8');

/** One ES module part as plain script text: its relative imports and `export` keywords dropped. */
export function unmodule(source: string): string {
  return source
    .replace(/^import\s[^;]*?\sfrom\s+'\.\/[\w-]+\.js';\n/gm, '')
    .replace(/^export (?=(?:async )?function |const |let )/gm, '');
}

export function bundleScript(): string {
  const parts = JS_PARTS.map((file) => `// ${file}\n${unmodule(read(`js/${file}`))}`);
  return `'use strict';\n(() => {\n${parts.join('\n')}})();\n`;
}

export function bundleStyles(): string {
  return CSS_PARTS.map((file) => read(`css/${file}`)).join('\n');
}

const FILES = [
  { name: 'app.css', key: 'css', contentType: 'text/css; charset=utf-8', body: bundleStyles },
  { name: 'app.js', key: 'js', contentType: 'text/javascript; charset=utf-8', body: bundleScript },
  { name: 'icon.svg', key: 'icon', contentType: 'image/svg+xml', body: () => read('icon.svg') },
] as const;

export function loadAssets(): Assets {
  const byName = new Map<string, Asset>();
  const urls: Record<string, string> = {};
  for (const { name, key, contentType, body: text } of FILES) {
    const body = Buffer.from(text(), 'utf8');
    const hash = createHash('sha256').update(body).digest('hex').slice(0, 12);
    const dot = name.lastIndexOf('.');
    const hashed = `${name.slice(0, dot)}.${hash}${name.slice(dot)}`;
    byName.set(hashed, { body, contentType });
    urls[key] = `/book/assets/${hashed}`;
  }
  return { urls: { css: urls.css!, js: urls.js!, icon: urls.icon! }, byName };
}
