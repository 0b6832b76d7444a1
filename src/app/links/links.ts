/**
 * Real-Time Sequencing and Real-Time Scheduling links (SPEC 6.1, 6.5, 6.6): creation with full
 * validation, status by id or token, disable. Both kinds share this machinery: a scheduling
 * link is a one-step sequence.
 */

import { DomainError, type Problems } from '../../domain/errors.ts';
import type { ApplicationRecord, LinkKind, LinkRecord, Repos } from '../../ports/store.ts';
import type { ApplicationCaller } from '../accounts/auth.ts';
import { checkMembers } from '../availability/participants.ts';
import type { AppContext } from '../context.ts';
import { checkOutboundUrl } from '../outbound.ts';
import { announce } from './link-events.ts';
import { allows, type LinkStatusName, storedFrom } from './link-lifecycle.ts';
import {
  decodeLink,
  encodeRequest,
  type Link,
  type LinkRequest,
  STATUS_ERROR_KEYS,
  statusOf,
  stepEventId,
} from './link-model.ts';
import { KIND_NAMES } from './link-wire.ts';

/** Where in the request body the fields checked here were found (for error paths). */
export type LinkPaths = {
  readonly targets: string;
  readonly steps: string;
  readonly completedCallback: string;
};

/** A link loaded with its application, which every page action needs. */
export type LoadedLink = { readonly link: Link; readonly application: ApplicationRecord };

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
): Promise<{ link: Link; url: string }> {
  await checkLinkReferences(ctx, { kind: 'application', application }, request, problems, paths);
  problems.throwIfAny();
  const token = ctx.ids.newToken(24);
  const now = ctx.clock.now();
  const link: LinkRecord = {
    id: ctx.ids.newId(KIND_NAMES[request.kind].prefix),
    applicationId: application.id,
    kind: request.kind,
    tokenHash: ctx.secrets.hash(token),
    tokenSealed: ctx.secrets.seal(token),
    status: 'open',
    request: encodeRequest(request),
    createdAt: now,
    expiresAt: Math.max(...request.sequence.queryPeriods.map((p) => p.end)),
    completedAt: null,
    booked: null,
    displayMessage: null,
    rescheduleSteps: null,
    cancelledAt: null,
    cancelReason: null,
    version: 0,
    rescheduleBy: null,
  };
  await ctx.store.transaction((repos) => repos.links.insert(link));
  return { link: decodeLink(link), url: `${ctx.config.publicUrl}/book/${token}` };
}

export async function linkById(
  ctx: AppContext,
  application: ApplicationRecord,
  kind: LinkKind,
  id: string,
): Promise<Link> {
  const link = await ctx.store.read((repos) => repos.links.byId(application.id, id));
  if (link === undefined || link.kind !== kind) throw new DomainError('not_found', `No link ${id}`);
  return decodeLink(link);
}

function plausibleToken(token: string): boolean {
  return token.length >= 16 && token.length <= 200;
}

export async function linkByToken(ctx: AppContext, token: string): Promise<Link | undefined> {
  if (!plausibleToken(token)) return undefined;
  const record = await ctx.store.read((repos) => repos.links.byTokenHash(ctx.secrets.hash(token)));
  return record === undefined ? undefined : decodeLink(record);
}

/** The link of a page token and its application, in one read; undefined for an unknown token. */
export async function loadLinkForPage(ctx: AppContext, token: string): Promise<LoadedLink | undefined> {
  if (!plausibleToken(token)) return undefined;
  const found = await ctx.store.read(async (repos) => {
    const record = await repos.links.byTokenHash(ctx.secrets.hash(token));
    if (record === undefined) return undefined;
    return { record, application: await repos.applications.byId(record.applicationId) };
  });
  if (found === undefined) return undefined;
  if (found.application === undefined) throw new DomainError('not_found', 'The link has no application');
  return { link: decodeLink(found.record), application: found.application };
}

/** The link as stored now (after a change that may have raced with another). */
export async function reloadLink(
  ctx: AppContext,
  link: Pick<LinkRecord, 'id' | 'applicationId'>,
): Promise<Link> {
  const record = await ctx.store.read((repos) => repos.links.byId(link.applicationId, link.id));
  if (record === undefined) throw new DomainError('not_found', `No link ${link.id}`);
  return decodeLink(record);
}

/** The link locked in this transaction: every change of a link decides on this copy only. */
export async function lockLink(repos: Repos, id: string): Promise<Link> {
  const record = await repos.links.lockById(id);
  if (record === undefined) throw new DomainError('not_found', `No link ${id}`);
  return decodeLink(record);
}

function cannotBeDisabled(status: LinkStatusName): DomainError {
  const description = `a ${status} link cannot be disabled`;
  return new DomainError('conflict', `A ${status} link cannot be disabled`, {
    problems: [{ path: 'status', code: STATUS_ERROR_KEYS[status], description }],
  });
}

/** Disables an open link (SPEC 6.5); a completed one cannot be disabled; disabling twice is harmless. */
export async function disableLink(
  ctx: AppContext,
  link: Pick<LinkRecord, 'id'>,
  displayMessage: string,
): Promise<Link> {
  const now = ctx.clock.now();
  const outcome = await ctx.store.transaction(async (repos) => {
    const current = await lockLink(repos, link.id);
    const status = statusOf(current, now);
    if (current.status === 'disabled') return { changed: false, link: current };
    if (!allows(status, 'disable', 'application')) throw cannotBeDisabled(status);
    await repos.links.transition(link.id, {
      from: storedFrom('disable', 'application'),
      version: current.version,
      status: 'disabled',
      at: now,
      displayMessage,
    });
    const disabled: Link = { ...current, status: 'disabled', displayMessage, version: current.version + 1 };
    return { changed: true, link: disabled };
  });
  if (outcome.changed) announce(ctx, { linkId: link.id, kind: 'status', queued: false });
  return outcome.link;
}
