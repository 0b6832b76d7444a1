/**
 * Rendered open pages, kept beside the shared page state they were rendered from (SharedViews
 * shares one state per link for up to a second): visitors of a link who see it in the same
 * language, zone, clock and day get the same HTML, except their own CSRF token. The page is
 * rendered once with a marker where the token goes (random per process, so no link data can
 * contain it) and each visitor's copy is the marker replaced. The cache lives as long as the
 * state object (a WeakMap), so nothing outlives the shared state.
 */
import { randomBytes } from 'node:crypto';
import type { OpenState } from '../app/booking/booking.ts';
import { raw, type SafeHtml } from './html.ts';

export const CSRF_MARKER = `csrf-${randomBytes(12).toString('hex')}`;

const MAX_VARIANTS_PER_STATE = 64;

export class RenderedPages {
  readonly #byState = new WeakMap<OpenState, Map<string, string>>();

  /** The page for this state and `variant` (everything that shapes it but the token), with `csrf` in. */
  page(state: OpenState, variant: string, csrf: string, render: (csrf: string) => SafeHtml): SafeHtml {
    let variants = this.#byState.get(state);
    if (variants === undefined) {
      variants = new Map();
      this.#byState.set(state, variants);
    }
    let text = variants.get(variant);
    if (text === undefined) {
      text = render(CSRF_MARKER).text;
      if (variants.size >= MAX_VARIANTS_PER_STATE) variants.clear();
      variants.set(variant, text);
    }
    // The text is our own escaped rendering; the token is base64url.
    return raw(text.replaceAll(CSRF_MARKER, csrf));
  }
}
