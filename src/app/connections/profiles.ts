/**
 * An account's profiles (SPEC 8b): the account's own (its native calendars, and calendars connected
 * through the API) and each one a person connected through /oauth/authorize. Read by
 * `GET /v1/profiles` and `GET /v1/userinfo`; `POST /v1/profiles/{id}/revoke` disconnects one and
 * forgets what rtseq stored of it; `POST /v1/link_tokens` lets the page add a profile to the account.
 */
import { DomainError, invalid } from '../../domain/errors.ts';
import type { ProfileRecord, ProviderName } from '../../ports/connections.ts';
import type { CalendarRecord } from '../../ports/store.ts';
import type { AccountCaller } from '../accounts/auth.ts';
import type { AppContext } from '../context.ts';
import { stopProfileWatches } from '../sync/watch.ts';
import { LINK_TOKEN_TTL_MS, withQuery } from './authorization.ts';

export type ProfileView = {
  readonly providerName: ProviderName | 'cronofy';
  readonly profileId: string;
  readonly profileName: string;
  readonly connected: boolean;
  /** The authorize page that reconnects it; only when its grant is gone. */
  readonly relinkUrl: string | null;
  readonly calendars: readonly CalendarRecord[];
  /** A Google or Microsoft 365 profile whose calendars have not all finished their first sync. */
  readonly initialSyncRequired: boolean;
};

/** The account's profiles: its own first (when it has calendars of its own), then by connection. */
export async function profilesOf(ctx: AppContext, caller: AccountCaller): Promise<ProfileView[]> {
  const { account, application } = caller;
  const [calendars, profiles, uris, unsynced] = await ctx.store.read(async (repos) => {
    const profiles = await repos.connections.profilesOf(account.id);
    const synced = await Promise.all(profiles.map((p) => repos.sync.byProfile(p.id)));
    return [
      await repos.calendars.byAccount(account.id),
      profiles,
      await repos.connections.redirectUris(application.id),
      new Set(
        synced
          .flat()
          .filter((s) => s.syncedAt === null)
          .map((s) => s.profileId),
      ),
    ] as const;
  });
  const live = calendars.filter((c) => !c.deleted);
  const own = live.filter((c) => (c.profileId ?? null) === null);
  const views: ProfileView[] = [];
  if (own.length > 0) {
    views.push({
      providerName: own.some((c) => c.kind === 'native') ? 'cronofy' : (own[0]!.kind as ProviderName),
      profileId: account.profileId,
      profileName: account.name,
      connected: true,
      relinkUrl: null,
      calendars: own,
      initialSyncRequired: false,
    });
  }
  for (const profile of profiles) {
    const connected = profile.disconnectedAt === null;
    views.push({
      providerName: profile.providerName,
      profileId: profile.id,
      profileName: profile.profileName,
      connected,
      relinkUrl: connected ? null : relinkUrl(ctx, caller, profile, uris),
      calendars: live.filter((c) => c.profileId === profile.id),
      initialSyncRequired: unsynced.has(profile.id),
    });
  }
  return views;
}

/** The profile names of an account's connected profiles, by id (for calendar listings). */
export async function profileNames(ctx: AppContext, accountId: string): Promise<Map<string, string>> {
  const profiles = await ctx.store.read((repos) => repos.connections.profilesOf(accountId));
  return new Map(profiles.map((p) => [p.id, p.profileName]));
}

function relinkUrl(
  ctx: AppContext,
  caller: AccountCaller,
  profile: ProfileRecord,
  registered: readonly string[],
): string | null {
  const redirectUri =
    profile.redirectUri !== null && registered.includes(profile.redirectUri)
      ? profile.redirectUri
      : registered[0];
  if (redirectUri === undefined || profile.relinkSealed === null) return null;
  return withQuery(`${ctx.config.publicUrl}/oauth/authorize`, {
    response_type: 'code',
    client_id: caller.application.clientId,
    redirect_uri: redirectUri,
    scope: 'read_write',
    provider_name: profile.providerName,
    link_token: ctx.secrets.unseal(profile.relinkSealed),
  });
}

/**
 * Disconnects a profile: its credentials, its calendars (marked deleted, their sources and last
 * reads forgotten, their stored events deleted) and so its busy time go at once; it stays listed
 * as not connected, with a relink URL. The account's own profile cannot be revoked (422); an
 * unknown profile is a 404. Revoking twice is harmless.
 */
export async function revokeProfile(
  ctx: AppContext,
  caller: AccountCaller,
  profileId: string,
): Promise<void> {
  if (profileId === caller.account.profileId) {
    throw invalid(
      'profile_id',
      'errors.not_revocable',
      "the account's own profile holds its application calendars; revoke the account's tokens instead",
    );
  }
  const before = await ctx.store.read((repos) => repos.connections.profile(profileId));
  if (before !== undefined && before.accountId === caller.account.id && before.disconnectedAt === null) {
    // Google and Microsoft stop pushing for it (best effort: an unknown push is ignored anyway).
    await stopProfileWatches(ctx, profileId);
  }
  await ctx.store.transaction(async (repos) => {
    const profile = await repos.connections.profile(profileId);
    if (profile === undefined || profile.accountId !== caller.account.id) {
      throw new DomainError('not_found', `No profile ${profileId}`);
    }
    if (profile.disconnectedAt !== null) return;
    const now = ctx.clock.now();
    const relink = ctx.ids.newToken(32);
    await repos.connections.insertLinkToken({
      tokenHash: ctx.secrets.hash(relink),
      applicationId: caller.application.id,
      accountId: caller.account.id,
      profileId,
      createdAt: now,
      expiresAt: null,
    });
    await repos.connections.disconnectProfile(profileId, now, ctx.secrets.seal(relink));
    await repos.connections.forgetProfileCalendars(profileId, now);
    await repos.sync.forgetProfile(profileId);
  });
}

/** `POST /v1/link_tokens`: a token that makes /oauth/authorize add a profile to this account. */
export async function createLinkToken(ctx: AppContext, caller: AccountCaller): Promise<string> {
  const token = ctx.ids.newToken(32);
  const now = ctx.clock.now();
  await ctx.store.transaction((repos) =>
    repos.connections.insertLinkToken({
      tokenHash: ctx.secrets.hash(token),
      applicationId: caller.application.id,
      accountId: caller.account.id,
      profileId: null,
      createdAt: now,
      expiresAt: now + LINK_TOKEN_TTL_MS,
    }),
  );
  return token;
}
