/**
 * What every page view shares: the visitor's settings (locale, zone, hour format, day), the
 * application's branding, the link's organiser, and the layout around each page. Pure functions
 * from view data to escaped HTML (see ../html.ts); no inline script or style (the CSP forbids
 * both): looks and behaviour come from the hashed files under ../assets/.
 */
import { isEmailAddress } from '../../domain/email.ts';
import { html, type SafeHtml } from '../html.ts';
import type { Locale, Translate } from '../i18n/index.ts';
import type { HourFormat, WallFormats } from '../intl.ts';

export type AssetUrls = { readonly css: string; readonly js: string; readonly icon: string };

/** The page's query state: the visitor's zone, and what they picked (absent: the defaults). */
export type PageQuery = {
  readonly tz: string;
  readonly lang?: string;
  readonly hf?: HourFormat;
  readonly day?: string;
};

export type Branding = {
  readonly displayName: string | null;
  readonly logoUrl: string | null;
  /** URL of the accent stylesheet (`/book/assets/accent-…css`), when the application set one. */
  readonly accentCss: string | null;
};

export type Organizer = { readonly name: string | null; readonly email: string | null };

/** Everything a page needs besides its own content. */
export type PageEnv = {
  readonly assets: AssetUrls;
  /** `/book/{token}` (URL-encoded), or null on pages without a link (unknown token). */
  readonly base: string | null;
  readonly locale: Locale;
  readonly t: Translate;
  readonly formats: WallFormats;
  readonly query: PageQuery;
  readonly branding: Branding;
  readonly organizer: Organizer | null;
  readonly now: number;
};

/**
 * A URL of the link's page with the visitor's settings (and `changes`) in its query string.
 * `relative` gives just `?…`, for links within the page itself (shorter: the token is long).
 */
export function pageHref(
  env: PageEnv,
  changes: Partial<PageQuery> = {},
  path = '',
  relative = false,
): string {
  const query = { ...env.query, ...changes };
  const params = new URLSearchParams();
  params.set('tz', query.tz);
  if (query.lang !== undefined) params.set('lang', query.lang);
  if (query.hf !== undefined) params.set('hf', query.hf);
  if (query.day !== undefined) params.set('day', query.day);
  return `${relative ? '' : `${env.base ?? ''}${path}`}?${params.toString()}`;
}

export function hidden(name: string, value: string): SafeHtml {
  return html`<input type="hidden" name="${name}" value="${value}">`;
}

/** The hidden fields every POST form carries so the answer comes back in the same settings. */
export function settingsFields(env: PageEnv, csrf: string): SafeHtml {
  const q = env.query;
  return html`${hidden('csrf', csrf)}${hidden('tz', q.tz)}${q.lang !== undefined && hidden('lang', q.lang)}${
    q.hf !== undefined && hidden('hf', q.hf)
  }${q.day !== undefined && hidden('day', q.day)}`;
}

function brandHeader(env: PageEnv): SafeHtml {
  const { displayName, logoUrl } = env.branding;
  if (displayName === null && logoUrl === null) return html``;
  return html`<header class="brand">${
    logoUrl !== null && html`<img class="logo" src="${logoUrl}" alt="${displayName === null ? 'Logo' : ''}">`
  }${displayName !== null && html`<span class="brand-name">${displayName}</span>`}</header>`;
}

/** The organiser's name and e-mail, as a contact line (every page of a link, every dead end). */
export function contactBlock(env: PageEnv): SafeHtml {
  const { organizer, t } = env;
  if (organizer === null || (organizer.name === null && organizer.email === null)) {
    return html`<p class="contact">${t('contact_none')}</p>`;
  }
  const lead = organizer.name === null ? t('contact_plain') : t('contact_named', { name: organizer.name });
  if (organizer.email === null)
    return html`<p class="contact">${t('organizer', { name: organizer.name ?? '' })}</p>`;
  // Links stored before addresses were checked strictly show theirs as text, never as a link.
  if (!isEmailAddress(organizer.email)) return html`<p class="contact">${lead} ${organizer.email}</p>`;
  return html`<p class="contact">${lead} <a href="mailto:${organizer.email}">${organizer.email}</a></p>`;
}

type LayoutOptions = {
  readonly title: string;
  /** `<html data-…>` values the script reads. */
  readonly data?: Readonly<Record<string, string>>;
  /** Skip links to targets on the page, as [href, label]. */
  readonly skips?: readonly (readonly [string, string])[];
};

export function layout(env: PageEnv, options: LayoutOptions, content: SafeHtml): SafeHtml {
  const data = Object.entries(options.data ?? {}).map(([k, v]) => html` data-${k}="${v}"`);
  const { assets, branding } = env;
  return html`<!doctype html>
<html lang="${env.locale.tag}"${data}>
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>${options.title}</title>
<link rel="icon" href="${assets.icon}" type="image/svg+xml">
<link rel="stylesheet" href="${assets.css}">
${branding.accentCss !== null && html`<link rel="stylesheet" href="${branding.accentCss}">`}
<script src="${assets.js}" defer></script>
</head>
<body>
${(options.skips ?? []).length > 0 && html`<nav class="skips" aria-label="Skip links">${(options.skips ?? []).map(([href, label]) => html`<a class="skip" href="${href}">${label}</a>`)}</nav>`}
${brandHeader(env)}
<main id="main" tabindex="-1">
${content}
</main>
<footer class="site-footer">${env.base !== null && contactBlock(env)}<p>${env.t('footer')}</p></footer>
</body>
</html>
`;
}

export type MessageView = {
  readonly title: string;
  readonly paragraphs: readonly string[];
  /** Plain text shown as written (a display_message), line breaks kept. */
  readonly message?: string;
  readonly back?: { readonly href: string; readonly label: string };
  /** Dead ends name the organiser's contact in the page itself, not only in the footer. */
  readonly contact?: boolean;
};

export function messagePage(env: PageEnv, view: MessageView): SafeHtml {
  return layout(
    env,
    { title: view.title },
    html`<h1>${view.title}</h1>
${view.message !== undefined && view.message !== '' && html`<p class="message">${view.message}</p>`}
${view.paragraphs.map((p) => html`<p>${p}</p>`)}
${view.contact === true && env.base !== null && html`<div class="notice info dead-end">${contactBlock(env)}</div>`}
${view.back !== undefined && html`<p><a href="${view.back.href}">${view.back.label}</a></p>`}`,
  );
}

export type Notice = { readonly tone: 'info' | 'warn' | 'success'; readonly text: string };

export function notices(list: readonly Notice[]): SafeHtml {
  return html`${list.map((n) => html`<div class="notice ${n.tone}" role="status"><p>${n.text}</p></div>`)}`;
}
