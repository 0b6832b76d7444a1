/**
 * Connecting Google Calendar or Microsoft 365 through /oauth/authorize (SPEC 8b, 8c): the person is
 * sent to the provider's consent page; its code comes back to `/oauth/callback/{google|microsoft}`,
 * is exchanged for a grant (sealed at rest), and the person's calendars become rtseq calendars of
 * the account (primary first, read-only ones marked), each due for its first sync at once. The
 * application then gets its own code, as for CalDAV and ICS.
 */
import type { AccountRecord, CalendarRecord, Repos } from '../../ports/store.ts';
import type { RemoteCalendar, SyncedProviderName } from '../../ports/synced-provider.ts';
import {
  type AuthorizeRequest,
  completeAuthorization,
  recordConnectedProfile,
} from '../connections/authorization.ts';
import type { AppContext } from '../context.ts';
import { providerOf, sealGrant } from './grants.ts';

const CONNECT_DEADLINE_MS = 30_000;

/** The path segment of each provider's redirect back and push address. */
export const CALLBACK_SLUGS = { google: 'google', office365: 'microsoft' } as const;

export function callbackUrl(ctx: AppContext, provider: SyncedProviderName): string {
  return `${ctx.config.publicUrl}/oauth/callback/${CALLBACK_SLUGS[provider]}`;
}

/** The provider's consent page for this authorization; `state` ties the answer to the browser. */
export function consentUrl(ctx: AppContext, provider: SyncedProviderName, state: string): string {
  const adapter = providerOf(ctx, provider);
  if (adapter === undefined) throw new Error(`${provider} is not configured`);
  return adapter.authorizeUrl({ state, redirectUri: callbackUrl(ctx, provider) });
}

/**
 * Exchanges the provider's code, reads who signed in and their calendars, then records the profile
 * (a relink reconnects its profile; the same person connected again refreshes theirs) and the
 * calendars in one transaction with the application's code. Returns where the browser goes.
 * Rejects with the provider's error (the page says the provider refused or could not be reached).
 */
export async function connectSyncedProvider(
  ctx: AppContext,
  request: AuthorizeRequest,
  provider: SyncedProviderName,
  code: string,
): Promise<string> {
  const adapter = providerOf(ctx, provider);
  if (adapter === undefined) throw new Error(`${provider} is not configured`);
  const deadline = ctx.clock.now() + CONNECT_DEADLINE_MS;
  const grant = await adapter.exchange({ code, redirectUri: callbackUrl(ctx, provider) }, { deadline });
  const identity = await adapter.identity(grant.accessToken, { deadline });
  const calendars = await adapter.listCalendars(grant.accessToken, { deadline });
  const sealed = sealGrant(ctx, grant);
  const target = await completeAuthorization(ctx, request, identity.profileName, async (repos, account) => {
    const profileId = await recordProfile(
      ctx,
      repos,
      request,
      account,
      provider,
      identity.profileName,
      sealed,
    );
    await addCalendars(ctx, repos, account, profileId, provider, calendars);
    return profileId;
  });
  ctx.onSyncDue?.();
  return target;
}

async function recordProfile(
  ctx: AppContext,
  repos: Repos,
  request: AuthorizeRequest,
  account: AccountRecord,
  provider: SyncedProviderName,
  profileName: string,
  sealed: string,
): Promise<string> {
  // The same person connecting the same provider again renews the one profile (no duplicates).
  const same =
    request.link?.profile != null
      ? undefined
      : (await repos.connections.profilesOf(account.id)).find(
          (p) => p.providerName === provider && p.profileName === profileName && p.disconnectedAt === null,
        );
  if (same !== undefined) {
    await repos.connections.replaceCredentials(same.id, sealed);
    return same.id;
  }
  return recordConnectedProfile(ctx, repos, request, account, {
    providerName: provider,
    profileName,
    credentialsSealed: sealed,
  });
}

/** New calendars for the ones not yet kept; every calendar of the profile due for a sync now. */
async function addCalendars(
  ctx: AppContext,
  repos: Repos,
  account: AccountRecord,
  profileId: string,
  provider: SyncedProviderName,
  remotes: readonly RemoteCalendar[],
): Promise<void> {
  const now = ctx.clock.now();
  const kept = new Map((await repos.sync.byProfile(profileId)).map((r) => [r.remoteId, r]));
  let hasPrimary = (await repos.calendars.byAccount(account.id)).some((c) => !c.deleted && c.primary);
  const ordered = [...remotes].sort((a, b) => Number(b.primary) - Number(a.primary));
  for (const remote of ordered) {
    const existing = kept.get(remote.id);
    if (existing !== undefined) {
      await repos.sync.makeDue(existing.calendarId, now);
      continue;
    }
    const calendar: CalendarRecord = {
      id: ctx.ids.newId('cal'),
      accountId: account.id,
      name: remote.name,
      kind: provider,
      readOnly: remote.readOnly,
      primary: !hasPrimary,
      deleted: false,
      tzid: remote.tzid ?? 'UTC',
      color: null,
      sourceSealed: null,
      createdAt: now,
      version: 0,
      profileId,
    };
    hasPrimary = true;
    await repos.calendars.insert(calendar);
    await repos.sync.insert({
      calendarId: calendar.id,
      profileId,
      provider,
      remoteId: remote.id,
      cursor: null,
      coveredStart: null,
      coveredEnd: null,
      syncedAt: null,
      dueAt: now,
      leaseUntil: 0,
      failure: null,
      watchId: null,
      watchResourceId: null,
      watchSecretHash: null,
      watchExpiresAt: null,
    });
  }
}
