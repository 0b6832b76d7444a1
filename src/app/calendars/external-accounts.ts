/**
 * Connecting accounts to calendars that live outside rtseq (SPEC 3, 8): a CalDAV server (its
 * calendars are discovered and become rtseq calendars) or an ICS feed (one read-only calendar).
 * Used by `POST /v1/external_calendars/{caldav,ics}` and by `rtseq calendars connect-*`.
 *
 * Discovery and the feed check go through `ctx.connector` (a port; wiring/wire.ts passes the adapters'
 * ExternalCalendars), so this file stays free of adapters. Credentials are sealed with SECRET_KEY
 * before they reach the store and never appear in a result, an error or a log line.
 */

import { Problems } from '../../domain/errors.ts';
import { isValidTimeZone } from '../../domain/time/zones.ts';
import type { ProviderCalendar } from '../../ports/calendar-provider.ts';
import type {
  CaldavCalendarRef,
  CaldavCredentials,
  ExternalCalendarConnector,
  ExternalCalendarRef,
} from '../../ports/external-calendars.ts';
import type { AccountRecord, ApplicationRecord, CalendarRecord, Repos } from '../../ports/store.ts';
import { issueTokens } from '../accounts/accounts.ts';
import type { AppContext } from '../context.ts';
import { checkOutboundUrl } from '../outbound.ts';
import {
  type ConnectPaths,
  caldavProblem,
  errorCode,
  hostOf,
  icsProblem,
  problem,
} from './source-problems.ts';

export type { ConnectPaths };

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

export const WIRE_PATHS: ConnectPaths = {
  serverUrl: 'server_url',
  username: 'username',
  password: 'password',
  url: 'url',
  sub: 'sub',
  applicationCalendarId: 'application_calendar_id',
};

/** Where a source's calendars come from: a CalDAV login or a feed URL (what a profile seals). */
export type SourceCredentials =
  | { readonly kind: 'caldav'; readonly credentials: CaldavCredentials }
  | { readonly kind: 'ics'; readonly feedUrl: string };

/** A checked source: the calendars to add, and names for a new account and profile. */
export type SourcePlan = {
  readonly credentials: SourceCredentials;
  readonly accountName: string;
  /** The user name at the server, or the feed's host. */
  readonly profileName: string;
  readonly sources: readonly Source[];
};

/**
 * Checks a CalDAV login against its server and lists its event calendars. A wrong password is a
 * 422 at `password` (`errors.caldav_auth_failed`); a server that cannot be reached, is refused by
 * the outbound guard or does not answer in CALENDAR_TIMEOUT_MS is a 422 at `server_url`
 * (`errors.caldav_unreachable`). Problems already in `problems` are thrown with the first ones.
 */
export async function planCaldavSources(
  ctx: AppContext,
  request: Pick<CaldavConnectRequest, 'serverUrl' | 'username' | 'password' | 'name' | 'tzid'>,
  paths: ConnectPaths,
  problems: Problems,
): Promise<SourcePlan> {
  const connector = requireConnector(ctx);
  await checkOutboundUrl(ctx, request.serverUrl, paths.serverUrl, problems);
  problems.throwIfAny();
  const credentials: CaldavCredentials = {
    serverUrl: request.serverUrl,
    username: request.username,
    password: request.password,
  };
  let discovered: readonly ProviderCalendar<CaldavCalendarRef>[];
  try {
    discovered = await connector.providers.caldav.listCalendars(credentials);
  } catch (error) {
    throw caldavProblem(errorCode(error), ctx.config.calendarTimeoutMs, paths);
  }
  // A public server must not hand us calendars on private addresses (SSRF through discovery).
  for (const calendar of discovered) {
    await checkOutboundUrl(ctx, calendar.ref.calendarUrl, paths.serverUrl, problems);
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
  return {
    credentials: { kind: 'caldav', credentials },
    accountName: request.name ?? `${request.username} at ${host}`,
    profileName: `${request.username} at ${host}`,
    sources: discovered.map((calendar) => ({
      ref: calendar.ref,
      name: calendar.name.trim() === '' ? host : calendar.name.trim(),
      readOnly: calendar.readOnly,
      tzid:
        request.tzid ??
        (calendar.tzid !== null && isValidTimeZone(calendar.tzid) ? calendar.tzid : null) ??
        'Etc/UTC',
    })),
  };
}

/**
 * Checks a feed URL with one read that must answer with iCalendar data (otherwise a 422 at `url`:
 * `errors.ics_unreachable` or `errors.ics_invalid`); the plan is one read-only calendar.
 */
export async function planIcsSource(
  ctx: AppContext,
  request: Pick<IcsConnectRequest, 'url' | 'name' | 'tzid'>,
  paths: ConnectPaths,
  problems: Problems,
): Promise<SourcePlan> {
  const connector = requireConnector(ctx);
  await checkOutboundUrl(ctx, request.url, paths.url, problems);
  problems.throwIfAny();
  const tzid = request.tzid ?? 'Etc/UTC';
  let ref: ExternalCalendarRef;
  try {
    const [listed] = await connector.providers.ics.listCalendars({ feedUrl: request.url });
    if (listed === undefined) throw new Error('a feed is one calendar');
    ref = listed.ref;
  } catch (error) {
    throw icsProblem(errorCode(error), ctx.config, paths);
  }
  const host = hostOf(request.url);
  return {
    credentials: { kind: 'ics', feedUrl: request.url },
    accountName: request.name ?? host,
    profileName: host,
    sources: [{ ref, name: request.name ?? `Feed from ${host}`, readOnly: true, tzid }],
  };
}

/**
 * Discovers the event calendars of a CalDAV account and connects them all (see
 * planCaldavSources for the problems). Calendars already connected to the account (same calendar
 * URL and username) are kept, not duplicated, so repeating the call is safe.
 */
export async function connectCaldavAccount(
  ctx: AppContext,
  application: ApplicationRecord,
  request: CaldavConnectRequest,
  paths: ConnectPaths = WIRE_PATHS,
): Promise<ConnectedAccount> {
  requireConnector(ctx);
  const problems = new Problems();
  await checkAccountChoice(ctx, application, request, paths, problems);
  const plan = await planCaldavSources(ctx, request, paths, problems);
  return linkSources(ctx, application, request, paths, plan);
}

/** Connects an ICS feed as one read-only calendar (see planIcsSource for the problems). */
export async function connectIcsFeed(
  ctx: AppContext,
  application: ApplicationRecord,
  request: IcsConnectRequest,
  paths: ConnectPaths = WIRE_PATHS,
): Promise<ConnectedAccount> {
  requireConnector(ctx);
  const problems = new Problems();
  await checkAccountChoice(ctx, application, request, paths, problems);
  const plan = await planIcsSource(ctx, request, paths, problems);
  return linkSources(ctx, application, request, paths, plan);
}

export type Source = {
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
  plan: Pick<SourcePlan, 'accountName' | 'sources'>,
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
    const calendars = await addSources(ctx, repos, account.id, plan.sources, null);
    const tokens = await issueTokens(ctx, repos, account.id);
    return { account, calendars, ...tokens };
  });
}

/**
 * Adds the calendars of `sources` the account does not have yet (same calendar URL and user, in the
 * same profile) and returns every calendar of the sources, in order. `profileId` marks calendars
 * connected through /oauth/authorize; null: the account's own.
 */
export async function addSources(
  ctx: AppContext,
  repos: Repos,
  accountId: string,
  sources: readonly Source[],
  profileId: string | null,
): Promise<CalendarRecord[]> {
  const now = ctx.clock.now();
  const existing = (await repos.calendars.byAccount(accountId)).filter((c) => !c.deleted);
  const existingKeys = new Map<string, CalendarRecord>();
  for (const calendar of existing) {
    if ((calendar.profileId ?? null) !== profileId) continue;
    const key = sourceKeyOf(ctx, calendar);
    if (key !== null) existingKeys.set(key, calendar);
  }
  const calendars: CalendarRecord[] = [];
  let hasPrimary = existing.some((c) => c.primary);
  for (const source of sources) {
    const found = existingKeys.get(sourceKey(source.ref));
    if (found !== undefined) {
      calendars.push(found);
      continue;
    }
    const calendar: CalendarRecord = {
      id: ctx.ids.newId('cal'),
      accountId,
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
      profileId,
    };
    hasPrimary = true;
    await repos.calendars.insert(calendar);
    calendars.push(calendar);
  }
  return calendars;
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
