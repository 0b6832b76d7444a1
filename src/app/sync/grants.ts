/**
 * A connected Google or Microsoft 365 profile's grant (SPEC 8c): its access token, refreshed shortly
 * before it expires and stored sealed again; a refresh the provider refuses (`invalid_grant`)
 * disconnects the profile at once: its members become unavailable (never silently free), its
 * account's channels hear `profile_disconnected`, and its profile gets a relink URL.
 */
import type { ProfileRecord } from '../../ports/connections.ts';
import {
  isProviderError,
  isSyncedProvider,
  type OAuthGrant,
  providerError,
  type SyncedCalendarProvider,
} from '../../ports/synced-provider.ts';
import { queueProfileNotification } from '../channels/channels.ts';
import type { AppContext } from '../context.ts';

/** A token this close to its end is refreshed first: it must outlive the calls made with it. */
const REFRESH_MARGIN_MS = 120_000;

/** The provider of a synced profile or calendar, when this server is configured for it. */
export function providerOf(ctx: AppContext, name: string): SyncedCalendarProvider | undefined {
  return isSyncedProvider(name) ? ctx.providers?.[name] : undefined;
}

export function sealGrant(ctx: AppContext, grant: OAuthGrant): string {
  return ctx.secrets.seal(JSON.stringify({ kind: 'oauth', ...grant }));
}

function openGrant(ctx: AppContext, profile: ProfileRecord): OAuthGrant | undefined {
  if (profile.credentialsSealed === null) return undefined;
  try {
    const value = JSON.parse(ctx.secrets.unseal(profile.credentialsSealed)) as Record<string, unknown>;
    if (
      typeof value.accessToken === 'string' &&
      typeof value.refreshToken === 'string' &&
      typeof value.expiresAt === 'number'
    ) {
      return { accessToken: value.accessToken, refreshToken: value.refreshToken, expiresAt: value.expiresAt };
    }
  } catch {
    // A wrong SECRET_KEY or a damaged row: the profile cannot be used, which the caller reports.
  }
  return undefined;
}

/**
 * A working access token of the profile, refreshed first when it is about to expire. Rejects with a
 * ProviderError: `grant_revoked` when the profile is disconnected (now or before), the provider's
 * failure otherwise.
 */
export async function accessToken(
  ctx: AppContext,
  profileId: string,
  options: { readonly deadline: number; readonly force?: boolean },
): Promise<string> {
  const profile = await ctx.store.read((repos) => repos.connections.profile(profileId));
  if (profile === undefined || profile.disconnectedAt !== null) {
    throw providerError('grant_revoked', 'the profile is disconnected');
  }
  const provider = providerOf(ctx, profile.providerName);
  if (provider === undefined) throw providerError('unreachable', `${profile.providerName} is not configured`);
  const grant = openGrant(ctx, profile);
  if (grant === undefined) {
    throw providerError('bad_response', 'the stored grant could not be read (was SECRET_KEY changed?)');
  }
  if (options.force !== true && grant.expiresAt - REFRESH_MARGIN_MS > ctx.clock.now())
    return grant.accessToken;
  let fresh: OAuthGrant;
  try {
    fresh = await provider.refresh(grant, options);
  } catch (error) {
    if (isProviderError(error) && error.code === 'grant_revoked') await disconnectProfile(ctx, profile);
    throw error;
  }
  await ctx.store.transaction((repos) =>
    repos.connections.replaceCredentials(profile.id, sealGrant(ctx, fresh)),
  );
  return fresh.accessToken;
}

/**
 * Runs `call` with the profile's access token; a 401 (`unauthorized`) refreshes the token once and
 * tries again (a token the provider revoked before its time).
 */
export async function withAccessToken<T>(
  ctx: AppContext,
  profileId: string,
  deadline: number,
  call: (token: string) => Promise<T>,
): Promise<T> {
  const token = await accessToken(ctx, profileId, { deadline });
  try {
    return await call(token);
  } catch (error) {
    if (!isProviderError(error) || error.code !== 'unauthorized') throw error;
    return call(await accessToken(ctx, profileId, { deadline, force: true }));
  }
}

/**
 * The provider refused the grant: the profile is disconnected with a relink token (its calendars
 * stay, unavailable until it is relinked) and the account's channels are told. Once only.
 */
export async function disconnectProfile(ctx: AppContext, profile: ProfileRecord): Promise<void> {
  await ctx.store.transaction(async (repos) => {
    const account = await repos.accounts.byId(profile.accountId);
    if (account === undefined) return;
    const now = ctx.clock.now();
    const relink = ctx.ids.newToken(32);
    const changed = await repos.connections.disconnectProfile(profile.id, now, ctx.secrets.seal(relink));
    if (!changed) return;
    await repos.connections.insertLinkToken({
      tokenHash: ctx.secrets.hash(relink),
      applicationId: account.applicationId,
      accountId: account.id,
      profileId: profile.id,
      createdAt: now,
      expiresAt: null,
    });
    await queueProfileNotification(ctx, repos, account.id, 'profile_disconnected');
  });
  ctx.metrics?.providerDisconnected(profile.providerName);
}
