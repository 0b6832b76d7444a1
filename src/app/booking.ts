/**
 * What the hosted page does with a link (SPEC 6.2, 6.3, 5.6): show the times computed now, hold an
 * option while the invitee confirms, book it atomically, or tell the organiser none fit.
 */
import { recheckSequenceOption } from '../domain/engine/recheck.ts';
import type { SequenceOption } from '../domain/engine/types.ts';
import { DomainError } from '../domain/errors.ts';
import { formatUtc } from '../domain/time/format.ts';
import type {
  ApplicationRecord,
  EventRecord,
  LinkRecord,
  OutboxRecord,
  Repos,
  ReservationRecord,
} from '../ports/store.ts';
import { ReservationConflictError } from '../ports/store.ts';
import { type MemberFailure, resolveSequence, searchSequences } from './availability.ts';
import type { AppContext } from './context.ts';
import {
  type BookedOption,
  type BookedStep,
  bookedOf,
  type LinkRequest,
  linkByToken,
  linkDocument,
  linkRequestOf,
  statusOf,
  stepEventId,
  stepSummary,
} from './links.ts';

export type ClosedState =
  | { readonly kind: 'completed'; readonly link: LinkRecord; readonly booked: BookedOption }
  | { readonly kind: 'disabled'; readonly link: LinkRecord; readonly message: string }
  | { readonly kind: 'expired'; readonly link: LinkRecord };

export type OpenState = {
  readonly kind: 'open';
  readonly link: LinkRecord;
  readonly request: LinkRequest;
  readonly options: readonly SequenceOption[];
  readonly failures: readonly MemberFailure[];
};

export type PageState = OpenState | ClosedState;

/** A chosen option as the page sends it back: each step's index and start, in running order. */
export type ChosenSteps = readonly { readonly index: number; readonly start: number }[];

/** `0.1767261600000-1.1767265200000`: compact, URL-safe, and all the booking needs. */
export function optionKey(option: SequenceOption): string {
  return option.steps.map((s) => `${s.index}.${s.start}`).join('-');
}

export function parseOptionKey(key: unknown): ChosenSteps | undefined {
  if (typeof key !== 'string' || key.length > 600 || !/^\d{1,2}\.\d{1,15}(-\d{1,2}\.\d{1,15})*$/.test(key)) {
    return undefined;
  }
  return key.split('-').map((part) => {
    const [index, start] = part.split('.');
    return { index: Number(index), start: Number(start) };
  });
}

async function applicationOf(ctx: AppContext, link: LinkRecord): Promise<ApplicationRecord> {
  const application = await ctx.store.read((repos) => repos.applications.byId(link.applicationId));
  if (application === undefined) throw new DomainError('not_found', 'The link has no application');
  return application;
}

function closedState(ctx: AppContext, link: LinkRecord): ClosedState | undefined {
  const status = statusOf(link, ctx.clock.now());
  const booked = bookedOf(link);
  if (status === 'completed' && booked !== null) return { kind: 'completed', link, booked };
  if (status === 'disabled') return { kind: 'disabled', link, message: link.displayMessage ?? '' };
  if (status === 'expired') return { kind: 'expired', link };
  return undefined;
}

async function computeOpenState(
  ctx: AppContext,
  link: LinkRecord,
  options: { fresh: boolean; ignoreHolder?: string },
): Promise<OpenState> {
  const request = linkRequestOf(link);
  const application = await applicationOf(ctx, link);
  const { query, resolved } = await resolveSequence(
    ctx,
    { kind: 'application', application },
    request.sequence,
    options,
  );
  return { kind: 'open', link, request, options: searchSequences(query), failures: resolved.failures };
}

/** The page's state now; undefined for an unknown token (404). */
export async function viewLink(
  ctx: AppContext,
  token: string,
  holderKey?: string,
): Promise<PageState | undefined> {
  const link = await linkByToken(ctx, token);
  if (link === undefined) return undefined;
  return (
    closedState(ctx, link) ??
    computeOpenState(ctx, link, {
      fresh: false,
      ...(holderKey === undefined ? {} : { ignoreHolder: holderKey }),
    })
  );
}

export type ChoiceOutcome =
  | {
      readonly kind: 'held';
      readonly link: LinkRecord;
      readonly option: BookedOption;
      readonly expiresAt: number;
    }
  | { readonly kind: 'booked'; readonly link: LinkRecord; readonly booked: BookedOption }
  | { readonly kind: 'taken'; readonly fresh: OpenState }
  | ClosedState;

class TakenMeanwhile extends Error {}

function describeOption(request: LinkRequest, option: SequenceOption): BookedOption {
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

function reservationsFor(
  ctx: AppContext,
  link: LinkRecord,
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
    })),
  );
}

/** Re-checks the chosen option against calendar data read now; null when no longer valid. */
async function recheckChoice(
  ctx: AppContext,
  link: LinkRecord,
  chosen: ChosenSteps,
  options: { fresh: boolean; ignoreHolder?: string },
): Promise<SequenceOption | null> {
  const request = linkRequestOf(link);
  if (chosen.some((c) => c.index >= request.sequence.steps.length)) return null;
  const application = await applicationOf(ctx, link);
  const { query, resolved } = await resolveSequence(
    ctx,
    { kind: 'application', application },
    request.sequence,
    options,
  );
  if (resolved.failures.length > 0) return null;
  return recheckSequenceOption(query, { steps: chosen });
}

async function takenOutcome(ctx: AppContext, link: LinkRecord): Promise<ChoiceOutcome> {
  const current = (await ctx.store.read((repos) => repos.links.byId(link.applicationId, link.id))) ?? link;
  return (
    closedState(ctx, current) ?? {
      kind: 'taken',
      fresh: await computeOpenState(ctx, current, { fresh: false }),
    }
  );
}

/** Confirm mode: holds the option for HOLD_SECONDS (SPEC 5.6). */
export async function holdOption(
  ctx: AppContext,
  token: string,
  chosen: ChosenSteps,
  holderKey: string,
): Promise<ChoiceOutcome | undefined> {
  const link = await linkByToken(ctx, token);
  if (link === undefined) return undefined;
  const closed = closedState(ctx, link);
  if (closed !== undefined) return closed;
  const option = await recheckChoice(ctx, link, chosen, { fresh: false, ignoreHolder: holderKey });
  if (option === null) return takenOutcome(ctx, link);
  const described = describeOption(linkRequestOf(link), option);
  const rows = reservationsFor(ctx, link, described, 'hold', holderKey);
  try {
    await ctx.store.transaction((repos) => repos.reservations.insertAll(rows, ctx.clock.now(), holderKey));
  } catch (error) {
    if (error instanceof ReservationConflictError) return takenOutcome(ctx, link);
    throw error;
  }
  return { kind: 'held', link, option: described, expiresAt: rows[0]?.expiresAt ?? ctx.clock.now() };
}

/** "Back" on the confirmation page: the hold ends at once. */
export async function releaseHold(ctx: AppContext, token: string, holderKey: string): Promise<void> {
  const link = await linkByToken(ctx, token);
  if (link === undefined) return;
  await ctx.store.transaction((repos) => repos.reservations.releaseHolds(link.id, holderKey));
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
async function writeStepEvents(
  ctx: AppContext,
  repos: Repos,
  link: LinkRecord,
  request: LinkRequest,
  booked: BookedOption,
): Promise<void> {
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
      if (calendar.kind === 'caldav') {
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

/** The completion callback body of SPEC 6.4, exactly. */
export function completionCallbackBody(link: LinkRecord, request: LinkRequest, booked: BookedOption): string {
  const tzid = request.sequence.tzid ?? 'Etc/UTC';
  const { event_id, summary, start: _s, end: _e, ...otherTemplateFields } = request.event;
  const first = booked.steps[0]!;
  const last = booked.steps[booked.steps.length - 1]!;
  const participants: string[] = [];
  for (const step of booked.steps)
    for (const sub of step.participants) if (!participants.includes(sub)) participants.push(sub);
  const sequencing = link.kind === 'sequencing';
  const body: Record<string, unknown> = {
    notification: { type: sequencing ? 'real_time_sequencing_completed' : 'real_time_scheduling_completed' },
    [sequencing ? 'real_time_sequencing' : 'real_time_scheduling']: {
      [sequencing ? 'real_time_sequencing_id' : 'real_time_scheduling_id']: link.id,
      status: 'completed',
    },
    event: {
      event_id,
      summary,
      start: { time: formatUtc(first.start), tzid },
      end: { time: formatUtc(last.end), tzid },
      ...otherTemplateFields,
    },
    participants: participants.map((sub) => ({ sub })),
  };
  if (sequencing) {
    body.sequence = booked.steps.map((step) => ({
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
  return JSON.stringify(body);
}

/**
 * Books the chosen option in one transaction (SPEC 6.3): fresh re-check, reservations that the
 * database refuses to overlap, step events, link completed, callback queued. Exactly one of any
 * set of competing bookings succeeds; the others get the taken-meanwhile outcome.
 */
export async function bookOption(
  ctx: AppContext,
  token: string,
  chosen: ChosenSteps,
  holderKey: string | null,
): Promise<ChoiceOutcome | undefined> {
  const link = await linkByToken(ctx, token);
  if (link === undefined) return undefined;
  const closed = closedState(ctx, link);
  if (closed !== undefined) return closed;
  const option = await recheckChoice(ctx, link, chosen, {
    fresh: true,
    ...(holderKey === null ? {} : { ignoreHolder: holderKey }),
  });
  if (option === null) return takenOutcome(ctx, link);
  const request = linkRequestOf(link);
  const booked = describeOption(request, option);
  try {
    await ctx.store.transaction(async (repos) => {
      const now = ctx.clock.now();
      await repos.reservations.insertAll(
        reservationsFor(ctx, link, booked, 'booking', holderKey),
        now,
        holderKey,
      );
      const completed = await repos.links.closeIfOpen(link.id, {
        status: 'completed',
        at: now,
        booked: booked as unknown as Record<string, unknown>,
      });
      if (!completed) throw new TakenMeanwhile();
      await writeStepEvents(ctx, repos, link, request, booked);
      if (request.completedCallbackUrl !== null) {
        await repos.outbox.insert(
          outboxItem(
            ctx,
            link.applicationId,
            'callback',
            request.completedCallbackUrl,
            completionCallbackBody(link, request, booked),
          ),
        );
      }
    });
  } catch (error) {
    if (error instanceof ReservationConflictError || error instanceof TakenMeanwhile)
      return takenOutcome(ctx, link);
    throw error;
  }
  const done = (await ctx.store.read((repos) => repos.links.byId(link.applicationId, link.id))) ?? link;
  return { kind: 'booked', link: done, booked };
}

/** "None of these times work" (SPEC 6.2): queues the no_times_suitable callback when configured. */
export async function reportNoTimesSuitable(
  ctx: AppContext,
  token: string,
): Promise<{ notified: boolean } | undefined> {
  const link = await linkByToken(ctx, token);
  if (link === undefined) return undefined;
  const request = linkRequestOf(link);
  if (request.noTimesSuitableUrl === null || statusOf(link, ctx.clock.now()) !== 'open')
    return { notified: false };
  const sequencing = link.kind === 'sequencing';
  const body = JSON.stringify({
    notification: {
      type: sequencing ? 'real_time_sequencing_no_times_suitable' : 'real_time_scheduling_no_times_suitable',
    },
    [sequencing ? 'real_time_sequencing' : 'real_time_scheduling']: linkDocument(ctx, link),
    event: request.event,
  });
  await ctx.store.transaction((repos) =>
    repos.outbox.insert(outboxItem(ctx, link.applicationId, 'callback', request.noTimesSuitableUrl!, body)),
  );
  return { notified: true };
}

/** Where the browser goes after completion: completed_url, else redirect_uri, plus state and id. */
export function completionRedirect(link: LinkRecord): string {
  const request = linkRequestOf(link);
  const url = new URL(request.redirectCompletedUrl ?? request.redirectUri);
  if (request.state !== null) url.searchParams.set('state', request.state);
  url.searchParams.set(
    link.kind === 'sequencing' ? 'real_time_sequencing_id' : 'real_time_scheduling_id',
    link.id,
  );
  return url.toString();
}
