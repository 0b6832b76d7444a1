/**
 * Query-string readers of `GET /v1/events`, `GET /v1/free_busy` and `GET /v1/available_periods`
 * (reference 7.3, 7.4, 8.2). Every reader collects all problems and never throws.
 */
import type { EventsQuery, FreeBusyQuery } from '../../app/calendars/events.ts';
import type { PageQuery } from '../../app/calendars/paging.ts';
import type { Problems } from '../../domain/errors.ts';
import type { Interval } from '../../domain/time/intervals.ts';
import { startOfLocalDate } from '../../domain/time/wall-clock.ts';
import { CALENDAR_IDS_MAX, DATE_LIKE, localDateText } from './fields.ts';
import { child, formatUtc, parseDate, readInteger, readTime, readTimeZone } from './reader.ts';

/** The query string as parsed by `queryOf` (`name[]` lists under `name`). */
export type QueryMap = Readonly<Record<string, string | readonly string[]>>;

/** A list's `limit` in a query string: whole digits only, 1 to 1000; absent is undefined. */
export function readLimitQuery(value: unknown, problems: Problems): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^\d{1,6}$/.test(value)) {
    problems.add('limit', 'errors.invalid_type', 'limit must be a whole number');
    return undefined;
  }
  return readInteger(Number(value), 'limit', problems, { required: false, min: 1, max: 1000 });
}

/** Beyond any instant the API accepts (year 9999), so an open-ended window stays finite. */
const FAR_PAST = -8.64e15;
const FAR_FUTURE = 8.64e15;
const DAY_MS = 86_400_000;

/** A parameter given once; own properties only (a query may carry `__proto__`). */
function scalar(query: QueryMap, key: string, problems: Problems): string | undefined {
  if (!Object.hasOwn(query, key)) return undefined;
  const value = query[key];
  if (typeof value !== 'string') {
    problems.add(key, 'errors.invalid_type', `${key} must be given once`);
    return undefined;
  }
  return value;
}

/** `tzid` given once and valid; an unusable value is reported once. */
function queryZone(query: QueryMap, problems: Problems, required: boolean): string | undefined {
  const given = Object.hasOwn(query, 'tzid');
  const text = scalar(query, 'tzid', problems);
  if (given && text === undefined) return undefined;
  return readTimeZone(text, 'tzid', problems, required);
}

/** A query-string boolean: `true`/`false` in any letter case (SPEC 4); anything else is a problem. */
export function queryBoolean(query: QueryMap, key: string, problems: Problems): boolean | undefined {
  const text = scalar(query, key, problems);
  if (text === undefined) return undefined;
  // Any letter case: Python's requests sends `True`/`False` (SPEC 4).
  const lower = text.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  problems.add(key, 'errors.invalid_type', `${key} must be true or false`);
  return undefined;
}

function queryList(query: QueryMap, key: string, problems: Problems): string[] | undefined {
  if (!Object.hasOwn(query, key)) return undefined;
  const value = query[key]!;
  const list = typeof value === 'string' ? [value] : [...value];
  if (list.length > CALENDAR_IDS_MAX) {
    problems.add(key, 'errors.too_long', `${key} may have at most ${CALENDAR_IDS_MAX} items`);
    return undefined;
  }
  let ok = true;
  list.forEach((item, i) => {
    if (item.length === 0 || item.length > 200) {
      problems.add(child(key, i), 'errors.invalid_value', `${key}[${i}] must be a calendar id`);
      ok = false;
    }
  });
  return ok ? list : undefined;
}

/** A `from`/`to` parameter: a Date (start of that day in `tzid`) or a UTC Time. */
function queryInstant(
  query: QueryMap,
  key: string,
  problems: Problems,
  tzid: string | undefined,
): { ms: number; canonical: string } | undefined {
  const text = scalar(query, key, problems);
  if (text === undefined) return undefined;
  if (DATE_LIKE.test(text)) {
    const date = parseDate(text);
    if (date === undefined) {
      problems.add(key, 'errors.invalid_time', `${key} must be a real date such as 2026-01-30`);
      return undefined;
    }
    if (tzid === undefined) return undefined;
    return { ms: startOfLocalDate(tzid, ...date), canonical: text };
  }
  const ms = readTime(text, key, problems, false);
  return ms === undefined ? undefined : { ms, canonical: formatUtc(ms) };
}

function checkRange(
  from: { ms: number } | undefined,
  to: { ms: number } | undefined,
  problems: Problems,
): void {
  if (from !== undefined && to !== undefined && to.ms <= from.ms) {
    problems.add('to', 'errors.invalid_period', 'to must be after from');
  }
}

function windowOf(from: { ms: number } | undefined, to: { ms: number } | undefined): Interval | null {
  if (from === undefined && to === undefined) return null;
  return { start: from?.ms ?? FAR_PAST, end: to?.ms ?? FAR_FUTURE };
}

export type PagedQuery<Q> = {
  readonly query: Q;
  /** Only the parameters that shape the result, defaults resolved: stored in page tokens. */
  readonly canonical: PageQuery;
  /** The zone for `localized_times=true`, else null (UTC times). */
  readonly localizedZone: string | null;
};

function canonicalOf(entries: Record<string, string | readonly string[] | undefined>): PageQuery {
  const out: Record<string, string | readonly string[]> = {};
  for (const [key, value] of Object.entries(entries)) if (value !== undefined) out[key] = value;
  return out;
}

/**
 * `GET /v1/events`. `tzid` is required. `from`/`to` narrow the result to events overlapping
 * them; without either every event is returned (rtseq's events are all managed, and managed
 * events ignore the default window). `include_managed`/`only_managed`, `include_moved` and
 * `include_geo` are accepted and change nothing.
 */
export function readEventsQuery(query: QueryMap, problems: Problems): PagedQuery<EventsQuery> {
  const tzid = queryZone(query, problems, true);
  const from = queryInstant(query, 'from', problems, tzid);
  const to = queryInstant(query, 'to', problems, tzid);
  checkRange(from, to, problems);
  const includeDeleted = queryBoolean(query, 'include_deleted', problems);
  const localized = queryBoolean(query, 'localized_times', problems);
  for (const flag of ['include_managed', 'only_managed', 'include_moved', 'include_geo']) {
    queryBoolean(query, flag, problems);
  }
  const lastModifiedText = scalar(query, 'last_modified', problems);
  const lastModified = readTime(lastModifiedText, 'last_modified', problems, false);
  const calendarIds = queryList(query, 'calendar_ids', problems);
  return {
    query: {
      window: windowOf(from, to),
      includeDeleted: includeDeleted ?? false,
      modifiedSince: lastModified ?? null,
      calendarIds: calendarIds ?? null,
    },
    canonical: canonicalOf({
      tzid,
      from: from?.canonical,
      to: to?.canonical,
      include_deleted: includeDeleted === undefined ? undefined : String(includeDeleted),
      localized_times: localized === undefined ? undefined : String(localized),
      last_modified: lastModified === undefined ? undefined : formatUtc(lastModified),
      calendar_ids: calendarIds,
    }),
    localizedZone: localized === true && tzid !== undefined ? tzid : null,
  };
}

/**
 * `GET /v1/free_busy`. `tzid` is required; `from` defaults to the date 42 days ago and `to`
 * (exclusive) to the date 201 days ahead, both in `tzid`, resolved once so later pages agree.
 */
export function readFreeBusyQuery(
  query: QueryMap,
  problems: Problems,
  now: number,
): PagedQuery<FreeBusyQuery> {
  const tzid = queryZone(query, problems, true);
  const withDefaults: Record<string, string | readonly string[]> = { ...query };
  if (tzid !== undefined && !Object.hasOwn(query, 'from'))
    withDefaults.from = localDateText(tzid, now - 42 * DAY_MS);
  if (tzid !== undefined && !Object.hasOwn(query, 'to'))
    withDefaults.to = localDateText(tzid, now + 201 * DAY_MS);
  const from = queryInstant(withDefaults, 'from', problems, tzid);
  const to = queryInstant(withDefaults, 'to', problems, tzid);
  checkRange(from, to, problems);
  const localized = queryBoolean(query, 'localized_times', problems);
  queryBoolean(query, 'include_managed', problems);
  const calendarIds = queryList(query, 'calendar_ids', problems);
  return {
    query: {
      window: windowOf(from, to) ?? { start: FAR_PAST, end: FAR_FUTURE },
      calendarIds: calendarIds ?? null,
    },
    canonical: canonicalOf({
      tzid,
      from: from?.canonical,
      to: to?.canonical,
      localized_times: localized === undefined ? undefined : String(localized),
      calendar_ids: calendarIds,
    }),
    localizedZone: localized === true && tzid !== undefined ? tzid : null,
  };
}

/** `GET /v1/available_periods`: `tzid` is required when `from` or `to` is given; `to` is exclusive. */
export function readAvailablePeriodsQuery(query: QueryMap, problems: Problems): PagedQuery<Interval | null> {
  const needsZone = Object.hasOwn(query, 'from') || Object.hasOwn(query, 'to');
  const tzid = queryZone(query, problems, needsZone);
  const from = queryInstant(query, 'from', problems, tzid);
  const to = queryInstant(query, 'to', problems, tzid);
  checkRange(from, to, problems);
  const localized = queryBoolean(query, 'localized_times', problems);
  if (localized === true && tzid === undefined && !problems.list.some((p) => p.path === 'tzid')) {
    problems.add('tzid', 'errors.required', 'tzid is required with localized_times');
  }
  return {
    query: windowOf(from, to),
    canonical: canonicalOf({
      tzid,
      from: from?.canonical,
      to: to?.canonical,
      localized_times: localized === undefined ? undefined : String(localized),
    }),
    localizedZone: localized === true && tzid !== undefined ? tzid : null,
  };
}

/**
 * `DELETE /v1/events` scope from the query string (`delete_all=True`, `calendar_ids[]=…`), as
 * Python's client sends it with a `{}` body (SPEC 7). Undefined when the query names neither.
 */
export function readBulkDeleteQuery(
  query: QueryMap,
  problems: Problems,
): { all: boolean; calendarIds: string[] | null } | undefined {
  if (!Object.hasOwn(query, 'delete_all') && !Object.hasOwn(query, 'calendar_ids')) return undefined;
  const all = queryBoolean(query, 'delete_all', problems);
  const calendarIds = queryList(query, 'calendar_ids', problems);
  if (all === false && calendarIds === undefined && problems.isEmpty) {
    problems.add('delete_all', 'errors.invalid_value', 'delete_all must be true when calendar_ids is absent');
  }
  return { all: all === true, calendarIds: calendarIds ?? null };
}
