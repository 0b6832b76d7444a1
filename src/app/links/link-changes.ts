/**
 * Reschedule and cancel (SPEC 6.6): a completed link reopens as `rescheduling` (the whole loop or
 * some steps) or is called off. The loop keeps its id, its events' event_ids and its callbacks.
 */
import { DomainError, Problems } from '../../domain/errors.ts';
import { outboxItem } from '../booking/booking-writes.ts';
import { bookedEvents, linkQuery, removeEvents, searchLinkOptions } from '../booking/rebooking.ts';
import type { AppContext } from '../context.ts';
import { type Link, STATUS_ERROR_KEYS, statusOf } from './link-model.ts';
import { cancelledCallbackBody } from './link-wire.ts';
import { type LoadedLink, reloadLink } from './links.ts';

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

/**
 * Reopens a completed link for rescheduling (the whole loop when `stepIds` is null). A link that
 * is already rescheduling takes the new scope. The old booking stays until the new choice is booked.
 */
export async function requestReschedule(
  ctx: AppContext,
  loaded: LoadedLink,
  stepIds: readonly unknown[] | null,
): Promise<Link> {
  const { link } = loaded;
  const now = ctx.clock.now();
  if ((link.status !== 'completed' && link.status !== 'rescheduling') || link.booked === null) {
    throw wrongStatus(link, now, 'rescheduled');
  }
  const indices = stepIds === null ? null : stepIndices(link, stepIds);
  const whole = indices === null || indices.length === link.request.sequence.steps.length;
  const scope = whole ? null : indices;
  const candidate: Link = { ...link, status: 'rescheduling', rescheduleSteps: scope };
  await checkSomethingOffered(ctx, { ...loaded, link: candidate }, whole);
  const changed = await ctx.store.transaction((repos) =>
    repos.links.transition(link.id, {
      from: ['completed', 'rescheduling'],
      status: 'rescheduling',
      at: now,
      rescheduleSteps: scope,
    }),
  );
  const fresh = await reloadLink(ctx, link);
  if (!changed) throw wrongStatus(fresh, now, 'rescheduled');
  return fresh;
}

/**
 * Cancels a booked link: every booked event deleted (CalDAV too, through the outbox), its
 * reservations released, status `cancelled`, one cancelled callback. Cancelling twice is harmless.
 */
export async function cancelLink(ctx: AppContext, link: Link, reason: string | null): Promise<Link> {
  const now = ctx.clock.now();
  if (link.status === 'cancelled') return link;
  if ((link.status !== 'completed' && link.status !== 'rescheduling') || link.booked === null) {
    throw wrongStatus(link, now, 'cancelled');
  }
  const booked = link.booked;
  const cancelled: Link = {
    ...link,
    status: 'cancelled',
    cancelledAt: now,
    cancelReason: reason,
    rescheduleSteps: null,
  };
  const changed = await ctx.store.transaction(async (repos) => {
    const moved = await repos.links.transition(link.id, {
      from: ['completed', 'rescheduling'],
      status: 'cancelled',
      at: now,
      cancelReason: reason,
      rescheduleSteps: null,
    });
    if (!moved) return false;
    await repos.reservations.releaseLink(link.id, ['booking', 'hold']);
    await removeEvents(ctx, repos, link, bookedEvents(link, booked), now);
    const url = link.request.completedCallbackUrl;
    if (url !== null) {
      await repos.outbox.insert(
        outboxItem(
          ctx,
          link.applicationId,
          'callback',
          url,
          cancelledCallbackBody(ctx, cancelled, booked, reason),
        ),
      );
    }
    return true;
  });
  if (changed) {
    ctx.activity?.link('cancelled', { linkId: link.id, applicationId: link.applicationId });
    return cancelled;
  }
  const fresh = await reloadLink(ctx, link);
  if (fresh.status === 'cancelled') return fresh;
  throw wrongStatus(fresh, now, 'cancelled');
}
