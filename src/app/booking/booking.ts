/**
 * What the hosted page does with a link (SPEC 6.2, 6.3, 5.6): show the times computed now, hold an
 * option while the invitee confirms, book it atomically, or tell the organiser none fit. Every
 * action takes the link its request already loaded; nothing here reads it again unless a
 * competing change may have altered it.
 */
import { recheckSequenceOption } from '../../domain/engine/recheck.ts';
import type { SequenceOption } from '../../domain/engine/types.ts';
import { formatUtc } from '../../domain/time/format.ts';
import type { ChoiceAction } from '../../ports/metrics.ts';
import { type ApplicationRecord, type Repos, ReservationConflictError } from '../../ports/store.ts';
import type { MemberFailure } from '../availability/availability.ts';
import type { BusyOptions } from '../availability/participants.ts';
import type { AppContext } from '../context.ts';
import { announce } from '../links/link-events.ts';
import { allows } from '../links/link-lifecycle.ts';
import {
  type BookedOption,
  encodeBooked,
  type Link,
  type LinkRequest,
  statusOf,
} from '../links/link-model.ts';
import { completionCallbackBody, noTimesSuitableBody } from '../links/link-wire.ts';
import { type LoadedLink, loadLinkForPage, lockLink, reloadLink } from '../links/links.ts';
import { outboxItem } from '../outbox-items.ts';
import { describeOption, replaceWithBookings, reservationsFor, writeStepEvents } from './booking-writes.ts';
import { loadLimitsFor } from './load-limits.ts';
import { commitReschedule, linkQuery, outsideOwnBooking, searchLinkOptions } from './rebooking.ts';

export type ClosedState =
  | { readonly kind: 'completed'; readonly link: Link; readonly booked: BookedOption }
  | { readonly kind: 'disabled'; readonly link: Link; readonly message: string }
  | { readonly kind: 'expired'; readonly link: Link }
  | { readonly kind: 'cancelled'; readonly link: Link };

export type OpenState = {
  readonly kind: 'open';
  readonly link: Link;
  readonly request: LinkRequest;
  readonly options: readonly SequenceOption[];
  readonly failures: readonly MemberFailure[];
  /** The steps that move while only some do (SPEC 6.6: options are labelled by them); else null. */
  readonly moving: readonly number[] | null;
};

export type PageState = OpenState | ClosedState;

/**
 * A choice could not be checked because an external (CalDAV, ICS) calendar of the link failed or
 * timed out when read for it (SPEC 8: never silently free): nothing was written, and the page
 * says the calendar could not be checked, not that the time was taken.
 */
export class CalendarsUncheckedError extends Error {
  override name = 'CalendarsUncheckedError';
  constructor() {
    super('an external calendar of the link could not be read to check the choice');
  }
}

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

/** The page of a link whose status offers no times (link-lifecycle.ts); undefined when it offers them. */
function closedState(ctx: AppContext, link: Link): ClosedState | undefined {
  const status = statusOf(link, ctx.clock.now());
  if (allows(status, 'choose', 'invitee')) return undefined;
  const booked = link.booked;
  if (status === 'completed' && booked !== null) return { kind: 'completed', link, booked };
  if (status === 'disabled') return { kind: 'disabled', link, message: link.displayMessage ?? '' };
  if (status === 'expired') return { kind: 'expired', link };
  if (status === 'cancelled') return { kind: 'cancelled', link };
  return undefined;
}

/** Page states being computed, per context: identical concurrent computations run once. */
const computing = new WeakMap<AppContext, Map<string, Promise<OpenState>>>();

/**
 * A page view's open (or rescheduling: SPEC 6.6) state. Every view of a link needs the same
 * computation: the link's own hold is left out for everybody (SPEC 5.6 makes a hold busy for every
 * *other* query and link, and the link's next hold or booking replaces it), so holders and other
 * visitors share it. Views that ask while it runs (tabs, a burst of reloads) join it (single flight).
 */
function sharedOpenState(ctx: AppContext, loaded: LoadedLink): Promise<OpenState> {
  const { link } = loaded;
  const key = `${link.id}\n${link.version}`;
  let running = computing.get(ctx);
  if (running === undefined) {
    running = new Map();
    computing.set(ctx, running);
  }
  const pending = running.get(key);
  if (pending !== undefined) return pending;
  const started = computeOpenState(ctx, loaded, { fresh: false, ignoreHoldsOf: link.id }).finally(() =>
    running.delete(key),
  );
  running.set(key, started);
  return started;
}

/** Open (or rescheduling: SPEC 6.6) page state: the options computed now. */
async function computeOpenState(
  ctx: AppContext,
  loaded: LoadedLink,
  options: BusyOptions,
): Promise<OpenState> {
  const { link } = loaded;
  const done = ctx.metrics?.startComputation('page');
  const query = await linkQuery(ctx, loaded, options);
  const found = await searchLinkOptions(ctx, query);
  done?.();
  const moving =
    query.moving === null || query.moving.length === query.query.steps.length ? null : query.moving;
  return {
    kind: 'open',
    link,
    request: link.request,
    options: found,
    failures: query.resolved.failures,
    moving,
  };
}

/** A page state with the link's application (the page shows its display settings). */
export type ViewedState = PageState & { readonly application: ApplicationRecord };

/** The page's state now, the same for every visitor of the link; undefined for an unknown token (404). */
export async function viewLink(ctx: AppContext, token: string): Promise<ViewedState | undefined> {
  const loaded = await loadLinkForPage(ctx, token);
  if (loaded === undefined) return undefined;
  const state = closedState(ctx, loaded.link) ?? (await sharedOpenState(ctx, loaded));
  return { ...state, application: loaded.application };
}

export type ChoiceOutcome =
  | {
      readonly kind: 'held';
      readonly link: Link;
      readonly option: BookedOption;
      readonly expiresAt: number;
    }
  | { readonly kind: 'booked'; readonly link: Link; readonly booked: BookedOption }
  /** The chosen time went meanwhile; the link is still open. Fresh times come from the next view. */
  | { readonly kind: 'taken'; readonly link: Link }
  | ClosedState;

class TakenMeanwhile extends Error {}

/**
 * Re-checks the chosen option against calendar data read now; null when no longer valid. Throws
 * CalendarsUncheckedError when an external calendar could not be read (nothing is written).
 */
async function recheckChoice(
  ctx: AppContext,
  loaded: LoadedLink,
  chosen: ChosenSteps,
  options: BusyOptions,
): Promise<SequenceOption | null> {
  if (chosen.some((c) => c.index >= loaded.link.request.sequence.steps.length)) return null;
  const { query, resolved } = await linkQuery(ctx, loaded, options);
  if (resolved.failures.length > 0) throw new CalendarsUncheckedError();
  return recheckSequenceOption(query, { steps: chosen });
}

/**
 * The outcome when a competing hold or booking won: the link as it is now (closed, when another
 * session completed it). Nothing is computed here: the page answers with a redirect, and its next
 * view shares the link's one computation with everybody else (viewLink).
 */
async function takenOutcome(ctx: AppContext, loaded: LoadedLink): Promise<ChoiceOutcome> {
  announce(ctx, { linkId: loaded.link.id, kind: 'stale', queued: false });
  const current = await reloadLink(ctx, loaded.link);
  return closedState(ctx, current) ?? { kind: 'taken', link: current };
}

/** Reports a hold or booking and a taken-meanwhile outcome to the metrics; returns the outcome. */
function counted(
  ctx: AppContext,
  action: ChoiceAction,
  outcome: ChoiceOutcome,
  before?: Link,
): ChoiceOutcome {
  if (outcome.kind === 'held' || outcome.kind === 'booked') ctx.metrics?.choiceMade(action);
  else if (outcome.kind === 'taken') ctx.metrics?.takenMeanwhile(action);
  if (outcome.kind === 'booked') {
    const steps = outcome.booked.steps;
    ctx.activity?.link(before?.status === 'rescheduling' ? 'rescheduled' : 'booked', {
      linkId: outcome.link.id,
      applicationId: outcome.link.applicationId,
      steps: steps.length,
      ...(steps.length === 0
        ? {}
        : { start: formatUtc(steps[0]!.start), end: formatUtc(steps[steps.length - 1]!.end) }),
    });
  }
  return outcome;
}

/** Confirm mode: holds the option for HOLD_SECONDS (SPEC 5.6). */
export async function holdOption(
  ctx: AppContext,
  loaded: LoadedLink,
  chosen: ChosenSteps,
  holderKey: string,
): Promise<ChoiceOutcome> {
  return counted(ctx, 'hold', await placeHold(ctx, loaded, chosen, holderKey));
}

async function placeHold(
  ctx: AppContext,
  loaded: LoadedLink,
  chosen: ChosenSteps,
  holderKey: string,
): Promise<ChoiceOutcome> {
  const { link } = loaded;
  const closed = closedState(ctx, link);
  if (closed !== undefined) return closed;
  const option = await recheckChoice(ctx, loaded, chosen, { fresh: false, ignoreHoldsOf: link.id });
  if (option === null) return takenOutcome(ctx, loaded);
  const described = describeOption(link.request, option);
  const rows = outsideOwnBooking(ctx, link, reservationsFor(ctx, link, described, 'hold', holderKey));
  const now = ctx.clock.now();
  const expiresAt = rows[0]?.expiresAt ?? now + ctx.config.holdSeconds * 1000;
  try {
    await ctx.store.transaction(async (repos) => {
      // The link first (every change of a link locks it first): a hold is taken only on the state
      // it was chosen on, never on a link a cancel or booking changed meanwhile.
      const current = await lockLink(repos, link.id);
      if (current.version !== link.version) throw new TakenMeanwhile();
      // At most one active hold per link (SPEC 9): this one replaces whatever the link held, in
      // this session or another (which is why the link's own holds never block its re-check), so
      // one visitor with many sessions cannot hold many options.
      await repos.linkGuards.putHold({ linkId: link.id, holderKey, optionKey: optionKey(option), expiresAt });
      await repos.reservations.releaseLink(link.id, ['hold']);
      await repos.reservations.insertAll(rows, now, holderKey, await loadLimitsFor(repos, link, described));
    });
  } catch (error) {
    if (error instanceof ReservationConflictError || error instanceof TakenMeanwhile)
      return takenOutcome(ctx, loaded);
    throw error;
  }
  announce(ctx, { linkId: link.id, kind: 'hold', queued: false });
  return { kind: 'held', link, option: described, expiresAt };
}

/** "Back" on the confirmation page: the hold ends at once. */
export async function releaseHold(ctx: AppContext, link: Link, holderKey: string): Promise<void> {
  await ctx.store.transaction(async (repos) => {
    await repos.reservations.releaseHolds(link.id, holderKey);
    await repos.linkGuards.clearHold(link.id, holderKey);
  });
  // Other links' views counted the hold as busy.
  announce(ctx, { linkId: link.id, kind: 'hold', queued: false });
}

/**
 * Confirm in `confirm` mode: books the option this session actually holds, whatever an older
 * confirmation form (another tab, the back button) says; the form's option only when the session
 * holds nothing live on this link any more.
 */
export async function confirmHeld(
  ctx: AppContext,
  loaded: LoadedLink,
  formChosen: ChosenSteps,
  holderKey: string,
): Promise<ChoiceOutcome> {
  const hold = await ctx.store.read((repos) => repos.linkGuards.hold(loaded.link.id));
  const live = hold !== undefined && hold.holderKey === holderKey && hold.expiresAt > ctx.clock.now();
  const held = live ? parseOptionKey(hold.optionKey) : undefined;
  return bookOption(ctx, loaded, held ?? formChosen, holderKey);
}

/** The first booking of an open link (SPEC 6.3 steps 2 to 4), inside the caller's transaction. */
async function firstBooking(
  ctx: AppContext,
  repos: Repos,
  link: Link,
  booked: BookedOption,
  holderKey: string | null,
  now: number,
): Promise<void> {
  // The link's holds (this session's or another's) give way to its booking, as to a new hold.
  await replaceWithBookings(ctx, repos, link, booked, ['hold'], holderKey, now);
  const completed = await repos.links.transition(link.id, {
    from: ['open'],
    version: link.version,
    status: 'completed',
    at: now,
    booked: encodeBooked(booked),
  });
  if (!completed) throw new TakenMeanwhile();
  await writeStepEvents(ctx, repos, link, booked);
  const url = link.request.completedCallbackUrl;
  if (url !== null) {
    await repos.outbox.insert(
      outboxItem(ctx, link.applicationId, 'callback', url, completionCallbackBody(link, booked)),
    );
  }
}

/**
 * Books the chosen option in one transaction (SPEC 6.3): fresh re-check, reservations that the
 * database refuses to overlap, step events, link completed, callback queued. Exactly one of any
 * set of competing bookings succeeds; the others get the taken-meanwhile outcome.
 */
export async function bookOption(
  ctx: AppContext,
  loaded: LoadedLink,
  chosen: ChosenSteps,
  holderKey: string | null,
): Promise<ChoiceOutcome> {
  return counted(ctx, 'book', await commitBooking(ctx, loaded, chosen, holderKey), loaded.link);
}

async function commitBooking(
  ctx: AppContext,
  loaded: LoadedLink,
  chosen: ChosenSteps,
  holderKey: string | null,
): Promise<ChoiceOutcome> {
  const { link } = loaded;
  const closed = closedState(ctx, link);
  if (closed !== undefined) return closed;
  const option = await recheckChoice(ctx, loaded, chosen, { fresh: true, ignoreHoldsOf: link.id });
  if (option === null) return takenOutcome(ctx, loaded);
  const booked = describeOption(link.request, option);
  const now = ctx.clock.now();
  let done: Link;
  try {
    done = await ctx.store.transaction(async (repos) => {
      // The choice was checked against this version of the link; any change since (a cancel, a
      // reschedule with another scope, another booking) makes it a choice on a state that is gone.
      const current = await lockLink(repos, link.id);
      if (current.version !== link.version || !allows(statusOf(current, now), 'book', 'invitee')) {
        throw new TakenMeanwhile();
      }
      if (current.status === 'rescheduling')
        await commitReschedule(ctx, repos, current, booked, holderKey, now);
      else await firstBooking(ctx, repos, current, booked, holderKey, now);
      const stored: Link = {
        ...current,
        status: 'completed',
        completedAt: now,
        booked,
        rescheduleSteps: null,
        rescheduleBy: null,
        version: current.version + 1,
      };
      return stored;
    });
  } catch (error) {
    if (error instanceof ReservationConflictError || error instanceof TakenMeanwhile)
      return takenOutcome(ctx, loaded);
    throw error;
  }
  announce(ctx, { linkId: link.id, kind: 'status', queued: true });
  return { kind: 'booked', link: done, booked };
}

/**
 * "None of these times work" (SPEC 6.2): queues the no_times_suitable callback when configured,
 * at most once per link. Later uses get the first answer and send nothing.
 */
export async function reportNoTimesSuitable(
  ctx: AppContext,
  link: Link,
  note: string | null = null,
): Promise<{ notified: boolean }> {
  const url = link.request.noTimesSuitableUrl;
  if (!allows(statusOf(link, ctx.clock.now()), 'report_none', 'invitee')) return { notified: false };
  return ctx.store.transaction(async (repos) => {
    const first = await repos.linkGuards.markNoTimesSuitable(link.id, ctx.clock.now(), url !== null);
    if (!first) return { notified: (await repos.linkGuards.noTimesSuitable(link.id))?.notified ?? false };
    if (url === null) return { notified: false };
    await repos.outbox.insert(
      outboxItem(ctx, link.applicationId, 'callback', url, noTimesSuitableBody(ctx, link, note)),
    );
    return { notified: true };
  });
}

/** Whether the page session with this holder key made the link's booking. */
export async function bookedBy(ctx: AppContext, link: Link, holderKey: string | undefined): Promise<boolean> {
  if (holderKey === undefined) return false;
  const bookings = await ctx.store.read((repos) => repos.reservations.byLink(link.id));
  return bookings.some((b) => b.holderKey === holderKey);
}
