/**
 * Bookings written into Google and Microsoft 365 calendars (SPEC 8c), run by the outbox worker and
 * retried by it: inserted once (a retry after a lost answer finds the same event: Google's id and
 * Graph's transactionId come from rtseq's event uid), patched in place on a reschedule, deleted on a
 * cancel. The provider's id of what was written is kept for the later patch and delete.
 */
import type { CalendarWriteBack } from '../../ports/delivery.ts';
import type { CalendarRecord, EventRecord } from '../../ports/store.ts';
import { isProviderError, type ProviderEventInput } from '../../ports/synced-provider.ts';
import type { AppContext } from '../context.ts';
import { providerOf, withAccessToken } from './grants.ts';

const WRITE_DEADLINE_MS = 30_000;

export class SyncedWriteBack implements CalendarWriteBack {
  readonly #ctx: AppContext;

  constructor(ctx: AppContext) {
    this.#ctx = ctx;
  }

  async writeEvent(calendar: CalendarRecord, event: EventRecord): Promise<void> {
    const ctx = this.#ctx;
    const record = await ctx.store.read((repos) => repos.sync.byCalendar(calendar.id));
    const provider = record === undefined ? undefined : providerOf(ctx, record.provider);
    if (record === undefined || provider === undefined) {
      throw new Error(`calendar ${calendar.id} is not a synced calendar of a configured provider`);
    }
    const deadline = ctx.clock.now() + WRITE_DEADLINE_MS;
    const options = { deadline };
    const remoteId = await ctx.store.read((repos) => repos.sync.remoteEventId(calendar.id, event.eventUid));
    const forget = () =>
      ctx.store.transaction((repos) => repos.sync.setRemoteEventId(calendar.id, event.eventUid, null));
    await withAccessToken(ctx, record.profileId, deadline, async (token) => {
      if (event.deleted || event.status === 'cancelled') {
        if (remoteId !== undefined) await provider.deleteEvent(token, record.remoteId, remoteId, options);
        await forget();
        return;
      }
      const input = eventInput(calendar, event);
      if (remoteId !== undefined) {
        try {
          await provider.patchEvent(token, record.remoteId, remoteId, input, options);
          return;
        } catch (error) {
          // Deleted in the provider meanwhile: the booking stands, so it is written again.
          if (!isProviderError(error) || error.code !== 'not_found') throw error;
        }
      }
      const written = await provider.insertEvent(token, record.remoteId, input, options);
      await ctx.store.transaction((repos) =>
        repos.sync.setRemoteEventId(calendar.id, event.eventUid, written.remoteId),
      );
    });
  }
}

/** The booked event as the provider's event fields; wire fields come from `event.data`. */
export function eventInput(calendar: CalendarRecord, event: EventRecord): ProviderEventInput {
  const data = event.data;
  const location =
    text(data.location) ?? text((data.location as { description?: unknown } | null)?.description);
  return {
    uid: event.eventUid,
    summary: event.summary,
    description: text(data.description),
    location,
    start: event.startMs,
    end: event.endMs,
    tzid: text(data.tzid) ?? text((data.start as { tzid?: unknown } | null)?.tzid) ?? calendar.tzid,
  };
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}
