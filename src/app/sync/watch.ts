/**
 * Push subscriptions of synced calendars (SPEC 8c): Google watch channels and Graph subscriptions,
 * created after a calendar's sync, renewed before they expire (the old one stopped), and the
 * pushes they bring checked against the secret given at creation before anything is done. Polling
 * (SYNC_POLL_SECONDS) is the backstop when pushes stop.
 */
import { timingSafeEqual } from 'node:crypto';
import type { SyncedCalendarRecord } from '../../ports/sync.ts';
import type { SyncedProviderName, Watch } from '../../ports/synced-provider.ts';
import type { AppContext } from '../context.ts';
import { CALLBACK_SLUGS } from './connect.ts';
import { providerOf, withAccessToken } from './grants.ts';

/** A subscription closer to its end than this is renewed. */
export const RENEW_MARGIN_MS = 60 * 60_000;
const WATCH_DEADLINE_MS = 15_000;

/** Where each provider pushes to: `{PUBLIC_URL}/push/google`, `{PUBLIC_URL}/push/microsoft`. */
export function pushAddress(ctx: AppContext, provider: SyncedProviderName): string {
  return `${ctx.config.publicUrl}/push/${CALLBACK_SLUGS[provider]}`;
}

/**
 * Makes sure the calendar has a live subscription: none, or one ending within RENEW_MARGIN_MS, gets
 * a new one, then the old one is stopped. Failures are left to the next sync (polling goes on).
 */
export async function keepWatch(ctx: AppContext, record: SyncedCalendarRecord): Promise<boolean> {
  const now = ctx.clock.now();
  if (record.watchExpiresAt !== null && record.watchExpiresAt - RENEW_MARGIN_MS > now) return true;
  const provider = providerOf(ctx, record.provider);
  if (provider === undefined) return false;
  const deadline = now + WATCH_DEADLINE_MS;
  const old = oldWatch(record);
  if (old !== null && provider.renewWatch !== undefined) {
    // Graph: the same subscription (and secret) lives on; a dropped one is replaced below.
    const renewed = await withAccessToken(ctx, record.profileId, deadline, (token) =>
      provider.renewWatch!(token, old, { deadline }),
    ).catch(() => null);
    if (renewed !== null) {
      await ctx.store.transaction((repos) =>
        repos.sync.setWatch(record.calendarId, { ...renewed, secretHash: record.watchSecretHash ?? '' }),
      );
      return true;
    }
  }
  const secret = ctx.ids.newToken(24);
  try {
    const watch = await withAccessToken(ctx, record.profileId, deadline, (token) =>
      provider.watch(token, record.remoteId, pushAddress(ctx, record.provider), secret, { deadline }),
    );
    await ctx.store.transaction((repos) =>
      repos.sync.setWatch(record.calendarId, { ...watch, secretHash: ctx.secrets.hash(secret) }),
    );
  } catch {
    return false;
  }
  if (old !== null) await stopWatch(ctx, record, old);
  return true;
}

function oldWatch(record: SyncedCalendarRecord): Watch | null {
  return record.watchId === null
    ? null
    : { id: record.watchId, resourceId: record.watchResourceId, expiresAt: record.watchExpiresAt ?? 0 };
}

/** Stops a subscription at the provider; best effort (an unknown one is answered without work anyway). */
export async function stopWatch(ctx: AppContext, record: SyncedCalendarRecord, watch: Watch): Promise<void> {
  const provider = providerOf(ctx, record.provider);
  if (provider === undefined) return;
  const deadline = ctx.clock.now() + WATCH_DEADLINE_MS;
  await withAccessToken(ctx, record.profileId, deadline, (token) =>
    provider.stopWatch(token, watch, { deadline }),
  ).catch(() => undefined);
}

/** Stops every subscription of a profile (before it is revoked); best effort. */
export async function stopProfileWatches(ctx: AppContext, profileId: string): Promise<void> {
  const records = await ctx.store.read((repos) => repos.sync.byProfile(profileId));
  await Promise.all(
    records.map((record) => {
      const watch = oldWatch(record);
      return watch === null ? undefined : stopWatch(ctx, record, watch);
    }),
  );
}

function sameSecret(ctx: AppContext, given: string, storedHash: string | null): boolean {
  if (storedHash === null) return false;
  const a = Buffer.from(ctx.secrets.hash(given));
  const b = Buffer.from(storedHash);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** What a push asks for once its channel and secret are checked. */
export type PushSignal = {
  readonly provider: SyncedProviderName;
  /** Google channel id, Graph subscription id. */
  readonly watchId: string;
  readonly secret: string;
  /** `sync`: Google's first message (nothing changed); `renew`: Graph wants a new subscription. */
  readonly kind: 'changed' | 'sync' | 'renew' | 'removed';
};

/**
 * Handles one push: an unknown subscription or a wrong secret is ignored (answered without work);
 * otherwise the calendar's sync is due now (and its subscription renewed when asked). Returns
 * whether it was accepted. Only indexed reads and one update: the route answers at once.
 */
export async function acceptPush(ctx: AppContext, signal: PushSignal): Promise<boolean> {
  const record = await ctx.store.read((repos) => repos.sync.byWatch(signal.watchId));
  const accepted =
    record !== undefined &&
    record.provider === signal.provider &&
    sameSecret(ctx, signal.secret, record.watchSecretHash);
  ctx.metrics?.providerPush(signal.provider, accepted ? 'accepted' : 'ignored');
  if (!accepted || record === undefined || signal.kind === 'sync') return accepted;
  const now = ctx.clock.now();
  await ctx.store.transaction(async (repos) => {
    if (signal.kind === 'removed') await repos.sync.setWatch(record.calendarId, null);
    if (signal.kind === 'renew') {
      // Ends now as far as renewal is concerned: the next sync replaces it.
      await repos.sync.setWatch(record.calendarId, {
        id: signal.watchId,
        resourceId: record.watchResourceId,
        secretHash: record.watchSecretHash ?? '',
        expiresAt: now,
      });
    }
    await repos.sync.makeDue(record.calendarId, now);
  });
  ctx.onSyncDue?.();
  return true;
}
