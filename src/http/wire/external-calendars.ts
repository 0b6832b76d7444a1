/**
 * Readers for `POST /v1/external_calendars/{caldav,ics}` (rtseq extension, docs/api.md), the
 * response shape both share, and the source status list of `GET /v1/external_calendars`. Every problem of a body is reported at once (SPEC 4).
 */
import type {
  CaldavConnectRequest,
  ConnectedAccount,
  IcsConnectRequest,
} from '../../app/calendars/external-accounts.ts';
import type { ExternalCalendarStatus } from '../../app/calendars/source-status.ts';
import type { Problems } from '../../domain/errors.ts';
import { calendarToWire } from './output.ts';
import { formatUtc, type Json, readString, readTimeZone, readUrl } from './reader.ts';

function readAccountChoice(body: Json, problems: Problems) {
  return {
    sub: readString(body.sub, 'sub', problems, { required: false, max: 200 }) ?? null,
    applicationCalendarId:
      readString(body.application_calendar_id, 'application_calendar_id', problems, {
        required: false,
        max: 64,
        ascii: true,
      }) ?? null,
    name: readString(body.name, 'name', problems, { required: false, min: 1, max: 200 })?.trim() ?? null,
    tzid: readTimeZone(body.tzid, 'tzid', problems, false) ?? null,
  };
}

/** `{server_url, username, password, application_calendar_id?, name?, tzid?, sub?}` */
export function readCaldavConnect(body: Json, problems: Problems): CaldavConnectRequest | undefined {
  const serverUrl = readUrl(body.server_url, 'server_url', problems, true);
  const username = readString(body.username, 'username', problems, { required: true, min: 1, max: 256 });
  // A password may be blank for servers that only check the user name; it must be a string.
  const password = readString(body.password, 'password', problems, { required: true, max: 1024 });
  const choice = readAccountChoice(body, problems);
  if (serverUrl === undefined || username === undefined || password === undefined) return undefined;
  return { ...choice, serverUrl, username, password };
}

/** `{url, name?, tzid?, sub?, application_calendar_id?}`; `webcal://` and `webcals://` are accepted. */
export function readIcsConnect(body: Json, problems: Problems): IcsConnectRequest | undefined {
  const url = readUrl(body.url, 'url', problems, true, ['http:', 'https:', 'webcal:', 'webcals:']);
  const choice = readAccountChoice(body, problems);
  if (url === undefined) return undefined;
  return { ...choice, url };
}

/**
 * The 200 body: tokens for the account and the calendars of this source, shaped as in
 * `GET /v1/calendars`. No credentials.
 */
export function connectedAccountBody(result: ConnectedAccount) {
  return {
    token_type: 'bearer' as const,
    access_token: result.accessToken,
    refresh_token: result.refreshToken,
    sub: result.account.id,
    ...(result.account.applicationCalendarId === null
      ? {}
      : { application_calendar_id: result.account.applicationCalendarId }),
    linking_profile: {
      provider_name: result.calendars[0]?.kind ?? 'caldav',
      profile_id: result.account.profileId,
      profile_name: result.account.name,
    },
    calendars: result.calendars.map((calendar) => calendarToWire(calendar, result.account)),
  };
}

/**
 * One calendar of `GET /v1/external_calendars` (also `rtseq calendars list --json`): where it
 * lives (`scheme://host:port` only) and its last read. `reason` uses the words of
 * `unavailable_sources`; `busy_count` is present for successful reads only.
 */
export function externalCalendarStatusToWire(item: ExternalCalendarStatus) {
  const read = item.lastRead;
  return {
    sub: item.calendar.accountId,
    calendar_id: item.calendar.id,
    calendar_name: item.calendar.name,
    provider_name: item.calendar.kind,
    ...(item.origin === null ? {} : { source: item.origin }),
    last_read:
      read === null
        ? null
        : {
            read_at: formatUtc(read.readAt),
            status: read.ok ? ('ok' as const) : ('failed' as const),
            ...(read.reason === null ? {} : { reason: read.reason }),
            ...(read.busyCount === null ? {} : { busy_count: read.busyCount }),
            ignored_rules: [...read.ignored],
            window: { start: formatUtc(read.windowStart), end: formatUtc(read.windowEnd) },
          },
  };
}
