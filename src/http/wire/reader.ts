/**
 * Defensive readers for Cronofy-style JSON. Each takes an unknown value and its dotted path, adds
 * every problem it finds to a shared Problems list, and returns the typed value or undefined. They
 * never throw, so a whole body is read in one pass and every problem is reported at once (SPEC 4).
 */
import type { Problems } from '../../domain/errors.ts';
import { isValidTimeZone } from '../../domain/time/zones.ts';

export { formatUtc } from '../../domain/time/format.ts';

export type Json = Record<string, unknown>;

/** `null` means absent (SPEC 4). */
export const isAbsent = (value: unknown): value is null | undefined => value === null || value === undefined;

export const child = (path: string, key: string | number): string =>
  typeof key === 'number' ? `${path}[${key}]` : path === '' ? key : `${path}.${key}`;

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function readObject(
  value: unknown,
  path: string,
  problems: Problems,
  required: boolean,
): Json | undefined {
  if (isAbsent(value)) {
    if (required) problems.add(path, 'errors.required', `${path} is required`);
    return undefined;
  }
  if (!isObject(value)) {
    problems.add(path, 'errors.invalid_type', `${path} must be an object`);
    return undefined;
  }
  return value;
}

export function readArray(
  value: unknown,
  path: string,
  problems: Problems,
  options: { required: boolean; min?: number; max?: number },
): unknown[] | undefined {
  if (isAbsent(value)) {
    if (options.required) problems.add(path, 'errors.required', `${path} is required`);
    return undefined;
  }
  if (!Array.isArray(value)) {
    problems.add(path, 'errors.invalid_type', `${path} must be an array`);
    return undefined;
  }
  if (options.min !== undefined && value.length < options.min) {
    problems.add(path, 'errors.too_short', `${path} must have at least ${options.min} item(s)`);
  }
  if (options.max !== undefined && value.length > options.max) {
    problems.add(path, 'errors.too_long', `${path} may have at most ${options.max} items`);
    return undefined;
  }
  return value;
}

export function readString(
  value: unknown,
  path: string,
  problems: Problems,
  options: { required: boolean; max?: number; min?: number; ascii?: boolean },
): string | undefined {
  if (isAbsent(value)) {
    if (options.required) problems.add(path, 'errors.required', `${path} is required`);
    return undefined;
  }
  if (typeof value !== 'string') {
    problems.add(path, 'errors.invalid_type', `${path} must be a string`);
    return undefined;
  }
  // PostgreSQL text cannot hold U+0000, and no field has a use for it.
  if (value.includes('\u0000')) {
    problems.add(path, 'errors.invalid_format', `${path} must not contain NUL characters`);
    return undefined;
  }
  if ((options.min ?? 0) > 0 && value.trim().length < (options.min ?? 0)) {
    problems.add(
      path,
      options.required ? 'errors.required' : 'errors.too_short',
      `${path} must not be blank`,
    );
    return undefined;
  }
  if (options.max !== undefined && [...value].length > options.max) {
    problems.add(path, 'errors.too_long', `${path} must be at most ${options.max} characters`);
    return undefined;
  }
  if (options.ascii === true && !/^[\x21-\x7e]+$/.test(value)) {
    problems.add(path, 'errors.invalid_format', `${path} must be printable ASCII without spaces`);
    return undefined;
  }
  return value;
}

export function readInteger(
  value: unknown,
  path: string,
  problems: Problems,
  options: { required: boolean; min: number; max: number },
): number | undefined {
  if (isAbsent(value)) {
    if (options.required) problems.add(path, 'errors.required', `${path} is required`);
    return undefined;
  }
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    problems.add(path, 'errors.invalid_type', `${path} must be a whole number`);
    return undefined;
  }
  if (value < options.min || value > options.max) {
    problems.add(path, 'errors.out_of_range', `${path} must be from ${options.min} to ${options.max}`);
    return undefined;
  }
  return value;
}

export function readBoolean(value: unknown, path: string, problems: Problems): boolean | undefined {
  if (isAbsent(value)) return undefined;
  if (typeof value !== 'boolean') {
    problems.add(path, 'errors.invalid_type', `${path} must be true or false`);
    return undefined;
  }
  return value;
}

export function readEnum<T extends string>(
  value: unknown,
  path: string,
  problems: Problems,
  allowed: readonly T[],
  required = false,
): T | undefined {
  if (isAbsent(value)) {
    if (required) problems.add(path, 'errors.required', `${path} is required`);
    return undefined;
  }
  const found = allowed.find((option) => option === value);
  if (found === undefined) {
    problems.add(
      path,
      'errors.invalid_value',
      `${path} must be one of ${allowed.map((a) => `"${a}"`).join(', ')}`,
    );
  }
  return found;
}

const TIME_PATTERN =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|\+00:00|\+0000| ?UTC)$/;
const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Parses a UTC time in the accepted wire forms (SPEC 4); returns epoch ms or a reason. */
export function parseUtcTime(text: string): number | 'format' | 'milliseconds' {
  const match = TIME_PATTERN.exec(text);
  if (match === null) return 'format';
  const [, y, mo, d, h, mi, s, fraction] = match;
  if (fraction !== undefined && /[1-9]/.test(fraction)) return 'milliseconds';
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  const back = new Date(ms);
  if (
    back.getUTCFullYear() !== Number(y) ||
    back.getUTCMonth() !== Number(mo) - 1 ||
    back.getUTCDate() !== Number(d) ||
    back.getUTCHours() !== Number(h) ||
    back.getUTCMinutes() !== Number(mi) ||
    back.getUTCSeconds() !== Number(s)
  ) {
    return 'format';
  }
  return ms;
}

/** `YYYY-MM-DD` → [year, month, day], or undefined when not a real date. */
export function parseDate(text: string): [number, number, number] | undefined {
  const match = DATE_PATTERN.exec(text);
  if (match === null) return undefined;
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const back = new Date(Date.UTC(y, m - 1, d));
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== m - 1 || back.getUTCDate() !== d)
    return undefined;
  return [y, m, d];
}

export function readTime(
  value: unknown,
  path: string,
  problems: Problems,
  required: boolean,
): number | undefined {
  if (isAbsent(value)) {
    if (required) problems.add(path, 'errors.required', `${path} is required`);
    return undefined;
  }
  if (typeof value !== 'string') {
    problems.add(
      path,
      'errors.invalid_type',
      `${path} must be a UTC time string such as 2026-01-30T09:00:00Z`,
    );
    return undefined;
  }
  const parsed = parseUtcTime(value);
  if (parsed === 'milliseconds') {
    problems.add(path, 'errors.invalid_time', `${path} must not have non-zero milliseconds`);
    return undefined;
  }
  if (parsed === 'format') {
    problems.add(path, 'errors.invalid_time', `${path} must be a UTC time such as 2026-01-30T09:00:00Z`);
    return undefined;
  }
  return parsed;
}

/** Duration `{minutes}`, `{hours}` or both (minutes < 60 then); returns whole minutes. */
export function readDuration(
  value: unknown,
  path: string,
  problems: Problems,
  options: { required: boolean; min: number; max?: number },
): number | undefined {
  const object = readObject(value, path, problems, options.required);
  if (object === undefined) return undefined;
  const max = options.max ?? 525_600;
  const hours = isAbsent(object.hours)
    ? undefined
    : readInteger(object.hours, child(path, 'hours'), problems, {
        required: false,
        min: 0,
        max: Math.ceil(max / 60),
      });
  const minutesMax = isAbsent(object.hours) ? max : 59;
  const minutes = isAbsent(object.minutes)
    ? undefined
    : readInteger(object.minutes, child(path, 'minutes'), problems, {
        required: false,
        min: 0,
        max: minutesMax,
      });
  if (isAbsent(object.hours) && isAbsent(object.minutes)) {
    problems.add(path, 'errors.invalid_duration', `${path} must give minutes, hours or both`);
    return undefined;
  }
  if (
    (!isAbsent(object.hours) && hours === undefined) ||
    (!isAbsent(object.minutes) && minutes === undefined)
  ) {
    return undefined;
  }
  const total = (hours ?? 0) * 60 + (minutes ?? 0);
  if (total < options.min || total > max) {
    problems.add(path, 'errors.out_of_range', `${path} must be from ${options.min} to ${max} minutes`);
    return undefined;
  }
  return total;
}

/** An IANA zone name Intl knows, at most 64 characters (raw offsets such as `+05:30` are not tzids). */
export function isKnownTimeZone(tzid: string): boolean {
  return tzid.length <= 64 && isValidTimeZone(tzid);
}

export function readTimeZone(
  value: unknown,
  path: string,
  problems: Problems,
  required: boolean,
): string | undefined {
  const text = readString(value, path, problems, { required, max: 64 });
  if (text === undefined) return undefined;
  if (!isKnownTimeZone(text)) {
    problems.add(path, 'errors.invalid_tzid', `${path} must be an IANA time zone such as Europe/London`);
    return undefined;
  }
  return text;
}

export function readUrl(
  value: unknown,
  path: string,
  problems: Problems,
  required: boolean,
  protocols: readonly string[] = ['http:', 'https:'],
): string | undefined {
  const text = readString(value, path, problems, { required, max: 2048 });
  if (text === undefined) return undefined;
  try {
    const url = new URL(text);
    if (!protocols.includes(url.protocol) || url.hostname === '') throw new Error('protocol');
    return text;
  } catch {
    problems.add(
      path,
      'errors.invalid_url',
      `${path} must be an absolute ${protocols.map((p) => p.slice(0, -1)).join(' or ')} URL`,
    );
    return undefined;
  }
}

export function formatDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
