/**
 * Response writers of the calendar, event, free-busy and managed-availability endpoints
 * (reference 7.3-7.5, 8.1, 8.2).
 */
import { localParts } from '../../domain/time/zones.ts';
import type {
  AvailabilityRuleRecord,
  AvailablePeriodRecord,
  CalendarRecord,
  EventRecord,
} from '../../ports/store.ts';
import { localDateText } from './fields.ts';
import { formatUtc, isObject, type Json, parseDate } from './reader.ts';

/** A UTC Time, or with `localized_times` the wall time in `zone` with its offset. */
export function formatInstant(ms: number, zone: string | null): string {
  if (zone === null) return formatUtc(ms);
  const p = localParts(zone, ms);
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  const offsetMinutes = Math.round(p.offsetMs / 60_000);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** The date an all-day boundary was sent with, else the local date of `ms` in the calendar's zone. */
function dateOf(wire: unknown, ms: number, zone: string): string {
  const sent = isObject(wire) ? wire.time : wire;
  if (typeof sent === 'string' && parseDate(sent) !== undefined) return sent;
  return localDateText(zone, ms);
}

function boundaries(
  event: EventRecord,
  calendar: CalendarRecord | undefined,
  zone: string | null,
): { start: string; end: string } {
  if (event.allDay) {
    const calendarZone = calendar?.tzid ?? 'Etc/UTC';
    return {
      start: dateOf(event.data.start, event.startMs, calendarZone),
      end: dateOf(event.data.end, event.endMs, calendarZone),
    };
  }
  return { start: formatInstant(event.startMs, zone), end: formatInstant(event.endMs, zone) };
}

function locationOf(value: unknown): Json | undefined {
  if (!isObject(value)) return undefined;
  const out: Json = {};
  for (const key of ['description', 'lat', 'long']) {
    if (typeof value[key] === 'string' || typeof value[key] === 'number') out[key] = value[key];
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

function attendeesOf(value: unknown): Json[] {
  if (!Array.isArray(value)) return [];
  return value
    .filter((a): a is Json => isObject(a) && typeof a.email === 'string')
    .map((a) => ({
      email: a.email,
      ...(typeof a.display_name === 'string' ? { display_name: a.display_name } : {}),
      status: 'needs_action',
    }));
}

/** One item of `GET /v1/events` (reference 7.3). Absent optional fields are omitted. */
export function eventToWire(
  event: EventRecord,
  calendar: CalendarRecord | undefined,
  zone: string | null,
): Json {
  const { data } = event;
  const location = locationOf(data.location);
  return {
    calendar_id: event.calendarId,
    event_uid: event.eventUid,
    event_id: event.eventId,
    summary: event.summary,
    description: typeof data.description === 'string' ? data.description : '',
    ...boundaries(event, calendar, zone),
    deleted: event.deleted,
    created: formatUtc(event.createdAt),
    updated: formatUtc(event.updatedAt),
    ...(location === undefined ? {} : { location }),
    participation_status: 'accepted',
    attendees: attendeesOf(data.attendees),
    transparency: event.transparency,
    status: event.status,
    categories: [],
    recurring: false,
    event_private: data.event_private === true,
    ...(isObject(data.tags) ? { tags: data.tags } : {}),
    options: { delete: true, update: true, change_participation_status: false },
  };
}

/** One item of `GET /v1/free_busy` (reference 7.4). */
export function freeBusyToWire(
  event: EventRecord,
  calendar: CalendarRecord | undefined,
  zone: string | null,
): Json {
  return {
    calendar_id: event.calendarId,
    ...boundaries(event, calendar, zone),
    free_busy_status: event.status === 'tentative' ? 'tentative' : 'busy',
  };
}

/**
 * A calendar in Cronofy's shape. Calendars connected through /oauth/authorize belong to their
 * profile (`profileNames` gives its name); the others to the account's own profile.
 */
export function calendarToWire(
  calendar: CalendarRecord,
  account: { readonly profileId: string; readonly name: string },
  profileNames: ReadonlyMap<string, string> = new Map(),
): Json {
  const profileId = calendar.profileId ?? null;
  return {
    provider_name: calendar.kind === 'native' ? 'cronofy' : calendar.kind,
    profile_id: profileId ?? account.profileId,
    profile_name: (profileId === null ? undefined : profileNames.get(profileId)) ?? account.name,
    calendar_id: calendar.id,
    calendar_name: calendar.name,
    calendar_readonly: calendar.readOnly || calendar.kind === 'ics',
    calendar_deleted: calendar.deleted,
    calendar_primary: calendar.primary,
    calendar_integrated_conferencing_available: false,
    calendar_attachments_available: false,
    permission_level: 'unrestricted',
    ...(calendar.color === null ? {} : { calendar_color: calendar.color }),
  };
}

export function ruleToWire(rule: AvailabilityRuleRecord): Json {
  return {
    availability_rule_id: rule.ruleId,
    tzid: rule.tzid,
    ...(rule.calendarIds === null ? {} : { calendar_ids: rule.calendarIds }),
    weekly_periods: rule.weeklyPeriods.map((p) => ({
      day: p.day,
      start_time: p.startTime,
      end_time: p.endTime,
    })),
  };
}

export function periodToWire(period: AvailablePeriodRecord, zone: string | null): Json {
  return {
    available_period_id: period.periodId,
    start: formatInstant(period.startMs, zone),
    end: formatInstant(period.endMs, zone),
  };
}
