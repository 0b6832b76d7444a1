/**
 * Why a chosen option could not be had, for the page's wording (SPEC 6.2): "held" when the
 * only thing in its way is someone else's hold (which may still lapse), else "booked".
 * Looked at only after a choice failed, never for page views.
 */
import type { ChosenSteps } from './booking.ts';
import type { AppContext } from './context.ts';
import type { Link } from './link-model.ts';

export type TakenReason = 'held' | 'booked';

export async function takenReason(
  ctx: AppContext,
  link: Link,
  chosen: ChosenSteps,
  holderKey: string,
): Promise<TakenReason> {
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
      if (reservation.holderKey !== holderKey) held = true;
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
    const mine = live.filter(
      (r) =>
        r.kind === 'hold' && r.linkId === link.id && r.holderKey === holderKey && r.startMs === choice.start,
    );
    if (mine.length === 0) return undefined;
    for (const r of mine) expiry = Math.min(expiry, r.expiresAt ?? now);
  }
  return Number.isFinite(expiry) ? expiry : undefined;
}
