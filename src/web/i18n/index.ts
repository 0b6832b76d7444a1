/**
 * The page's languages (SPEC 6.2): which one a visitor gets, and the translator for it. A
 * visitor's explicit choice (`?lang=`) wins, then the link's `locale`, then `Accept-Language`,
 * then English. Dates and times are formatted with the full tag that matched (`en-GB`, `de-AT`),
 * so regional conventions follow; the words come from the language's catalogue.
 */
import { de } from './de.ts';
import { type Catalogue, en, type MessageKey } from './en.ts';
import { es } from './es.ts';
import { fr } from './fr.ts';
import { ja } from './ja.ts';
import { nl } from './nl.ts';

export type { Catalogue, MessageKey };

export const CATALOGUES = { en, de, fr, es, nl, ja } as const satisfies Record<string, Catalogue>;

export type Language = keyof typeof CATALOGUES;

export const LANGUAGES = Object.keys(CATALOGUES) as readonly Language[];

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && Object.hasOwn(CATALOGUES, value);
}

/** A chosen language: its catalogue, and the BCP 47 tag `Intl` formats with. */
export type Locale = { readonly language: Language; readonly tag: string };

const KNOWN_TAGS = new Map<string, Locale | undefined>();

/** `de-AT` → `{de, de-AT}`; anything unsupported or malformed → undefined. */
export function localeOf(tag: unknown): Locale | undefined {
  if (typeof tag !== 'string' || tag.length === 0 || tag.length > 35) return undefined;
  if (KNOWN_TAGS.has(tag)) return KNOWN_TAGS.get(tag);
  const found = parseTag(tag);
  if (KNOWN_TAGS.size >= 1000) KNOWN_TAGS.clear();
  KNOWN_TAGS.set(tag, found);
  return found;
}

function parseTag(tag: string): Locale | undefined {
  let canonical: string;
  try {
    canonical = Intl.getCanonicalLocales(tag)[0] ?? '';
  } catch {
    return undefined;
  }
  const language = canonical.split('-')[0]?.toLowerCase();
  return isLanguage(language) ? { language, tag: canonical } : undefined;
}

/** The supported languages of an `Accept-Language` header, best first (q-values respected). */
export function fromAcceptLanguage(header: string | undefined): Locale | undefined {
  if (header === undefined || header.length > 500) return undefined;
  const ranked = header
    .split(',')
    .slice(0, 20)
    .map((part, index) => {
      const [range = '', ...params] = part.trim().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      const weight = q === undefined ? 1 : Number(q.slice(2));
      return { range: range.trim(), weight: Number.isFinite(weight) ? weight : 0, index };
    })
    .filter((r) => r.weight > 0 && r.range !== '*')
    .sort((a, b) => b.weight - a.weight || a.index - b.index);
  for (const { range } of ranked) {
    const locale = localeOf(range);
    if (locale !== undefined) return locale;
  }
  return undefined;
}

export const ENGLISH: Locale = { language: 'en', tag: 'en' };

/**
 * The visitor's locale: `?lang=` (a language they picked on the page), else the link's
 * `locale`, else `Accept-Language`, else English. A picked language keeps the link's or the
 * browser's region when it is the same language (`en` picked with `en-GB` sent stays `en-GB`).
 */
export function negotiateLocale(input: {
  readonly picked?: unknown;
  readonly linkLocale?: string | null;
  readonly acceptLanguage?: string | undefined;
}): Locale {
  const link = input.linkLocale == null ? undefined : localeOf(input.linkLocale);
  const browser = fromAcceptLanguage(input.acceptLanguage);
  if (isLanguage(input.picked)) {
    for (const candidate of [link, browser]) if (candidate?.language === input.picked) return candidate;
    return { language: input.picked, tag: input.picked };
  }
  return link ?? browser ?? ENGLISH;
}

export type Params = Readonly<Record<string, string | number>>;

export type Translate = (key: MessageKey, params?: Params) => string;

/** The text with each `{name}` replaced by its parameter (unknown ones are left as written). */
export function fill(text: string, params: Params | undefined): string {
  if (params === undefined) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.hasOwn(params, name) ? String(params[name]) : whole,
  );
}

/** `t('times_title', {day: '…'})`: the key's text with each `{name}` replaced. */
export function translator(language: Language): Translate {
  const catalogue: Catalogue = CATALOGUES[language];
  return (key, params) => fill(catalogue[key], params);
}
