/** What availability constraints (SPEC 5.1) need of the store. */
import type { AvailabilityConstraint } from '../domain/engine/constraints.ts';

/**
 * One member's availability constraint as a booking must respect it (SPEC 5.1). After its rows are
 * in, `ReservationRepo.insertAll` counts, for each period of the constraint in which one of the
 * account's new rows starts, the account's counted events and live reservations starting there
 * (the new rows included), under the same per-account serialisation as the overlap check, and
 * throws ReservationConflictError when the count exceeds the limit
 * (docs/decisions/0006-availability-constraints.md).
 */
export type LoadLimit = {
  readonly accountId: string;
  readonly constraint: AvailabilityConstraint;
  /** The member's calendars whose events count (its `calendar_ids`, else all of the account's). */
  readonly calendarIds: readonly string[];
};

/** An event or reservation as availability constraints count it (SPEC 5.1). */
export type CountedEventRow = {
  readonly calendarId: string;
  readonly startMs: number;
  readonly tags: readonly string[];
};
