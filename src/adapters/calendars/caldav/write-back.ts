/**
 * The {@link CalendarWriteBack} the outbox worker calls for `caldav_write` jobs (SPEC 6.3): writes a
 * booked event into its CalDAV calendar with one PUT per UID. It throws on any failure so the
 * outbox records the attempt and retries with backoff.
 */
import { type ICalendarEvent, serializeEvents } from '../../../domain/icalendar/serialize.ts';
import type { CalendarWriteBack } from '../../../ports/delivery.ts';
import type { CaldavWriter } from '../../../ports/external-calendars.ts';
import type { SecretBox } from '../../../ports/runtime.ts';
import type { CalendarRecord, EventRecord } from '../../../ports/store.ts';
import { parseRef } from '../busy-source.ts';

export type CaldavWriteBackOptions = {
  readonly writer: CaldavWriter;
  readonly secrets: Pick<SecretBox, 'unseal'>;
  /** PRODID of the written objects. */
  readonly prodId?: string;
};

export class CaldavWriteBack implements CalendarWriteBack {
  readonly #options: CaldavWriteBackOptions;

  constructor(options: CaldavWriteBackOptions) {
    this.#options = options;
  }

  /**
   * PUTs the event as `{calendar}{uid}.ics` (creating or replacing it), or DELETEs it when the
   * event was deleted or cancelled. The UID is the event's stable `eventUid`, so a retry after a
   * lost answer and a re-booking of the same event_id both replace the one object.
   */
  async writeEvent(calendar: CalendarRecord, event: EventRecord): Promise<void> {
    if (calendar.kind !== 'caldav' || calendar.sourceSealed === null) {
      throw new Error(`calendar ${calendar.id} is not a CalDAV calendar`);
    }
    let ref: ReturnType<typeof parseRef>;
    try {
      ref = parseRef(this.#options.secrets.unseal(calendar.sourceSealed));
    } catch {
      throw new Error(`the stored connection details of ${calendar.id} could not be read`);
    }
    if (ref.kind !== 'caldav') throw new Error(`calendar ${calendar.id} is not a CalDAV calendar`);
    if (event.deleted || event.status === 'cancelled') {
      await this.#options.writer.deleteEvent(ref, event.eventUid);
      return;
    }
    const text = serializeEvents([toICalendarEvent(event)], {
      prodId: this.#options.prodId ?? '-//rtseq//CalDAV write-back//EN',
      dtstamp: event.updatedAt,
    });
    await this.#options.writer.putEvent(ref, event.eventUid, text);
  }
}

/** The booked event as iCalendar fields; wire fields come from `event.data` as the booking stored them. */
export function toICalendarEvent(event: EventRecord): ICalendarEvent {
  const data = event.data;
  const description = text(data.description);
  const location =
    text(data.location) ?? text((data.location as { description?: unknown } | null)?.description);
  const url = text(data.url);
  const tzid = text(data.tzid) ?? text((data.start as { tzid?: unknown } | null)?.tzid);
  return {
    uid: event.eventUid,
    summary: event.summary,
    start: event.startMs,
    end: event.endMs,
    // SEQUENCE must grow when an event changes (RFC 5545 3.8.7.4); seconds since creation do, without
    // a counter column, and a first write is 0.
    sequence: Math.max(0, Math.floor((event.updatedAt - event.createdAt) / 1000)),
    ...(tzid === null ? {} : { tzid }),
    ...(description === null ? {} : { description }),
    ...(location === null ? {} : { location }),
    ...(url === null ? {} : { url }),
  };
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}
