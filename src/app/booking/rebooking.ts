/**
 * Booking while a link is being rescheduled (SPEC 6.6): the link's own booking is left out of its
 * own page, fixed steps are pinned, and the new choice replaces the old booking in one step.
 */
import { findMovedSequences, pinFixedSteps } from '../../domain/engine/moved.ts';
import type { SequenceOption, SequenceQuery } from '../../domain/engine/types.ts';
import { subtractIntervals } from '../../domain/time/intervals.ts';
import type { Repos, ReservationRecord } from '../../ports/store.ts';
import { resolveSequence, searchSequences } from '../availability/availability.ts';
import type { BusyOptions, OwnBooking, ResolvedGroups } from '../availability/participants.ts';
import type { AppContext } from '../context.ts';
import { type BookedOption, encodeBooked, type Link } from '../links/link-model.ts';
import { rescheduledCallbackBody } from '../links/link-wire.ts';
import type { LoadedLink } from '../links/links.ts';
import { outboxItem, writesBack } from '../outbox-items.ts';
import { replaceWithBookings, writeStepEvents } from './booking-writes.ts';

/** Where each booked step's events are: one per selected participant with a target calendar. */
export function bookedEvents(link: Link, booked: BookedOption) {
  return booked.steps.flatMap((step) =>
    step.participants.flatMap((sub) => {
      const target = link.request.targetCalendars.find((t) => t.sub === sub);
      return target === undefined
        ? []
        : [{ calendarId: target.calendarId, eventId: step.eventId, start: step.start, end: step.end }];
    }),
  );
}

export function ownBooking(link: Link): OwnBooking | undefined {
  if (link.status !== 'rescheduling' || link.booked === null) return undefined;
  return { linkId: link.id, events: bookedEvents(link, link.booked) };
}

/** The steps that move while rescheduling (request indices); null when the link is not rescheduling. */
export function movingSteps(link: Link): readonly number[] | null {
  if (link.status !== 'rescheduling') return null;
  return link.rescheduleSteps ?? link.request.sequence.steps.map((_, index) => index);
}

export type LinkQuery = {
  readonly query: SequenceQuery;
  readonly resolved: ResolvedGroups;
  readonly moving: readonly number[] | null;
};

/**
 * The engine query of a link's page: as created while open; while rescheduling, without the
 * link's own booking and with the fixed steps pinned to their booked times.
 */
export async function linkQuery(
  ctx: AppContext,
  { link, application }: LoadedLink,
  options: BusyOptions,
): Promise<LinkQuery> {
  const own = ownBooking(link);
  const { query, resolved } = await resolveSequence(
    ctx,
    { kind: 'application', application },
    link.request.sequence,
    own === undefined ? options : { ...options, ignoreBooking: own },
  );
  const moving = movingSteps(link);
  if (moving === null || link.booked === null) return { query, resolved, moving: null };
  const fixed = link.booked.steps.filter((s) => !moving.includes(s.index));
  return { query: pinFixedSteps(query, fixed), resolved, moving };
}

/**
 * The span an option is labelled and grouped by (SPEC 6.6): the whole option, or, while only some
 * steps move, the first moving step's new start and end (the fixed steps stay where they are).
 */
export function labelSpan(
  option: SequenceOption,
  moving: readonly number[] | null,
): { readonly start: number; readonly end: number } {
  const steps = option.steps;
  const step = moving === null ? undefined : steps.find((s) => moving.includes(s.index));
  if (step !== undefined) return { start: step.start, end: step.end };
  return { start: steps[0]?.start ?? 0, end: steps[steps.length - 1]?.end ?? 0 };
}

export async function searchLinkOptions(
  ctx: AppContext,
  { query, moving }: LinkQuery,
): Promise<SequenceOption[]> {
  if (moving === null || moving.length === query.steps.length) return searchSequences(ctx, query);
  return findMovedSequences(query, moving);
}

/**
 * Hold rows for a new choice while rescheduling: the parts already covered by the link's own
 * booking are left out (that booking still keeps everyone else away, and the database would
 * refuse a hold overlapping it).
 */
export function outsideOwnBooking(
  ctx: AppContext,
  link: Link,
  rows: readonly ReservationRecord[],
): ReservationRecord[] {
  if (link.status !== 'rescheduling' || link.booked === null) return [...rows];
  const booked = link.booked;
  return rows.flatMap((row) => {
    const own = booked.steps
      .filter((s) => s.participants.includes(row.accountId))
      .map((s) => ({ start: s.start, end: s.end }));
    const pieces = subtractIntervals([{ start: row.startMs, end: row.endMs }], own);
    if (pieces.length === 1 && pieces[0]!.start === row.startMs && pieces[0]!.end === row.endMs) return [row];
    return pieces.map((p) => ({ ...row, id: ctx.ids.newId('res'), startMs: p.start, endMs: p.end }));
  });
}

/**
 * The one atomic step of SPEC 6.6, inside the caller's transaction, on the link as the caller
 * locked it (`link` is that locked copy: the previous booking, the events to remove and the
 * callback's `previous_sequence` all come from it): the link goes back to completed with the new
 * option, its bookings are released and the new ones taken (the database refuses any overlap), each
 * step's event is updated in place, events of participants no longer selected are removed, CalDAV
 * write-backs queued, and one rescheduled callback queued.
 */
export async function commitReschedule(
  ctx: AppContext,
  repos: Repos,
  link: Link,
  booked: BookedOption,
  holderKey: string | null,
  now: number,
): Promise<void> {
  const previous = link.booked;
  if (previous === null) throw new Error(`link ${link.id} is rescheduling without a booking`);
  await repos.links.transition(link.id, {
    from: ['rescheduling'],
    version: link.version,
    status: 'completed',
    at: now,
    booked: encodeBooked(booked),
    rescheduleSteps: null,
  });
  await replaceWithBookings(ctx, repos, link, booked, ['booking', 'hold'], holderKey, now);
  await writeStepEvents(ctx, repos, link, booked);
  const kept = new Set(bookedEvents(link, booked).map((e) => `${e.calendarId}\n${e.eventId}`));
  const dropped = bookedEvents(link, previous).filter((e) => !kept.has(`${e.calendarId}\n${e.eventId}`));
  await removeEvents(ctx, repos, link, dropped, now);
  if (link.request.completedCallbackUrl !== null) {
    await repos.outbox.insert(
      outboxItem(
        ctx,
        link.applicationId,
        'callback',
        link.request.completedCallbackUrl,
        rescheduledCallbackBody(link, booked, previous),
      ),
    );
  }
}

/** Marks the events deleted and queues the CalDAV deletions (the write-back deletes a deleted event). */
export async function removeEvents(
  ctx: AppContext,
  repos: Repos,
  link: Link,
  events: readonly { calendarId: string; eventId: string }[],
  now: number,
): Promise<void> {
  for (const { calendarId, eventId } of events) {
    const existing = await repos.events.byKey(calendarId, eventId);
    if (existing === undefined || existing.deleted) continue;
    if (existing.data.rtseq_link_id !== link.id) continue; // replaced through the events API: not ours now
    await repos.events.markDeleted(calendarId, eventId, now);
    const calendar = await repos.calendars.byId(calendarId);
    if (calendar !== undefined && writesBack(calendar)) {
      await repos.outbox.insert(
        outboxItem(
          ctx,
          link.applicationId,
          'caldav_write',
          calendarId,
          JSON.stringify({ calendarId, eventId, uid: existing.eventUid }),
        ),
      );
    }
  }
}
