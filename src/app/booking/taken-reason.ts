/**
 * Why a chosen option could not be had, for the page's wording (SPEC 6.2): "held" when the
 * only thing in its way is another link's hold (which may still lapse), else "booked". The link's
 * own holds never stand in its way (a new hold or booking of the link replaces them).
 * Looked at only after a choice failed, never for page views.
 */

import type { AppContext } from '../context.ts';
import type { Link } from '../links/link-model.ts';
import type { ChosenSteps } from './booking.ts';

export type TakenReason = 'held' | 'booked' | 'unchecked';

export async function takenReason(
  ctx: AppContext,
  link: Link,
  chosen: ChosenSteps,
): Promise<Exclude<TakenReason, 'unchecked'>> {
  const { steps } = link.request.sequence;
  const now = ctx.clock.now();
  let held = false;
  for (const choice of chosen) {
    const step = steps[choice.index];
    if (step === undefined) continue;
    const members = [...new Set(step.groups.flatMap((g) => g.members.map((m) => m.sub)))];
    const window = { start: choice.start, end: choice.start + step.durationMinutes * 60_000 };
    const live = await ctx.store.read((repos) => repos.reservations.liveIn(members, window, now));
    for (const reservation of live) {
      if (reservation.kind === 'booking') return 'booked';
      if (reservation.linkId !== link.id) held = true;
    }
  }
  return held ? 'held' : 'booked';
}

/**
 * When this page session holds exactly the chosen option on this link: the hold's expiry (the
 * earliest of its rows); otherwise undefined (expired, released, or never held).
 */
export async function holdExpiry(
  ctx: AppContext,
  link: Link,
  chosen: ChosenSteps,
  holderKey: string,
): Promise<number | undefined> {
  const { steps } = link.request.sequence;
  const now = ctx.clock.now();
  let expiry = Number.POSITIVE_INFINITY;
  for (const choice of chosen) {
    const step = steps[choice.index];
    if (step === undefined) return undefined;
    const members = [...new Set(step.groups.flatMap((g) => g.members.map((m) => m.sub)))];
    const end = choice.start + step.durationMinutes * 60_000;
    const live = await ctx.store.read((repos) =>
      repos.reservations.liveIn(members, { start: choice.start, end }, now),
    );
    // While rescheduling, holds leave out what the link's own booking already covers (SPEC 6.6):
    // a step is then held in pieces, or not at all when that booking covers it whole.
    const rescheduling = link.status === 'rescheduling';
    const mine = live.filter(
      (r) =>
        r.kind === 'hold' &&
        r.linkId === link.id &&
        r.holderKey === holderKey &&
        (rescheduling ? r.startMs >= choice.start && r.startMs < end : r.startMs === choice.start),
    );
    if (mine.length === 0) {
      if (rescheduling && coveredByOwnBooking(link, members, choice.start, end)) continue;
      return undefined;
    }
    for (const r of mine) expiry = Math.min(expiry, r.expiresAt ?? now);
  }
  if (Number.isFinite(expiry)) return expiry;
  // Everything chosen lies inside the link's own booking: nothing needed holding.
  return link.status === 'rescheduling' ? now + ctx.config.holdSeconds * 1000 : undefined;
}

/** Whether the link's own booking keeps every member who took part in it busy over [start, end). */
function coveredByOwnBooking(link: Link, members: readonly string[], start: number, end: number): boolean {
  const steps = link.booked?.steps ?? [];
  return members.some((sub) =>
    steps.some((s) => s.participants.includes(sub) && s.start <= start && s.end >= end),
  );
}
