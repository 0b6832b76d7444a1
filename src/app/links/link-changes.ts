/**
 * Reschedule and cancel (SPEC 6.6): a completed link reopens as `rescheduling` (the whole loop or
 * some steps) or is called off. The loop keeps its id, its events' event_ids and its callbacks.
 * Each change locks the link row in its transaction and computes what it writes (events,
 * reservations, callbacks) from the locked row, never from a copy read before (decision 0005).
 */
import { DomainError, Problems } from '../../domain/errors.ts';
import type { Repos } from '../../ports/store.ts';
import { bookedEvents, linkQuery, removeEvents, searchLinkOptions } from '../booking/rebooking.ts';
import type { AppContext } from '../context.ts';
import { outboxItem } from '../outbox-items.ts';
import { announce } from './link-events.ts';
import { type Actor, allows, storedFrom } from './link-lifecycle.ts';
import { inviteeMay, type Link, STATUS_ERROR_KEYS, statusOf } from './link-model.ts';
import { cancelledCallbackBody } from './link-wire.ts';
import { type LoadedLink, lockLink } from './links.ts';

/** A 422 naming the link's status (SPEC 6.6: only a booked link can be moved or called off). */
function wrongStatus(link: Link, now: number, action: 'rescheduled' | 'cancelled'): DomainError {
  const status = statusOf(link, now);
  const description = `the link is ${status}; only a completed link can be ${action}`;
  return new DomainError('conflict', `A link that is ${status} cannot be ${action}`, {
    problems: [{ path: 'status', code: STATUS_ERROR_KEYS[status], description }],
  });
}

/** Step indices named by `steps` (sequence_ids); every problem is reported with its path. */
function stepIndices(link: Link, stepIds: readonly unknown[]): number[] {
  const problems = new Problems();
  const steps = link.request.sequence.steps;
  const indices: number[] = [];
  if (stepIds.length === 0)
    problems.add('steps', 'errors.required', 'steps must name at least one sequence_id');
  stepIds.forEach((id, i) => {
    const index = steps.findIndex((s) => String(s.sequenceId) === String(id));
    if (index < 0) {
      problems.add(
        `steps[${i}]`,
        'errors.unknown_sequence_id',
        `${String(id)} is not a sequence_id of this link`,
      );
    } else if (indices.includes(index)) {
      problems.add(`steps[${i}]`, 'errors.duplicate', `${String(id)} appears more than once in steps`);
    } else {
      indices.push(index);
    }
  });
  problems.throwIfAny();
  return indices.sort((a, b) => a - b);
}

/**
 * Why a reschedule would leave the page without options: the moving steps cannot meet the gap
 * rules with the fixed ones even with every participant free, or no time is free now.
 */
async function checkSomethingOffered(ctx: AppContext, loaded: LoadedLink, whole: boolean): Promise<void> {
  const query = await linkQuery(ctx, loaded, { fresh: false });
  if ((await searchLinkOptions(ctx, query)).length > 0) return;
  const moving = new Set(query.moving ?? []);
  const everyoneFree = {
    ...query,
    query: {
      ...query.query,
      steps: query.query.steps.map((step) =>
        moving.has(step.index)
          ? {
              ...step,
              groups: step.groups.map((g) => ({
                ...g,
                members: g.members.map((m) => ({ sub: m.sub, busy: [], open: null })),
              })),
            }
          : step,
      ),
    },
  };
  const structural = !whole && (await searchLinkOptions(ctx, everyoneFree)).length === 0;
  const [path, code, description] = structural
    ? [
        'steps',
        'errors.breaks_gap_rule',
        'these steps cannot move without breaking the order or a gap rule with the steps that stay; move more steps, or the whole loop',
      ]
    : [
        'steps',
        'errors.no_times_available',
        'no other time is available for these steps within the query periods',
      ];
  throw new DomainError('invalid_request', description, { problems: [{ path, code, description }] });
}

/** Who asks for a change: the application (API, CLI) or the invitee (the link's own pages). */
export type ChangeActor = Exclude<Actor, 'time'>;

/** Whether `actor` may take `action` on the locked link now (the invitee also by its own rules). */
function mayChange(link: Link, action: 'reschedule' | 'cancel', actor: ChangeActor, now: number): boolean {
  if (link.booked === null) return false;
  if (actor === 'invitee') return inviteeMay(link, action, now).allowed;
  return allows(statusOf(link, now), action, actor);
}

/**
 * Reopens a completed link for rescheduling (the whole loop when `stepIds` is null). A link that
 * is already rescheduling takes the new scope (application only). The old booking stays until the
 * new choice is booked. The invitee's reschedule is bound by the cutoff and lapses at it.
 */
export async function requestReschedule(
  ctx: AppContext,
  loaded: LoadedLink,
  stepIds: readonly unknown[] | null,
  actor: ChangeActor = 'application',
): Promise<Link> {
  const { link } = loaded;
  const now = ctx.clock.now();
  if (!mayChange(link, 'reschedule', actor, now)) throw wrongStatus(link, now, 'rescheduled');
  const indices = stepIds === null ? null : stepIndices(link, stepIds);
  const whole = indices === null || indices.length === link.request.sequence.steps.length;
  const scope = whole ? null : indices;
  // A preview on the copy: whether the page would offer anything. The change itself is decided below.
  await checkSomethingOffered(
    ctx,
    { ...loaded, link: { ...link, status: 'rescheduling', rescheduleSteps: scope } },
    whole,
  );
  const changed = await ctx.store.transaction(async (repos) => {
    const current = await lockLink(repos, link.id);
    if (!mayChange(current, 'reschedule', actor, now)) throw wrongStatus(current, now, 'rescheduled');
    await repos.links.transition(link.id, {
      from: storedFrom('reschedule', actor),
      version: current.version,
      status: 'rescheduling',
      at: now,
      rescheduleSteps: scope,
      rescheduleBy: actor,
    });
    // A new scope replaces the old one's hold (it was for other steps).
    await repos.reservations.releaseLink(link.id, ['hold']);
    const result: Link = {
      ...current,
      status: 'rescheduling',
      rescheduleSteps: scope,
      rescheduleBy: actor,
      version: current.version + 1,
    };
    return result;
  });
  announce(ctx, { linkId: link.id, kind: 'status', queued: false });
  return changed;
}

/** The cancel of the locked link inside the transaction; undefined when it was already cancelled. */
async function cancelLocked(
  ctx: AppContext,
  repos: Repos,
  current: Link,
  reason: string | null,
  actor: ChangeActor,
  now: number,
): Promise<Link | undefined> {
  if (current.status === 'cancelled') return undefined;
  const booked = current.booked;
  if (booked === null || !mayChange(current, 'cancel', actor, now))
    throw wrongStatus(current, now, 'cancelled');
  const cancelled: Link = {
    ...current,
    status: 'cancelled',
    cancelledAt: now,
    cancelReason: reason,
    rescheduleSteps: null,
    rescheduleBy: null,
    version: current.version + 1,
  };
  await repos.links.transition(current.id, {
    from: storedFrom('cancel', actor),
    version: current.version,
    status: 'cancelled',
    at: now,
    cancelReason: reason,
    rescheduleSteps: null,
  });
  await repos.reservations.releaseLink(current.id, ['booking', 'hold']);
  await removeEvents(ctx, repos, current, bookedEvents(current, booked), now);
  const url = current.request.completedCallbackUrl;
  if (url !== null) {
    await repos.outbox.insert(
      outboxItem(
        ctx,
        current.applicationId,
        'callback',
        url,
        cancelledCallbackBody(ctx, cancelled, booked, reason),
      ),
    );
  }
  return cancelled;
}

/**
 * Cancels a booked link: every booked event deleted (CalDAV too, through the outbox), its
 * reservations released, status `cancelled`, one cancelled callback naming what was booked when
 * the link was locked. Cancelling twice is harmless.
 */
export async function cancelLink(
  ctx: AppContext,
  link: Link,
  reason: string | null,
  actor: ChangeActor = 'application',
): Promise<Link> {
  const now = ctx.clock.now();
  const outcome = await ctx.store.transaction(async (repos) => {
    const current = await lockLink(repos, link.id);
    const cancelled = await cancelLocked(ctx, repos, current, reason, actor, now);
    return cancelled === undefined ? { changed: false, link: current } : { changed: true, link: cancelled };
  });
  if (outcome.changed) {
    announce(ctx, { linkId: link.id, kind: 'status', queued: true });
    ctx.activity?.link('cancelled', { linkId: link.id, applicationId: link.applicationId });
  }
  return outcome.link;
}
