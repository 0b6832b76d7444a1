/**
 * Outbox rows as the use cases queue them (callbacks, channel notifications, writes into external
 * calendars), in the transaction of the change they report; the outbox worker delivers them.
 */
import type { CalendarRecord, OutboxRecord } from '../ports/store.ts';
import { isSyncedProvider } from '../ports/synced-provider.ts';
import type { AppContext } from './context.ts';

/**
 * Calendars whose booked events the outbox writes out after commit (`caldav_write` items, the name
 * kept from when CalDAV was the only one): CalDAV, Google Calendar and Microsoft 365.
 */
export function writesBack(calendar: CalendarRecord): boolean {
  return calendar.kind === 'caldav' || isSyncedProvider(calendar.kind);
}

export function outboxItem(
  ctx: AppContext,
  applicationId: string,
  kind: OutboxRecord['kind'],
  target: string,
  payload: string,
): OutboxRecord {
  const now = ctx.clock.now();
  return {
    id: ctx.ids.newId('obx'),
    deliveryId: ctx.ids.newId('dlv'),
    applicationId,
    kind,
    target,
    payload,
    status: 'pending',
    attempts: 0,
    nextAttemptAt: now,
    leaseUntil: null,
    leaseOwner: null,
    lastError: null,
    createdAt: now,
    finishedAt: null,
  };
}
