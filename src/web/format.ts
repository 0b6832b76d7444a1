/**
 * Dates and times for the page, in the viewer's zone and the link's hour format. English only;
 * names come from fixed tables so the output does not depend on the runtime's ICU locale data.
 */
import { isValidTimeZone, localParts } from '../domain/time/zones.ts';

export type HourFormat = 'h' | 'H';

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

const pad = (n: number) => String(n).padStart(2, '0');

/** A local calendar day, comparable as a string: `2026-11-24`. */
export function dayKey(zone: string, instant: number): string {
  const p = localParts(zone, instant);
  return `${p.year}-${pad(p.month)}-${pad(p.day)}`;
}

/** `Tuesday 24 November 2026` */
export function formatDay(zone: string, instant: number): string {
  const p = localParts(zone, instant);
  return `${WEEKDAYS[p.weekday]} ${p.day} ${MONTHS[p.month - 1]} ${p.year}`;
}

/** `Tue 24 Nov` (for itinerary rows) */
export function formatShortDay(zone: string, instant: number): string {
  const p = localParts(zone, instant);
  return `${WEEKDAYS[p.weekday]!.slice(0, 3)} ${p.day} ${MONTHS[p.month - 1]!.slice(0, 3)} ${p.year}`;
}

/** `09:05` in 24-hour format, `9:05 am` in 12-hour format. */
export function formatTime(zone: string, instant: number, hourFormat: HourFormat): string {
  const p = localParts(zone, instant);
  if (hourFormat === 'H') return `${pad(p.hour)}:${pad(p.minute)}`;
  const hour12 = p.hour % 12 === 0 ? 12 : p.hour % 12;
  return `${hour12}:${pad(p.minute)} ${p.hour < 12 ? 'am' : 'pm'}`;
}

/** `UTC+01:00`, `UTC−05:00`, `UTC+00:00` */
export function formatOffset(zone: string, instant: number): string {
  const offsetMinutes = Math.round(localParts(zone, instant).offsetMs / 60_000);
  const sign = offsetMinutes >= 0 ? '+' : '−';
  const abs = Math.abs(offsetMinutes);
  return `UTC${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** `30 min`, `1 h`, `1 h 30 min` */
export function formatDuration(minutes: number): string {
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  if (hours === 0) return `${rest} min`;
  return rest === 0 ? `${hours} h` : `${hours} h ${rest} min`;
}

/** The `datetime` attribute of a `<time>`: UTC, whole seconds. */
export function isoInstant(instant: number): string {
  return new Date(instant).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The viewer's zone: a valid `?tz=`, else the link's `tzid`, else UTC. */
export function viewerZone(requested: unknown, linkZone: string | null): string {
  if (typeof requested === 'string' && requested.length <= 64 && isValidTimeZone(requested)) return requested;
  if (linkZone !== null && isValidTimeZone(linkZone)) return linkZone;
  return 'UTC';
}

/** Zones offered by the selector, besides the current one and the link's own. */
export const COMMON_ZONES: readonly string[] = [
  'UTC',
  'Pacific/Honolulu',
  'America/Anchorage',
  'America/Los_Angeles',
  'America/Denver',
  'America/Phoenix',
  'America/Chicago',
  'America/New_York',
  'America/Toronto',
  'America/Mexico_City',
  'America/Bogota',
  'America/Sao_Paulo',
  'America/Argentina/Buenos_Aires',
  'Atlantic/Reykjavik',
  'Europe/London',
  'Europe/Dublin',
  'Europe/Lisbon',
  'Europe/Paris',
  'Europe/Berlin',
  'Europe/Madrid',
  'Europe/Amsterdam',
  'Europe/Stockholm',
  'Europe/Warsaw',
  'Europe/Athens',
  'Europe/Helsinki',
  'Europe/Istanbul',
  'Europe/Moscow',
  'Africa/Lagos',
  'Africa/Cairo',
  'Africa/Johannesburg',
  'Africa/Nairobi',
  'Asia/Dubai',
  'Asia/Karachi',
  'Asia/Kolkata',
  'Asia/Kathmandu',
  'Asia/Dhaka',
  'Asia/Bangkok',
  'Asia/Jakarta',
  'Asia/Singapore',
  'Asia/Hong_Kong',
  'Asia/Shanghai',
  'Asia/Tokyo',
  'Asia/Seoul',
  'Australia/Perth',
  'Australia/Adelaide',
  'Australia/Brisbane',
  'Australia/Sydney',
  'Pacific/Auckland',
];
