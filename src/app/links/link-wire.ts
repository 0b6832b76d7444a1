/**
 * How a link looks on the wire (SPEC 6.1, 6.4, 6.5): the per-kind names in one table, and the
 * functions that build the link document and the callback bodies from it.
 */
import { formatUtc } from '../../domain/time/format.ts';
import type { LinkKind } from '../../ports/store.ts';
import type { AppContext } from '../context.ts';
import { type BookedOption, inviteeMay, type Link, type LinkRequest, statusOf } from './link-model.ts';

export type KindNames = {
  /** Prefix of the link id (`seq_…`, `sch_…`). */
  readonly prefix: string;
  /** The link object's key in bodies (`real_time_sequencing`). */
  readonly objectKey: string;
  /** The id's key inside the link object and in redirects (`real_time_sequencing_id`). */
  readonly idKey: string;
  readonly completed: string;
  readonly noTimesSuitable: string;
  readonly rescheduled: string;
  readonly cancelled: string;
};

export const KIND_NAMES: Readonly<Record<LinkKind, KindNames>> = {
  sequencing: {
    prefix: 'seq',
    objectKey: 'real_time_sequencing',
    idKey: 'real_time_sequencing_id',
    completed: 'real_time_sequencing_completed',
    noTimesSuitable: 'real_time_sequencing_no_times_suitable',
    rescheduled: 'real_time_sequencing_rescheduled',
    cancelled: 'real_time_sequencing_cancelled',
  },
  scheduling: {
    prefix: 'sch',
    objectKey: 'real_time_scheduling',
    idKey: 'real_time_scheduling_id',
    completed: 'real_time_scheduling_completed',
    noTimesSuitable: 'real_time_scheduling_no_times_suitable',
    rescheduled: 'real_time_scheduling_rescheduled',
    cancelled: 'real_time_scheduling_cancelled',
  },
};

export function linkUrl(ctx: AppContext, link: Link): string {
  return `${ctx.config.publicUrl}/book/${ctx.secrets.unseal(link.tokenSealed)}`;
}

/** The invitee's reschedule and cancel pages (SPEC 6.6), when the link allows them now. */
export function inviteeActionUrls(
  ctx: AppContext,
  link: Link,
): { reschedule_url?: string; cancel_url?: string } {
  const now = ctx.clock.now();
  const urls: { reschedule_url?: string; cancel_url?: string } = {};
  if (inviteeMay(link, 'reschedule', now).allowed) urls.reschedule_url = `${linkUrl(ctx, link)}/reschedule`;
  if (inviteeMay(link, 'cancel', now).allowed) urls.cancel_url = `${linkUrl(ctx, link)}/cancel`;
  return urls;
}

function tzidOf(request: LinkRequest): string {
  return request.sequence.tzid ?? 'Etc/UTC';
}

/** A booked option's steps as the link object's and callbacks' `sequence` (SPEC 6.4). */
function stepList(booked: BookedOption) {
  return booked.steps.map((step) => ({
    sequence_id: step.sequenceId,
    event: {
      event_id: step.eventId,
      summary: step.summary,
      start: formatUtc(step.start),
      end: formatUtc(step.end),
    },
    participants: step.participants.map((sub) => ({ sub })),
  }));
}

/**
 * The link object of status, create and callback bodies: `{<kind>_id, url, status, event,
 * sequence?}`. Once completed, `event` carries the booked start and end.
 */
export function linkDocument(ctx: AppContext, link: Link): Record<string, unknown> {
  const { request, booked } = link;
  const tzid = tzidOf(request);
  const event: Record<string, unknown> = { ...request.event };
  const document: Record<string, unknown> = {
    [KIND_NAMES[link.kind].idKey]: link.id,
    url: linkUrl(ctx, link),
    status: statusOf(link, ctx.clock.now()),
    event,
  };
  if (booked !== null && booked.steps.length > 0) {
    event.start = { time: formatUtc(booked.steps[0]!.start), tzid };
    event.end = { time: formatUtc(booked.steps[booked.steps.length - 1]!.end), tzid };
    if (link.kind === 'sequencing') {
      document.sequence = booked.steps.map((step) => ({
        sequence_id: step.sequenceId,
        start: formatUtc(step.start),
        end: formatUtc(step.end),
        participants: step.participants.map((sub) => ({ sub })),
      }));
    }
  }
  if (link.displayMessage !== null) document.display_message = link.displayMessage;
  return { ...document, ...inviteeActionUrls(ctx, link) };
}

/** The fields of SPEC 6.4's completion body, with the notification type given. */
function bookedFields(link: Link, booked: BookedOption, type: string): Record<string, unknown> {
  const { request } = link;
  const names = KIND_NAMES[link.kind];
  const tzid = tzidOf(request);
  const { event_id, summary, start: _s, end: _e, ...otherTemplateFields } = request.event;
  const first = booked.steps[0]!;
  const last = booked.steps[booked.steps.length - 1]!;
  const participants: string[] = [];
  for (const step of booked.steps)
    for (const sub of step.participants) if (!participants.includes(sub)) participants.push(sub);
  return {
    notification: { type },
    [names.objectKey]: { [names.idKey]: link.id, status: 'completed' },
    event: {
      event_id,
      summary,
      start: { time: formatUtc(first.start), tzid },
      end: { time: formatUtc(last.end), tzid },
      ...otherTemplateFields,
    },
    participants: participants.map((sub) => ({ sub })),
  };
}

/** The completion callback body of SPEC 6.4, exactly. */
export function completionCallbackBody(link: Link, booked: BookedOption): string {
  const body = bookedFields(link, booked, KIND_NAMES[link.kind].completed);
  if (link.kind === 'sequencing') body.sequence = stepList(booked);
  return JSON.stringify(body);
}

/**
 * The rescheduled callback (SPEC 6.6): the fields of 6.4 for the new booking, with `sequence` and
 * `previous_sequence` (for both kinds, so a scheduling receiver also learns the old time).
 */
export function rescheduledCallbackBody(link: Link, booked: BookedOption, previous: BookedOption): string {
  return JSON.stringify({
    ...bookedFields(link, booked, KIND_NAMES[link.kind].rescheduled),
    sequence: stepList(booked),
    previous_sequence: stepList(previous),
  });
}

/** The cancelled callback (SPEC 6.6): the link object, the template event, the cancelled sequence, the reason. */
export function cancelledCallbackBody(
  ctx: AppContext,
  link: Link,
  cancelled: BookedOption,
  reason: string | null,
): string {
  const names = KIND_NAMES[link.kind];
  return JSON.stringify({
    notification: { type: names.cancelled },
    [names.objectKey]: linkDocument(ctx, link),
    event: link.request.event,
    sequence: stepList(cancelled),
    ...(reason === null ? {} : { reason }),
  });
}

/**
 * The no_times_suitable callback body (SPEC 6.4): the link object and the top-level event, and
 * the invitee's `note` when they wrote one (SPEC 6.2).
 */
export function noTimesSuitableBody(ctx: AppContext, link: Link, note: string | null = null): string {
  const names = KIND_NAMES[link.kind];
  return JSON.stringify({
    notification: { type: names.noTimesSuitable },
    [names.objectKey]: linkDocument(ctx, link),
    event: link.request.event,
    ...(note === null ? {} : { note }),
  });
}

/** Where the browser goes after completion: completed_url, else redirect_uri, plus state and id. */
export function completionRedirect(link: Link): string {
  const { request } = link;
  const url = new URL(request.redirectCompletedUrl ?? request.redirectUri);
  if (request.state !== null) url.searchParams.set('state', request.state);
  url.searchParams.set(KIND_NAMES[link.kind].idKey, link.id);
  return url.toString();
}
