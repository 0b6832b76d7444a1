/**
 * An application's accent colour as a small stylesheet, `/book/assets/accent-{rrggbb}.css`: the
 * CSP allows no inline style, and a URL that names the colour can be cached for good. The dark
 * scheme gets the lighter shade derived in app/accounts/display-settings.ts.
 */
import { accentPalette, parseHex } from '../app/accounts/display-settings.ts';

const NAME = /^accent-([0-9a-f]{6})\.css$/;

export function accentCssUrl(colour: string | null): string | null {
  if (colour === null || parseHex(colour) === undefined) return null;
  return `/book/assets/accent-${colour.slice(1).toLowerCase()}.css`;
}

/** The stylesheet for an asset name such as `accent-0b57a4.css`; undefined for other names. */
export function accentStylesheet(fileName: string): string | undefined {
  const match = NAME.exec(fileName);
  if (match === null) return undefined;
  const palette = accentPalette(`#${match[1]}`);
  return `:root{--accent:${palette.light};--accent-fg:#ffffff;--accent-soft:${palette.lightSoft}}
@media (prefers-color-scheme: dark){:root{--accent:${palette.dark};--accent-fg:#121212;--accent-soft:${palette.darkSoft}}}
`;
}
