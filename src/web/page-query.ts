/**
 * The visitor's page settings from a query string or a posted form: zone (`tz`), language
 * (`lang`), clock (`hf`) and day (`day`). Anything malformed is ignored, never an error: the
 * defaults (the link's zone, the negotiated language, the link's or locale's clock) apply.
 */
import type { LinkRequest } from '../app/links/link-model.ts';
import { isLanguage, type Locale, negotiateLocale, translator } from './i18n/index.ts';
import { type HourFormat, localeHourFormat, type WallFormats, wallFormats } from './intl.ts';
import type { PageQuery } from './views/common.ts';
import { canonicalZone, zoneFrom } from './zones.ts';

type Raw = Readonly<Record<string, unknown>>;

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The link's zone, canonical, when valid; else UTC. */
export function linkZoneOf(request: LinkRequest | undefined): string {
  const zone = request?.sequence.tzid ?? null;
  return zone === null ? 'UTC' : (zoneFrom(zone) ?? canonicalZone(zone));
}

export function readPageQuery(raw: Raw, request: LinkRequest | undefined): PageQuery {
  const tz = zoneFrom(raw.tz) ?? linkZoneOf(request);
  const lang = isLanguage(raw.lang) ? raw.lang : undefined;
  const hf = raw.hf === 'h' || raw.hf === 'H' ? (raw.hf as HourFormat) : undefined;
  const day = typeof raw.day === 'string' && DAY.test(raw.day) ? raw.day : undefined;
  return {
    tz,
    ...(lang === undefined ? {} : { lang }),
    ...(hf === undefined ? {} : { hf }),
    ...(day === undefined ? {} : { day }),
  };
}

export type Speech = {
  readonly locale: Locale;
  readonly formats: WallFormats;
  readonly t: ReturnType<typeof translator>;
};

/** Language and clock: the visitor's pick, else the link's, else the browser's (SPEC 6.2). */
export function speechFor(
  query: PageQuery | undefined,
  request: LinkRequest | undefined,
  acceptLanguage: string | undefined,
): Speech {
  const locale = negotiateLocale({
    picked: query?.lang,
    linkLocale: request?.locale ?? null,
    acceptLanguage,
  });
  const hourFormat = query?.hf ?? request?.hourFormat ?? localeHourFormat(locale.tag);
  return { locale, formats: wallFormats(locale.tag, hourFormat), t: translator(locale.language) };
}
