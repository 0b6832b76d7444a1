/**
 * Connecting accounts to calendars that live outside rtseq (SPEC 3, 8): a CalDAV server (its
 * calendars are discovered and become rtseq calendars) or an ICS feed (one read-only calendar).
 * Used by `POST /v1/external_calendars/{caldav,ics}` and by `rtseq calendars connect-*`.
 *
 * Discovery and the feed check go through `ctx.connector` (a port; wiring/wire.ts passes the adapters'
 * ExternalCalendars), so this file stays free of adapters. Credentials are sealed with SECRET_KEY
 * before they reach the store and never appear in a result, an error or a log line.
 */

import { DomainError, Problems } from '../../domain/errors.ts';
import { isValidTimeZone } from '../../domain/time/zones.ts';
import type {
  CaldavCredentials,
  DiscoveredCalendar,
  ExternalCalendarConnector,
  ExternalCalendarErrorCode,
  ExternalCalendarRef,
} from '../../ports/external-calendars.ts';
import type { AccountRecord, ApplicationRecord, CalendarRecord } from '../../ports/store.ts';
import { issueTokens } from '../accounts/accounts.ts';
import type { AppContext } from '../context.ts';
import { checkOutboundUrl } from '../outbound.ts';

/** Which account the new calendars join: a new one, the one behind an application key, or `sub`. */
export type AccountChoice = {
  /** An existing account of the application. */
  readonly sub: string | null;
  /** Like `application_calendar_id` of SPEC 7: the first call creates, later calls reuse. */
  readonly applicationCalendarId: string | null;
  /** Name of a new account (and of an ICS calendar). */
  readonly name: string | null;
  /** Zone for all-day and floating events; otherwise the server's calendar-timezone, else UTC. */
  readonly tzid: string | null;
};

export type CaldavConnectRequest = AccountChoice & {
  readonly serverUrl: string;
  readonly username: string;
  readonly password: string;
};

export type IcsConnectRequest = AccountChoice & { readonly url: string };

export type ConnectedAccount = {
  readonly account: AccountRecord;
  readonly accessToken: string;
  readonly refreshToken: string;
  /** The calendars of this source, in discovery order (new and already connected ones). */
  readonly calendars: readonly CalendarRecord[];
};

/**
 * Field paths the problems are reported at; the API uses the wire names, the CLI its flags.
 */
export type ConnectPaths = {
  readonly serverUrl: string;
  readonly username: string;
  readonly password: string;
  readonly url: string;
  readonly sub: string;
  readonly applicationCalendarId: string;
};

export const WIRE_PATHS: ConnectPaths = {
  serverUrl: 'server_url',
  username: 'username',
  password: 'password',
  url: 'url',
  sub: 'sub',
  applicationCalendarId: 'application_calendar_id',
};

const DAY_MS = 86_400_000;

/**
 * Discovers the event calendars of a CalDAV account and connects them all. A wrong password is
 * a 422 at `password` (`errors.caldav_auth_failed`); a server that cannot be reached or does not
 * answer in CALENDAR_TIMEOUT_MS is a 422 at `server_url` (`errors.caldav_unreachable`).
 * Calendars already connected to the account (same calendar URL and username) are kept, not
 * duplicated, so repeating the call is safe.
 */
export async function connectCaldavAccount(
  ctx: AppContext,
  application: ApplicationRecord,
  request: CaldavConnectRequest,
  paths: ConnectPaths = WIRE_PATHS,
): Promise<ConnectedAccount> {
  const connector = requireConnector(ctx);
  const problems = new Problems();
  await checkOutboundUrl(ctx, request.serverUrl, paths.serverUrl, problems);
  await checkAccountChoice(ctx, application, request, paths, problems);
  problems.throwIfAny();

  const credentials: CaldavCredentials = {
    serverUrl: request.serverUrl,
    username: request.username,
    password: request.password,
  };
  let discovered: readonly DiscoveredCalendar[];
  try {
    discovered = await connector.caldav.discoverCalendars(credentials);
  } catch (error) {
    throw caldavProblem(errorCode(error), ctx.config.calendarTimeoutMs, paths);
  }
  // A public server must not hand us calendars on private addresses (SSRF through discovery).
  for (const calendar of discovered) {
    await checkOutboundUrl(ctx, calendar.calendarUrl, paths.serverUrl, problems);
  }
  if (discovered.length === 0) {
    problems.add(
      paths.serverUrl,
      'errors.caldav_no_calendars',
      'the CalDAV account has no calendars that hold events',
    );
  }
  problems.throwIfAny();

  const host = hostOf(request.serverUrl);
  return linkSources(ctx, application, request, paths, {
    accountName: request.name ?? `${request.username} at ${host}`,
    sources: discovered.map((calendar) => ({
      ref: { kind: 'caldav', calendarUrl: calendar.calendarUrl, credentials },
      name: calendar.displayName.trim() === '' ? host : calendar.displayName.trim(),
      readOnly: calendar.readOnly,
      tzid:
        request.tzid ??
        (calendar.tzid !== null && isValidTimeZone(calendar.tzid) ? calendar.tzid : null) ??
        'Etc/UTC',
    })),
  });
}

/**
 * Connects an ICS feed as one read-only calendar, after one read proves it answers with
 * iCalendar data (otherwise a 422 at `url`: `errors.ics_unreachable` or `errors.ics_invalid`).
 */
export async function connectIcsFeed(
  ctx: AppContext,
  application: ApplicationRecord,
  request: IcsConnectRequest,
  paths: ConnectPaths = WIRE_PATHS,
): Promise<ConnectedAccount> {
  const connector = requireConnector(ctx);
  const problems = new Problems();
  await checkOutboundUrl(ctx, request.url, paths.url, problems);
  await checkAccountChoice(ctx, application, request, paths, problems);
  problems.throwIfAny();

  const tzid = request.tzid ?? 'Etc/UTC';
  const ref: ExternalCalendarRef = { kind: 'ics', feedUrl: request.url };
  const now = ctx.clock.now();
  try {
    await connector.readBusy(ref, { start: now, end: now + DAY_MS }, tzid);
  } catch (error) {
    throw icsProblem(errorCode(error), ctx.config, paths);
  }
  const host = hostOf(request.url);
  return linkSources(ctx, application, request, paths, {
    accountName: request.name ?? host,
    sources: [{ ref, name: request.name ?? `Feed from ${host}`, readOnly: true, tzid }],
  });
}

type Source = {
  readonly ref: ExternalCalendarRef;
  readonly name: string;
  readonly readOnly: boolean;
  readonly tzid: string;
};

/** Creates or finds the account, adds the calendars it does not have yet, issues tokens. */
async function linkSources(
  ctx: AppContext,
  application: ApplicationRecord,
  choice: AccountChoice,
  paths: ConnectPaths,
  plan: { accountName: string; sources: readonly Source[] },
): Promise<ConnectedAccount> {
  return ctx.store.transaction(async (repos) => {
    const now = ctx.clock.now();
    let account =
      choice.sub !== null
        ? (await repos.accounts.byIds(application.id, [choice.sub]))[0]
        : choice.applicationCalendarId !== null
          ? await repos.accounts.byApplicationCalendarId(application.id, choice.applicationCalendarId)
          : undefined;
    // checkAccountChoice looked before the network round trip; the account cannot vanish (no
    // delete exists), but say so plainly rather than attach to nothing.
    if (account === undefined && choice.sub !== null) {
      throw problem(paths.sub, 'errors.unknown_sub', `${choice.sub} is not an account of this application`);
    }
    if (account === undefined) {
      account = {
        id: ctx.ids.newId('acc'),
        applicationId: application.id,
        applicationCalendarId: choice.applicationCalendarId,
        profileId: ctx.ids.newId('pro'),
        name: plan.accountName,
        createdAt: now,
      };
      await repos.accounts.insert(account);
    }
    const existing = (await repos.calendars.byAccount(account.id)).filter((c) => !c.deleted);
    const existingKeys = new Map<string, CalendarRecord>();
    for (const calendar of existing) {
      const key = sourceKeyOf(ctx, calendar);
      if (key !== null) existingKeys.set(key, calendar);
    }
    const calendars: CalendarRecord[] = [];
    let hasPrimary = existing.some((c) => c.primary);
    for (const source of plan.sources) {
      const found = existingKeys.get(sourceKey(source.ref));
      if (found !== undefined) {
        calendars.push(found);
        continue;
      }
      const calendar: CalendarRecord = {
        id: ctx.ids.newId('cal'),
        accountId: account.id,
        name: source.name,
        kind: source.ref.kind,
        readOnly: source.readOnly,
        primary: !hasPrimary,
        deleted: false,
        tzid: source.tzid,
        color: null,
        sourceSealed: ctx.secrets.seal(JSON.stringify(source.ref)),
        version: 0,
        createdAt: now,
      };
      hasPrimary = true;
      await repos.calendars.insert(calendar);
      calendars.push(calendar);
    }
    const tokens = await issueTokens(ctx, repos, account.id);
    return { account, calendars, ...tokens };
  });
}

/** Identity of a source: the same calendar for the same user (a password change is not a new calendar). */
function sourceKey(ref: ExternalCalendarRef): string {
  return ref.kind === 'ics' ? `ics ${ref.feedUrl}` : `caldav ${ref.calendarUrl} ${ref.credentials.username}`;
}

function sourceKeyOf(ctx: AppContext, calendar: CalendarRecord): string | null {
  if (calendar.kind === 'native' || calendar.sourceSealed === null) return null;
  try {
    return sourceKey(JSON.parse(ctx.secrets.unseal(calendar.sourceSealed)) as ExternalCalendarRef);
  } catch {
    return null;
  }
}

function requireConnector(ctx: AppContext): ExternalCalendarConnector {
  if (ctx.connector === undefined || ctx.connector === null) {
    throw problem('body', 'errors.not_configured', 'external calendars are not configured on this server');
  }
  return ctx.connector;
}

async function checkAccountChoice(
  ctx: AppContext,
  application: ApplicationRecord,
  choice: AccountChoice,
  paths: ConnectPaths,
  problems: Problems,
): Promise<void> {
  if (choice.sub !== null && choice.applicationCalendarId !== null) {
    problems.add(
      paths.applicationCalendarId,
      'errors.not_allowed_with_sub',
      `give either ${paths.sub} or ${paths.applicationCalendarId}, not both`,
    );
  }
  if (choice.sub === null) return;
  const found = await ctx.store.read((repos) => repos.accounts.byIds(application.id, [choice.sub!]));
  if (found.length === 0) {
    problems.add(paths.sub, 'errors.unknown_sub', `${choice.sub} is not an account of this application`);
  }
}

function errorCode(error: unknown): ExternalCalendarErrorCode | null {
  const code = (error as { code?: unknown } | null)?.code;
  switch (code) {
    case 'timeout':
    case 'auth_failed':
    case 'forbidden':
    case 'not_found':
    case 'unreachable':
    case 'bad_response':
    case 'parse_failed':
    case 'over_budget':
      return code;
    default:
      return null;
  }
}

function caldavProblem(code: ExternalCalendarErrorCode | null, timeoutMs: number, paths: ConnectPaths) {
  switch (code) {
    case 'auth_failed':
      return problem(
        paths.password,
        'errors.caldav_auth_failed',
        'the CalDAV server rejected the username or password',
      );
    case 'forbidden':
      return problem(
        paths.username,
        'errors.caldav_forbidden',
        'the CalDAV server accepted the login but does not let this user list calendars',
      );
    case 'timeout':
      return problem(
        paths.serverUrl,
        'errors.caldav_unreachable',
        `the CalDAV server did not answer within ${timeoutMs} ms`,
      );
    case 'unreachable':
      return problem(paths.serverUrl, 'errors.caldav_unreachable', 'the CalDAV server could not be reached');
    default:
      return problem(
        paths.serverUrl,
        'errors.caldav_not_found',
        'no CalDAV calendars were found at this URL (is it the CalDAV address of the server?)',
      );
  }
}

function icsProblem(
  code: ExternalCalendarErrorCode | null,
  limits: { calendarTimeoutMs: number; computeBudgetMs: number },
  paths: ConnectPaths,
) {
  switch (code) {
    case 'parse_failed':
      return problem(paths.url, 'errors.ics_invalid', 'the URL does not serve iCalendar (ICS) data');
    case 'over_budget':
      return problem(
        paths.url,
        'errors.ics_invalid',
        `reading the feed's events took longer than ${limits.computeBudgetMs} ms`,
      );
    case 'timeout':
      return problem(
        paths.url,
        'errors.ics_unreachable',
        `the feed did not answer within ${limits.calendarTimeoutMs} ms`,
      );
    case 'not_found':
      return problem(paths.url, 'errors.ics_unreachable', 'the feed was not found (HTTP 404)');
    case 'auth_failed':
    case 'forbidden':
      return problem(paths.url, 'errors.ics_unreachable', 'the feed refused access');
    case 'bad_response':
      return problem(
        paths.url,
        'errors.ics_unreachable',
        'the feed gave an unexpected answer or is too large',
      );
    default:
      return problem(paths.url, 'errors.ics_unreachable', 'the feed could not be reached');
  }
}

function problem(path: string, code: string, description: string): DomainError {
  return new DomainError('invalid_request', description, { problems: [{ path, code, description }] });
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
