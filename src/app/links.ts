/**
 * Real-Time Sequencing and Real-Time Scheduling links (SPEC 6.1, 6.5, 6.6): creation with full
 * validation, status by id or token, disable. Both kinds share this machinery: a scheduling
 * link is a one-step sequence.
 */

import { DomainError, type Problems } from '../domain/errors.ts';
import { formatUtc } from '../domain/time/format.ts';
import type { ApplicationRecord, LinkKind, LinkRecord } from '../ports/store.ts';
import type { ApplicationCaller } from './auth.ts';
import type { SequenceRequest } from './availability.ts';
import type { AppContext } from './context.ts';
import { checkOutboundUrl } from './outbound.ts';
import { checkMembers } from './participants.ts';

export type TargetCalendar = { readonly sub: string; readonly calendarId: string };

export type LinkRequest = {
  readonly kind: LinkKind;
  readonly redirectUri: string;
  readonly state: string | null;
  /** The top-level event template as sent (without start/end). */
  readonly event: Readonly<Record<string, unknown>>;
  readonly sequence: SequenceRequest;
  readonly targetCalendars: readonly TargetCalendar[];
  readonly completedCallbackUrl: string | null;
  readonly noTimesSuitableUrl: string | null;
  readonly redirectCompletedUrl: string | null;
  readonly selectionMode: 'no_confirm' | 'confirm';
  readonly hourFormat: 'h' | 'H';
};

/** One booked step, as recorded on the link and reported in status and callbacks. */
export type BookedStep = {
  readonly index: number;
  readonly sequenceId: string | number;
  readonly start: number;
  readonly end: number;
  readonly participants: readonly string[];
  readonly eventId: string;
  readonly summary: string;
};

export type BookedOption = { readonly steps: readonly BookedStep[] };

/** Where in the request body the fields checked here were found (for error paths). */
export type LinkPaths = {
  readonly targets: string;
  readonly steps: string;
  readonly completedCallback: string;
};

export type LinkStatusName = 'open' | 'completed' | 'disabled' | 'expired';

export const LINK_PREFIX: Readonly<Record<LinkKind, string>> = { sequencing: 'seq', scheduling: 'sch' };

export function linkRequestOf(link: LinkRecord): LinkRequest {
  return link.request as unknown as LinkRequest;
}

export function bookedOf(link: LinkRecord): BookedOption | null {
  return link.booked === null ? null : (link.booked as unknown as BookedOption);
}

export function statusOf(link: LinkRecord, now: number): LinkStatusName {
  if (link.status === 'open' && now >= link.expiresAt) return 'expired';
  return link.status;
}

export function linkUrl(ctx: AppContext, link: LinkRecord): string {
  return `${ctx.config.publicUrl}/book/${ctx.secrets.unseal(link.tokenSealed)}`;
}

/** The event id a step's events are written with: the step's own, else the template's. */
export function stepEventId(request: LinkRequest, index: number): string {
  const own = request.sequence.steps[index]?.event?.event_id;
  return typeof own === 'string' && own !== '' ? own : String(request.event.event_id);
}

export function stepSummary(request: LinkRequest, index: number): string {
  const own = request.sequence.steps[index]?.event?.summary;
  return typeof own === 'string' && own !== '' ? own : String(request.event.summary);
}

/**
 * Reference checks that need the database (SPEC 6.1): subs and calendars exist and belong to the
 * application, target calendars are writable and each sub appears once, and no two events of the
 * link could land in one calendar with the same event_id.
 */
async function checkLinkReferences(
  ctx: AppContext,
  caller: ApplicationCaller,
  request: LinkRequest,
  problems: Problems,
  paths: LinkPaths,
): Promise<void> {
  const members = request.sequence.steps.flatMap((s) => s.groups.flatMap((g) => g.members));
  const directory = await checkMembers(
    ctx,
    caller,
    members,
    problems,
    request.targetCalendars.map((t) => t.sub),
  );
  const seenSubs = new Set<string>();
  request.targetCalendars.forEach((target, i) => {
    const path = `${paths.targets}[${i}]`;
    if (seenSubs.has(target.sub)) {
      problems.add(
        `${path}.sub`,
        'errors.duplicate',
        `${target.sub} appears more than once in target_calendars`,
      );
    }
    seenSubs.add(target.sub);
    if (!directory.accountsBySub.has(target.sub)) {
      problems.add(
        `${path}.sub`,
        'errors.unknown_sub',
        `${target.sub} is not an account of this application`,
      );
      return;
    }
    const calendar = (directory.calendarsByAccount.get(target.sub) ?? []).find(
      (c) => c.id === target.calendarId,
    );
    if (calendar === undefined) {
      problems.add(
        `${path}.calendar_id`,
        'errors.unknown_calendar',
        `${target.calendarId} is not a calendar of ${target.sub}`,
      );
    } else if (calendar.readOnly || calendar.kind === 'ics') {
      problems.add(`${path}.calendar_id`, 'errors.calendar_readonly', `${target.calendarId} is read-only`);
    }
  });

  const callbacks: [string, string | null][] = [
    [paths.completedCallback, request.completedCallbackUrl],
    ['callback_urls.no_times_suitable_url', request.noTimesSuitableUrl],
  ];
  for (const [path, url] of callbacks) {
    if (url !== null) await checkOutboundUrl(ctx, url, path, problems);
  }

  // Events of step i go to the target calendars of its selected participants: two steps sharing an
  // event_id collide when some target-calendar sub could take part in both.
  const targetSubs = new Set(request.targetCalendars.map((t) => t.sub));
  const stepSubs = request.sequence.steps.map(
    (s) => new Set(s.groups.flatMap((g) => g.members.map((m) => m.sub)).filter((sub) => targetSubs.has(sub))),
  );
  for (let j = 1; j < request.sequence.steps.length; j++) {
    for (let i = 0; i < j; i++) {
      if (stepEventId(request, i) !== stepEventId(request, j)) continue;
      const shared = [...stepSubs[j]!].find((sub) => stepSubs[i]!.has(sub));
      if (shared !== undefined) {
        problems.add(
          `${paths.steps}[${j}].event.event_id`,
          'errors.duplicate_event_id',
          `steps ${i} and ${j} would both write event_id ${stepEventId(request, j)} into the calendar of ${shared}; give the steps distinct event_ids`,
        );
        break;
      }
    }
  }
}

export async function createLink(
  ctx: AppContext,
  application: ApplicationRecord,
  request: LinkRequest,
  problems: Problems,
  paths: LinkPaths,
): Promise<{ link: LinkRecord; url: string }> {
  await checkLinkReferences(ctx, { kind: 'application', application }, request, problems, paths);
  problems.throwIfAny();
  const token = ctx.ids.newToken(24);
  const now = ctx.clock.now();
  const link: LinkRecord = {
    id: ctx.ids.newId(LINK_PREFIX[request.kind]),
    applicationId: application.id,
    kind: request.kind,
    tokenHash: ctx.secrets.hash(token),
    tokenSealed: ctx.secrets.seal(token),
    status: 'open',
    request: request as unknown as Record<string, unknown>,
    createdAt: now,
    expiresAt: Math.max(...request.sequence.queryPeriods.map((p) => p.end)),
    completedAt: null,
    booked: null,
    displayMessage: null,
  };
  await ctx.store.transaction((repos) => repos.links.insert(link));
  return { link, url: `${ctx.config.publicUrl}/book/${token}` };
}

export async function linkById(ctx: AppContext, application: ApplicationRecord, kind: LinkKind, id: string) {
  const link = await ctx.store.read((repos) => repos.links.byId(application.id, id));
  if (link === undefined || link.kind !== kind) throw new DomainError('not_found', `No link ${id}`);
  return link;
}

export async function linkByToken(ctx: AppContext, token: string): Promise<LinkRecord | undefined> {
  if (token.length < 16 || token.length > 200) return undefined;
  return ctx.store.read((repos) => repos.links.byTokenHash(ctx.secrets.hash(token)));
}

/** Disables an open link (SPEC 6.5); a completed one cannot be disabled; disabling twice is harmless. */
export async function disableLink(
  ctx: AppContext,
  link: LinkRecord,
  displayMessage: string,
): Promise<LinkRecord> {
  if (link.status === 'completed') {
    throw new DomainError('conflict', 'A completed link cannot be disabled', {
      problems: [
        { path: 'status', code: 'errors.link_completed', description: 'a completed link cannot be disabled' },
      ],
    });
  }
  if (link.status === 'disabled') return link;
  const changed = await ctx.store.transaction((repos) =>
    repos.links.closeIfOpen(link.id, { status: 'disabled', at: ctx.clock.now(), displayMessage }),
  );
  const fresh = await ctx.store.read((repos) => repos.links.byId(link.applicationId, link.id));
  if (!changed && fresh?.status === 'completed') {
    throw new DomainError('conflict', 'A completed link cannot be disabled', {
      problems: [
        { path: 'status', code: 'errors.link_completed', description: 'a completed link cannot be disabled' },
      ],
    });
  }
  return fresh ?? link;
}

/**
 * The link object of status, create and callback bodies: `{<kind>_id, url, status, event,
 * sequence?}`. Once completed, `event` carries the booked start and end.
 */
export function linkDocument(ctx: AppContext, link: LinkRecord): Record<string, unknown> {
  const request = linkRequestOf(link);
  const booked = bookedOf(link);
  const tzid = request.sequence.tzid ?? 'Etc/UTC';
  const event: Record<string, unknown> = { ...request.event };
  const idKey = link.kind === 'sequencing' ? 'real_time_sequencing_id' : 'real_time_scheduling_id';
  const document: Record<string, unknown> = {
    [idKey]: link.id,
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
  return document;
}
