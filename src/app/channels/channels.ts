/**
 * Push notification channels (SPEC 8d): create, list and close an account's channels, and the
 * notifications they receive. Every notification is an outbox callback (SPEC 6.4: signed by every
 * active client secret, Rtseq-Delivery-Id, retried), so delivery survives restarts.
 *
 * `change` notifications are coalesced: event writes leave one pending change per channel (the
 * earliest change time, kept by the store in the write's own transaction); `queueDueChanges`, run
 * by the outbox worker, turns pending changes into notifications once the channel's previous one is
 * at least a second old, so a channel gets at most one per second however many writes happen.
 */
import { DomainError, invalid, Problems } from '../../domain/errors.ts';
import { formatUtc } from '../../domain/time/format.ts';
import type { ChannelFilters, ChannelRecord } from '../../ports/channels.ts';
import type { Repos } from '../../ports/store.ts';
import type { AccountCaller } from '../accounts/auth.ts';
import { pickCalendars } from '../calendars/calendars.ts';
import type { AppContext } from '../context.ts';
import { checkOutboundUrl } from '../outbound.ts';
import { outboxItem } from '../outbox-items.ts';

/** SPEC 8d: at most this many channels per account. */
export const MAX_CHANNELS_PER_ACCOUNT = 128;

/** A channel's change notifications are at least this far apart (SPEC 8d). */
export const CHANGE_NOTIFICATION_GAP_MS = 1000;

export type ChannelCreate = { readonly callbackUrl: string; readonly filters: ChannelFilters };

/** Notification types of connected profiles (SPEC 8c), queued by the authorization and sync code. */
export type ProfileNotificationType = 'profile_disconnected' | 'profile_initial_sync_completed';

/** The channel as Cronofy's clients read it (`create_channel`, `list_channels`, notification bodies). */
export function channelJson(channel: ChannelRecord): Record<string, unknown> {
  return { channel_id: channel.id, callback_url: channel.callbackUrl, filters: channel.filters };
}

/** The notification body: `{"notification": {"type", "changes_since"?}, "channel": {…}}`. */
function notificationBody(channel: ChannelRecord, type: string, changesSince?: number): string {
  const notification: Record<string, unknown> = { type };
  if (changesSince !== undefined) notification.changes_since = formatUtc(changesSince);
  return JSON.stringify({ notification, channel: channelJson(channel) });
}

async function queueNotification(
  ctx: AppContext,
  repos: Repos,
  channel: ChannelRecord,
  type: string,
  changesSince?: number,
): Promise<void> {
  await repos.outbox.insert(
    outboxItem(
      ctx,
      channel.applicationId,
      'callback',
      channel.callbackUrl,
      notificationBody(channel, type, changesSince),
    ),
  );
}

/**
 * Creates a channel and queues its `verification` notification in the same transaction. The
 * callback URL goes through the outbound guard's check (SPEC 8a); filter calendars must be the
 * account's own (an unknown one and another account's get the same 422).
 */
export async function createChannel(
  ctx: AppContext,
  caller: AccountCaller,
  input: ChannelCreate,
): Promise<ChannelRecord> {
  const problems = new Problems();
  await checkOutboundUrl(ctx, input.callbackUrl, 'callback_url', problems);
  const ids = input.filters.calendar_ids;
  if (ids !== undefined) {
    const own = await ctx.store.read((repos) => repos.calendars.byAccount(caller.account.id));
    pickCalendars(own, ids, 'filters.calendar_ids', problems);
  }
  problems.throwIfAny();
  const channel: ChannelRecord = {
    id: ctx.ids.newId('chn'),
    applicationId: caller.application.id,
    accountId: caller.account.id,
    callbackUrl: input.callbackUrl,
    filters: input.filters,
    createdAt: ctx.clock.now(),
    lastNotifiedAt: null,
  };
  await ctx.store.transaction(async (repos) => {
    if (!(await repos.channels.insertWithin(channel, MAX_CHANNELS_PER_ACCOUNT))) {
      throw invalid(
        'callback_url',
        'errors.too_many_channels',
        `an account may have at most ${MAX_CHANNELS_PER_ACCOUNT} channels: close one first`,
      );
    }
    await queueNotification(ctx, repos, channel, 'verification');
  });
  return channel;
}

export function listChannels(ctx: AppContext, caller: AccountCaller): Promise<ChannelRecord[]> {
  return ctx.store.read((repos) => repos.channels.byAccount(caller.account.id));
}

/** Closes the caller's channel; another account's channel is as unknown as a missing one (404). */
export async function closeChannel(ctx: AppContext, caller: AccountCaller, channelId: string): Promise<void> {
  const closed = await ctx.store.transaction(async (repos) => {
    const channel = await repos.channels.byId(channelId);
    if (channel === undefined || channel.accountId !== caller.account.id) return false;
    return repos.channels.delete(channel.id);
  });
  if (!closed) throw new DomainError('not_found', `No channel ${channelId.slice(0, 200)}`);
}

/**
 * Turns up to `limit` due pending changes into `change` notifications, in one transaction; returns
 * how many were queued. Safe in any number of processes at once (the store hands each change to one).
 */
export async function queueDueChanges(ctx: AppContext, limit: number): Promise<number> {
  const now = ctx.clock.now();
  return ctx.store.transaction(async (repos) => {
    const due = await repos.channels.takeDue(now, now - CHANGE_NOTIFICATION_GAP_MS, limit);
    for (const { channel, changesSince } of due) {
      await queueNotification(ctx, repos, channel, 'change', changesSince);
    }
    return due.length;
  });
}

/**
 * Records that a read of external calendars (CalDAV, ICS, a provider's sync) found changed events,
 * within the caller's transaction: channels watching those calendars, except those that want only
 * managed events, get a `change` notification (coalesced like every other).
 */
export function noteExternalChanges(repos: Repos, calendarIds: readonly string[], at: number): Promise<void> {
  return repos.channels.noteChanges(calendarIds, at, false);
}

/**
 * Queues a profile notification (SPEC 8c: `profile_disconnected` when a provider refuses the
 * grant, `profile_initial_sync_completed` after a new profile's first sync) to every channel of the
 * account, within the caller's transaction.
 */
export async function queueProfileNotification(
  ctx: AppContext,
  repos: Repos,
  accountId: string,
  type: ProfileNotificationType,
): Promise<number> {
  const channels = await repos.channels.byAccount(accountId);
  for (const channel of channels) await queueNotification(ctx, repos, channel, type);
  return channels.length;
}
