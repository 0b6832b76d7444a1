/**
 * An application's display settings for its booking pages (SPEC 2): `display_name`, `logo_url`
 * (https, or a data URL of at most 64 KiB) and `accent_colour` (`#rrggbb` with at least 4.5:1
 * contrast against white; the dark theme derives a lighter shade of it). Pure checks and colour
 * arithmetic here; storage and the API call them.
 */
import { DomainError, type Problems } from '../../domain/errors.ts';
import type { ApplicationRecord } from '../../ports/store.ts';
import type { AppContext } from '../context.ts';

export type DisplaySettings = {
  readonly displayName: string | null;
  readonly logoUrl: string | null;
  readonly accentColour: string | null;
};

export const NO_DISPLAY_SETTINGS: DisplaySettings = { displayName: null, logoUrl: null, accentColour: null };

/** A partial update: a field that is absent stays as it is, `null` clears it. */
export type DisplaySettingsPatch = { -readonly [K in keyof DisplaySettings]?: DisplaySettings[K] };

export const MAX_DISPLAY_NAME = 100;
export const MAX_LOGO_DATA_URL = 64 * 1024;
const MAX_LOGO_HTTPS_URL = 2048;
export const MIN_ACCENT_CONTRAST = 4.5;

const DATA_URL = /^data:image\/(png|jpeg|gif|webp|svg\+xml);base64,[A-Za-z0-9+/]+={0,2}$/;

type Rgb = readonly [number, number, number];

export function parseHex(colour: string): Rgb | undefined {
  const match = /^#([0-9a-fA-F]{6})$/.exec(colour);
  if (match === null) return undefined;
  const n = Number.parseInt(match[1]!, 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

function toHex(rgb: Rgb): string {
  return `#${rgb.map((c) => Math.round(c).toString(16).padStart(2, '0')).join('')}`;
}

/** WCAG 2 relative luminance. */
function luminance(rgb: Rgb): number {
  const [r, g, b] = rgb.map((c) => {
    const s = c / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** WCAG 2 contrast ratio of two `#rrggbb` colours, 1 to 21. */
export function contrastRatio(a: string, b: string): number {
  const la = luminance(parseHex(a) ?? [0, 0, 0]);
  const lb = luminance(parseHex(b) ?? [0, 0, 0]);
  return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
}

function mix(a: Rgb, b: Rgb, amount: number): Rgb {
  return [0, 1, 2].map((i) => a[i]! + (b[i]! - a[i]!) * amount) as unknown as Rgb;
}

/** The page's dark background, which the dark accent must stand out from. */
export const DARK_BACKGROUND = '#121212';

/** The accent's variants the page needs, light and dark. */
export type AccentPalette = {
  readonly light: string;
  readonly lightSoft: string;
  readonly dark: string;
  readonly darkSoft: string;
};

/**
 * Light theme: the accent itself (white text on it), and a pale tint for notices. Dark theme: the
 * accent mixed toward white until it has 4.5:1 against the dark background (dark text on it),
 * and a deep tint.
 */
export function accentPalette(accent: string): AccentPalette {
  const rgb = parseHex(accent) ?? [11, 87, 164];
  const white: Rgb = [255, 255, 255];
  const darkBg = parseHex(DARK_BACKGROUND)!;
  let dark = rgb;
  for (let step = 1; step <= 20 && contrastRatio(toHex(dark), DARK_BACKGROUND) < 7; step++) {
    dark = mix(rgb, white, step / 20);
  }
  return {
    light: toHex(rgb),
    lightSoft: toHex(mix(rgb, white, 0.9)),
    dark: toHex(dark),
    darkSoft: toHex(mix(rgb, darkBg, 0.8)),
  };
}

/** Checks a patch, adding every problem with its field path. */
export function checkDisplaySettings(patch: DisplaySettingsPatch, problems: Problems): void {
  const { displayName, logoUrl, accentColour } = patch;
  if (
    typeof displayName === 'string' &&
    (displayName.trim() === '' || displayName.length > MAX_DISPLAY_NAME)
  ) {
    problems.add(
      'display_name',
      'errors.invalid_value',
      `display_name must be 1 to ${MAX_DISPLAY_NAME} characters`,
    );
  }
  if (typeof logoUrl === 'string' && !isAcceptableLogo(logoUrl)) {
    problems.add(
      'logo_url',
      'errors.invalid_value',
      `logo_url must be an https URL, or a base64 data URL of a PNG, JPEG, GIF, WebP or SVG image of at most ${MAX_LOGO_DATA_URL} bytes`,
    );
  }
  if (typeof accentColour === 'string') {
    if (parseHex(accentColour) === undefined) {
      problems.add('accent_colour', 'errors.invalid_value', 'accent_colour must be #rrggbb');
    } else {
      const ratio = contrastRatio(accentColour, '#ffffff');
      if (ratio < MIN_ACCENT_CONTRAST) {
        problems.add(
          'accent_colour',
          'errors.insufficient_contrast',
          `accent_colour ${accentColour} has ${ratio.toFixed(2)}:1 contrast against white; at least ${MIN_ACCENT_CONTRAST}:1 is needed`,
        );
      }
    }
  }
}

function isAcceptableLogo(value: string): boolean {
  if (value.startsWith('data:')) return value.length <= MAX_LOGO_DATA_URL && DATA_URL.test(value);
  if (value.length > MAX_LOGO_HTTPS_URL) return false;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' && url.hostname !== '' && url.username === '' && url.password === '';
  } catch {
    return false;
  }
}

/** Normalises a stored colour (`#AABBCC` → `#aabbcc`). */
export function normaliseColour(colour: string): string {
  return colour.toLowerCase();
}

/** The application's settings as stored (null where unset). */
export function displaySettingsOf(application: ApplicationRecord): DisplaySettings {
  return {
    displayName: application.displayName,
    logoUrl: application.logoUrl,
    accentColour: application.accentColour,
  };
}

/**
 * Applies a patch to an application's display settings (`PATCH /v1/application`,
 * `rtseq app set`): every problem at once as a 422, else the new settings, stored.
 */
export async function updateDisplaySettings(
  ctx: AppContext,
  application: ApplicationRecord,
  patch: DisplaySettingsPatch,
  problems: Problems,
): Promise<DisplaySettings> {
  checkDisplaySettings(patch, problems);
  problems.throwIfAny();
  const current = await ctx.store.read((repos) => repos.applications.byId(application.id));
  if (current === undefined) throw new DomainError('not_found', `No application ${application.id}`);
  const next: DisplaySettings = {
    displayName: patch.displayName === undefined ? current.displayName : (patch.displayName?.trim() ?? null),
    logoUrl: patch.logoUrl === undefined ? current.logoUrl : patch.logoUrl,
    accentColour:
      patch.accentColour === undefined
        ? current.accentColour
        : patch.accentColour === null
          ? null
          : normaliseColour(patch.accentColour),
  };
  await ctx.store.transaction((repos) => repos.applications.updateDisplay(application.id, next));
  return next;
}
