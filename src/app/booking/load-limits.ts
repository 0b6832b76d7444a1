/**
 * The availability constraints a booking or hold must respect (SPEC 5.1), as the store checks them
 * while it inserts the reservations (docs/decisions/0006-availability-constraints.md).
 */
import { type AccountRule, memberCalendarIds } from '../../domain/engine/members.ts';
import type { LoadLimit } from '../../ports/load-limits.ts';
import type { Repos } from '../../ports/store.ts';
import type { BookedOption, LinkRequest } from '../links/link-model.ts';

/**
 * One limit per constraint of each selected participant's listing in each step it takes part in
 * (the first listing in listed order, the one selection used), with the calendars whose events
 * count for that listing. Listings with the same constraints and calendars give one limit.
 */
export async function loadLimitsFor(
  repos: Repos,
  request: LinkRequest,
  option: BookedOption,
): Promise<LoadLimit[]> {
  const limits = new Map<string, LoadLimit>();
  const calendarsOf = new Map<string, readonly string[]>();
  const rulesOf = new Map<string, readonly AccountRule[]>();
  for (const step of option.steps) {
    const groups = request.sequence.steps[step.index]?.groups ?? [];
    for (const sub of step.participants) {
      const listing = groups.flatMap((group) => group.members).find((member) => member.sub === sub);
      const constraints = listing?.availabilityConstraints;
      if (listing === undefined || constraints === undefined || constraints.length === 0) continue;
      let calendars = calendarsOf.get(sub);
      if (calendars === undefined) {
        calendars = (await repos.calendars.byAccounts([sub])).filter((c) => !c.deleted).map((c) => c.id);
        calendarsOf.set(sub, calendars);
      }
      let rules = rulesOf.get(sub);
      if (rules === undefined) {
        rules = listing.managedAvailability ? await repos.rules.byAccounts([sub]) : [];
        rulesOf.set(sub, rules);
      }
      const calendarIds = memberCalendarIds(listing, calendars, rules);
      for (const constraint of constraints) {
        const key = JSON.stringify([sub, constraint, calendarIds]);
        if (!limits.has(key)) limits.set(key, { accountId: sub, constraint, calendarIds });
      }
    }
  }
  return [...limits.values()];
}
