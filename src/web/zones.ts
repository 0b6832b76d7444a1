/**
 * The time-zone control's data (SPEC 6.2): canonical IANA ids (Asia/Kolkata, not the
 * Asia/Calcutta that ICU and browsers still report), and friendly labels in the visitor's
 * language with each zone's current local time, e.g. `Kolkata · India Standard Time · 23:05`.
 */
import { isValidTimeZone, zoneOffsetMs } from '../domain/time/zones.ts';
import type { HourFormat } from './format.ts';
import { type WallFormats, wallFormats } from './intl.ts';

/** Legacy or alias ids → the canonical IANA id. */
const CANONICAL: Readonly<Record<string, string>> = {
  'Asia/Calcutta': 'Asia/Kolkata',
  'Asia/Katmandu': 'Asia/Kathmandu',
  'Asia/Saigon': 'Asia/Ho_Chi_Minh',
  'Asia/Rangoon': 'Asia/Yangon',
  'Asia/Dacca': 'Asia/Dhaka',
  'Asia/Thimbu': 'Asia/Thimphu',
  'Asia/Macao': 'Asia/Macau',
  'Asia/Ujung_Pandang': 'Asia/Makassar',
  'Asia/Ulan_Bator': 'Asia/Ulaanbaatar',
  'Asia/Chongqing': 'Asia/Shanghai',
  'Asia/Chungking': 'Asia/Shanghai',
  'Asia/Harbin': 'Asia/Shanghai',
  'Asia/Istanbul': 'Europe/Istanbul',
  'Asia/Tel_Aviv': 'Asia/Jerusalem',
  'Europe/Kiev': 'Europe/Kyiv',
  'Europe/Uzhgorod': 'Europe/Kyiv',
  'Europe/Zaporozhye': 'Europe/Kyiv',
  'Europe/Belfast': 'Europe/London',
  'America/Godthab': 'America/Nuuk',
  'America/Buenos_Aires': 'America/Argentina/Buenos_Aires',
  'America/Catamarca': 'America/Argentina/Catamarca',
  'America/Cordoba': 'America/Argentina/Cordoba',
  'America/Jujuy': 'America/Argentina/Jujuy',
  'America/Mendoza': 'America/Argentina/Mendoza',
  'America/Indianapolis': 'America/Indiana/Indianapolis',
  'America/Fort_Wayne': 'America/Indiana/Indianapolis',
  'America/Louisville': 'America/Kentucky/Louisville',
  'America/Montreal': 'America/Toronto',
  'Atlantic/Faeroe': 'Atlantic/Faroe',
  'Pacific/Enderbury': 'Pacific/Kanton',
  'Pacific/Ponape': 'Pacific/Pohnpei',
  'Pacific/Truk': 'Pacific/Chuuk',
  'Australia/ACT': 'Australia/Sydney',
  'Australia/NSW': 'Australia/Sydney',
  'Australia/Canberra': 'Australia/Sydney',
  'US/Eastern': 'America/New_York',
  'US/Central': 'America/Chicago',
  'US/Mountain': 'America/Denver',
  'US/Pacific': 'America/Los_Angeles',
  'US/Alaska': 'America/Anchorage',
  'US/Hawaii': 'Pacific/Honolulu',
  'US/Arizona': 'America/Phoenix',
  'Canada/Eastern': 'America/Toronto',
  'Canada/Pacific': 'America/Vancouver',
  GB: 'Europe/London',
  'Etc/UTC': 'UTC',
  'Etc/UCT': 'UTC',
  'Etc/GMT': 'UTC',
  'Etc/Universal': 'UTC',
  'Etc/Zulu': 'UTC',
  GMT: 'UTC',
  UCT: 'UTC',
  Universal: 'UTC',
  Zulu: 'UTC',
};

/** The canonical id of a valid zone id (unchanged when it already is canonical). */
export function canonicalZone(zone: string): string {
  return CANONICAL[zone] ?? zone;
}

/** A valid zone from user input, canonical; undefined for anything else. */
export function zoneFrom(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length === 0 || value.length > 64) return undefined;
  if (!/^[A-Za-z0-9_+\-/]+$/.test(value) || !isValidTimeZone(value)) return undefined;
  return canonicalZone(value);
}

/**
 * Zones the page itself lists (the most asked-for ones), besides the visitor's and the
 * link's; the script's search loads every zone (`allZoneChoices`) when the invitee searches.
 */
export const OFFERED_ZONES: readonly string[] = [
  'Pacific/Honolulu',
  'America/Anchorage',
  'America/Los_Angeles',
  'America/Denver',
  'America/Chicago',
  'America/Mexico_City',
  'America/New_York',
  'America/Bogota',
  'America/Sao_Paulo',
  'UTC',
  'Europe/London',
  'Africa/Lagos',
  'Europe/Paris',
  'Europe/Berlin',
  'Europe/Madrid',
  'Africa/Johannesburg',
  'Europe/Athens',
  'Europe/Istanbul',
  'Europe/Moscow',
  'Asia/Dubai',
  'Asia/Karachi',
  'Asia/Kolkata',
  'Asia/Bangkok',
  'Asia/Singapore',
  'Asia/Shanghai',
  'Australia/Perth',
  'Asia/Tokyo',
  'Australia/Sydney',
  'Pacific/Auckland',
];

/** Every zone `Intl` knows, by canonical id, once each. */
function everyZone(): readonly string[] {
  const ids = new Set<string>(['UTC']);
  for (const id of Intl.supportedValuesOf('timeZone')) {
    const canonical = canonicalZone(id);
    if (!canonical.startsWith('Etc/') && !/^[A-Z]{2,5}\d?([A-Z]{3})?$/.test(canonical)) ids.add(canonical);
  }
  return [...ids];
}

export type ZoneChoice = { readonly id: string; readonly label: string };

const GENERIC_NAMES = new Map<string, string>();
/** A recent instant: at 1970 ICU names some zones by their standard time only (no DST then). */
const GENERIC_NAME_AT = Date.UTC(2024, 0, 1);

/** `India Standard Time`, `Mitteleuropäische Zeit`: the zone's generic name in the locale. */
function genericName(tag: string, zone: string): string {
  const key = `${tag}|${zone}`;
  let name = GENERIC_NAMES.get(key);
  if (name === undefined) {
    if (zone === 'UTC') name = 'UTC';
    else {
      const parts = new Intl.DateTimeFormat(tag, {
        timeZone: zone,
        timeZoneName: 'longGeneric',
      }).formatToParts(GENERIC_NAME_AT);
      name = parts.find((p) => p.type === 'timeZoneName')?.value ?? zone;
    }
    if (GENERIC_NAMES.size > 5000) GENERIC_NAMES.clear();
    GENERIC_NAMES.set(key, name);
  }
  return name;
}

/** `Kolkata`, `Buenos Aires`, `UTC`: the place part of an id. */
export function zoneCity(zone: string): string {
  return (zone.slice(zone.lastIndexOf('/') + 1) || zone).replaceAll('_', ' ');
}

/** A zone's friendly name without the time: `Kolkata · India Standard Time`. */
export function zoneName(zone: string, tag: string): string {
  const city = zoneCity(zone);
  const generic = genericName(tag, zone);
  return generic === city || generic.includes(city) ? city : `${city} · ${generic}`;
}

/** What the control shows for a zone: `Kolkata · India Standard Time · 23:05`. */
export function zoneLabel(zone: string, tag: string, formats: WallFormats, now: number): string {
  return `${zoneName(zone, tag)} · ${formats.time(now + zoneOffsetMs(zone, now))}`;
}

const LISTS = new Map<string, { minute: number; list: readonly ZoneChoice[] }>();

/**
 * The offered zones (plus `extra`, e.g. the visitor's and the link's), labelled and sorted by
 * their current offset, then name. The labels carry the current minute, so a list is built at
 * most once a minute per locale and hour format.
 */
export function zoneChoices(
  tag: string,
  hourFormat: HourFormat,
  now: number,
  extra: readonly string[],
): readonly ZoneChoice[] {
  const minute = Math.floor(now / 60_000);
  const key = `${tag}|${hourFormat}`;
  let cached = LISTS.get(key);
  if (cached === undefined || cached.minute !== minute) {
    const formats = wallFormats(tag, hourFormat);
    const at = minute * 60_000;
    const list = sortByOffset(OFFERED_ZONES, at).map((id) => ({
      id,
      label: zoneLabel(id, tag, formats, at),
    }));
    if (LISTS.size > 200) LISTS.clear();
    cached = { minute, list };
    LISTS.set(key, cached);
  }
  const missing = [...new Set(extra.map(canonicalZone))].filter((z) => !OFFERED_ZONES.includes(z));
  if (missing.length === 0) return cached.list;
  const formats = wallFormats(tag, hourFormat);
  const at = minute * 60_000;
  const all = [...cached.list, ...missing.map((id) => ({ id, label: zoneLabel(id, tag, formats, at) }))];
  const order = sortByOffset(
    all.map((c) => c.id),
    at,
  );
  return order.map((id) => all.find((c) => c.id === id)!);
}

const FULL_LISTS = new Map<string, { minute: number; list: readonly ZoneChoice[] }>();

/** Every zone, labelled and sorted like zoneChoices: what the search box searches. */
export function allZoneChoices(tag: string, hourFormat: HourFormat, now: number): readonly ZoneChoice[] {
  const minute = Math.floor(now / 60_000);
  const key = `${tag}|${hourFormat}`;
  let cached = FULL_LISTS.get(key);
  if (cached === undefined || cached.minute !== minute) {
    const formats = wallFormats(tag, hourFormat);
    const at = minute * 60_000;
    const list = sortByOffset(everyZone(), at).map((id) => ({ id, label: zoneLabel(id, tag, formats, at) }));
    if (FULL_LISTS.size > 50) FULL_LISTS.clear();
    cached = { minute, list };
    FULL_LISTS.set(key, cached);
  }
  return cached.list;
}

function sortByOffset(zones: readonly string[], at: number): string[] {
  return zones
    .map((id) => ({ id, offset: zoneOffsetMs(id, at), city: zoneCity(id) }))
    .sort((a, b) => a.offset - b.offset || (a.city < b.city ? -1 : a.city > b.city ? 1 : 0))
    .map((z) => z.id);
}
