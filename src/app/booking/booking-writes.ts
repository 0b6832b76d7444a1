/**
 * What a booking writes inside its transaction (SPEC 6.3): reservations, the step events in the
 * target calendars, and outbox rows for callbacks and CalDAV write-backs.
 */

import type { SequenceOption } from '../../domain/engine/types.ts';
import { formatUtc } from '../../domain/time/format.ts';
import type { EventRecord, Repos, ReservationKind, ReservationRecord } from '../../ports/store.ts';
import type { AppContext } from '../context.ts';
import {
  type BookedOption,
  type BookedStep,
  type Link,
  type LinkRequest,
  stepEventId,
  stepSummary,
} from '../links/link-model.ts';
import { outboxItem, writesBack } from '../outbox-items.ts';
import { loadLimitsFor, stepTagValues } from './load-limits.ts';

/** The engine's option as the link records it: with each step's sequence_id, event_id and summary. */
export function describeOption(request: LinkRequest, option: SequenceOption): BookedOption {
  return {
    steps: option.steps.map(
      (step): BookedStep => ({
        index: step.index,
        sequenceId: request.sequence.steps[step.index]!.sequenceId,
        start: step.start,
        end: step.end,
        participants: step.participants,
        eventId: stepEventId(request, step.index),
        summary: stepSummary(request, step.index),
      }),
    ),
  };
}

export function reservationsFor(
  ctx: AppContext,
  link: Link,
  option: BookedOption,
  kind: 'hold' | 'booking',
  holderKey: string | null,
): ReservationRecord[] {
  const expiresAt = kind === 'hold' ? ctx.clock.now() + ctx.config.holdSeconds * 1000 : null;
  return option.steps.flatMap((step) =>
    step.participants.map((accountId) => ({
      id: ctx.ids.newId('res'),
      linkId: link.id,
      accountId,
      startMs: step.start,
      endMs: step.end,
      kind,
      expiresAt,
      holderKey,
      tags: stepTagValues(link.request, step.index),
    })),
  );
}

/**
 * The link's reservations of the `replacing` kinds give way to the option's bookings, inside the
 * caller's transaction (a first booking replaces holds, a rebooking holds and the old bookings);
 * the database refuses any overlap with another link's.
 */
export async function replaceWithBookings(
  ctx: AppContext,
  repos: Repos,
  link: Link,
  booked: BookedOption,
  replacing: readonly ReservationKind[],
  holderKey: string | null,
  now: number,
): Promise<void> {
  await repos.reservations.releaseLink(link.id, replacing);
  await repos.reservations.insertAll(
    reservationsFor(ctx, link, booked, 'booking', holderKey),
    now,
    holderKey,
    await loadLimitsFor(repos, link, booked),
  );
}

function mergedEvent(request: LinkRequest, step: BookedStep): Record<string, unknown> {
  const own = request.sequence.steps[step.index]?.event ?? {};
  const tzid = request.sequence.tzid ?? 'Etc/UTC';
  return {
    ...request.event,
    ...own,
    event_id: step.eventId,
    summary: step.summary,
    start: { time: formatUtc(step.start), tzid },
    end: { time: formatUtc(step.end), tzid },
    tzid,
  };
}

/** Writes each step's event into the target calendars of its selected participants (SPEC 6.3 step 2). */
export async function writeStepEvents(
  ctx: AppContext,
  repos: Repos,
  link: Link,
  booked: BookedOption,
): Promise<void> {
  const { request } = link;
  const now = ctx.clock.now();
  for (const step of booked.steps) {
    const data = mergedEvent(request, step);
    for (const sub of step.participants) {
      const target = request.targetCalendars.find((t) => t.sub === sub);
      if (target === undefined) continue;
      const calendar = await repos.calendars.byId(target.calendarId);
      if (calendar === undefined || calendar.deleted) continue;
      const existing = await repos.events.byKey(calendar.id, step.eventId);
      const eventUid = existing?.eventUid ?? ctx.ids.newId('evt');
      const record: EventRecord = {
        calendarId: calendar.id,
        eventId: step.eventId,
        eventUid,
        summary: step.summary,
        startMs: step.start,
        endMs: step.end,
        allDay: false,
        transparency: data.transparency === 'transparent' ? 'transparent' : 'opaque',
        status: 'confirmed',
        deleted: false,
        data: { ...data, rtseq_link_id: link.id },
        createdAt: existing?.createdAt ?? now,
        updatedAt: now,
      };
      await repos.events.upsert(record);
      if (writesBack(calendar)) {
        // External calendars are written after commit by the outbox worker, retried until done.
        await repos.outbox.insert(
          outboxItem(
            ctx,
            link.applicationId,
            'caldav_write',
            calendar.id,
            JSON.stringify({ calendarId: calendar.id, eventId: step.eventId, uid: eventUid }),
          ),
        );
      }
    }
  }
}
