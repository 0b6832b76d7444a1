/**
 * Holds and bookings. No participant is reserved twice at once: on SQLite (one writer) the check
 * before each insert is the whole guarantee; on PostgreSQL an exclusion constraint backs it.
 */
import { constraintPeriodAt, countsFor } from '../../../../domain/engine/constraints.ts';
import type { Interval } from '../../../../domain/time/intervals.ts';
import type { LoadLimit } from '../../../../ports/load-limits.ts';
import type { ReservationRecord, ReservationRepo } from '../../../../ports/store.ts';
import { ReservationConflictError } from '../../../../ports/store.ts';
import { placeholders, type SqlExecutor } from '../executor.ts';
import { int, intOrNull, oneOf, type Row, rowsOf, table, text, textOrNull } from './table.ts';
import { tagValues } from './tags.ts';

const RESERVATIONS = table<ReservationRecord>('reservations', {
  id: text,
  linkId: text,
  accountId: text,
  startMs: int,
  endMs: int,
  kind: oneOf('booking|hold'),
  expiresAt: intOrNull,
  holderKey: textOrNull,
  tags: tagValues,
});

const SAVEPOINT = 'reservations_insert';
/** First key of the PostgreSQL advisory locks that queue writers of one participant ("rtsq"). */
const RESERVATION_LOCK_SPACE = 0x72747371;

/** PostgreSQL's answer when migrations/postgres' `reservations_no_overlap` refuses a row (SQLSTATE 23P01). */
function isOverlapViolation(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, constraint } = error as { code?: unknown; constraint?: unknown };
  return code === '23P01' && constraint === 'reservations_no_overlap';
}

/**
 * Availability constraints (SPEC 5.1), checked after the batch's rows are in and while this
 * transaction is the only writer of their accounts (SQLite's one writer; PostgreSQL's advisory
 * locks above, held until commit): for each limit and each period in which one of its slots
 * starts, the counted events plus other links' live reservations starting there plus those slots
 * must stay within the limit. Every booking and hold of the account passes here, so of two that
 * together exceed a limit the second sees the first (docs/decisions/0006).
 */
async function checkLimits(db: SqlExecutor, limits: readonly LoadLimit[], now: number): Promise<void> {
  for (const limit of limits) {
    const { constraint } = limit;
    const periods = new Map<number, Interval>();
    for (const slot of limit.slots) {
      const period = constraintPeriodAt(constraint.period, constraint.tzid, slot.startMs);
      periods.set(period.start, period);
    }
    for (const period of periods.values()) {
      const reserved = await db.all<Row>(
        `SELECT tags FROM reservations WHERE account_id = ? AND start_ms >= ? AND start_ms < ?
           AND (kind = 'booking' OR expires_at > ?) AND link_id <> ?`,
        [limit.accountId, period.start, period.end, now, limit.linkId],
      );
      const events =
        limit.calendarIds.length === 0
          ? []
          : await db.all<Row>(
              `SELECT tags FROM events WHERE calendar_id IN (${placeholders(limit.calendarIds.length)})
                 AND start_ms >= ? AND start_ms < ? AND deleted = 0 AND status <> 'cancelled' AND link_id IS NULL`,
              [...limit.calendarIds, period.start, period.end],
            );
      let counted = 0;
      for (const row of [...reserved, ...events]) {
        if (countsFor(constraint, tagValues.read(row.tags) ?? [])) counted++;
      }
      for (const slot of limit.slots) {
        if (slot.startMs >= period.start && slot.startMs < period.end && countsFor(constraint, slot.tags))
          counted++;
      }
      if (counted > constraint.limit) {
        throw new ReservationConflictError(`account ${limit.accountId} is at its ${constraint.period} limit`);
      }
    }
  }
}

async function insertChecked(
  db: SqlExecutor,
  rows: readonly ReservationRecord[],
  now: number,
  replacingHolder: string | null,
  limits: readonly LoadLimit[],
): Promise<void> {
  const accountIds = [...new Set(rows.map((r) => r.accountId))].sort();
  if (db.dialect === 'postgres') {
    // Queue writers of the same participant, in one global order, until commit. Without this,
    // two transactions inserting overlapping rows at once each find the other's uncommitted row
    // in the exclusion index and wait for each other: a deadlock PostgreSQL breaks only after
    // deadlock_timeout, and under a burst the retries collide again. With it, the check below
    // sees the previous writer's committed row; the constraint remains the guarantee.
    for (const accountId of accountIds) {
      await db.all('SELECT pg_advisory_xact_lock(?, hashtext(?))', [RESERVATION_LOCK_SPACE, accountId]);
    }
  }
  // Expired holds and the holder's own holds never conflict: remove them first so the
  // PostgreSQL exclusion constraint (which cannot see the clock) agrees with this check.
  await db.run(
    `DELETE FROM reservations WHERE account_id IN (${placeholders(accountIds.length)}) AND kind = 'hold' AND expires_at <= ?`,
    [...accountIds, now],
  );
  if (replacingHolder !== null) {
    await db.run(`DELETE FROM reservations WHERE kind = 'hold' AND holder_key = ?`, [replacingHolder]);
  }
  // Account, then start: inserts follow the same global order as the locks above.
  const ordered = [...rows].sort((a, b) =>
    a.accountId < b.accountId ? -1 : a.accountId > b.accountId ? 1 : a.startMs - b.startMs,
  );
  for (const r of ordered) {
    // On SQLite (one writer) this check is the whole guarantee. On PostgreSQL the exclusion
    // constraint also refuses any row that slips past it (raised as 23P01, mapped by insertAll).
    const clash = await db.all(
      `SELECT id FROM reservations WHERE account_id = ? AND start_ms < ? AND end_ms > ? LIMIT 1`,
      [r.accountId, r.endMs, r.startMs],
    );
    if (clash.length > 0) throw new ReservationConflictError(`account ${r.accountId} is already reserved`);
    await db.run(RESERVATIONS.insert, RESERVATIONS.values(r));
  }
  if (limits.length > 0) await checkLimits(db, limits, now);
}

/** Records without tags read back as they were written: without the field. */
function withoutEmptyTags(records: ReservationRecord[]): ReservationRecord[] {
  return records.map((record) => {
    if (record.tags !== null && record.tags !== undefined) return record;
    const { tags: _tags, ...rest } = record;
    return rest;
  });
}

export function reservationsRepo(db: SqlExecutor): ReservationRepo {
  const reservations = rowsOf(db, RESERVATIONS);
  return {
    async insertAll(rows, now, replacingHolder, limits = []) {
      if (rows.length === 0) return;
      // A savepoint makes the batch all-or-nothing even when the caller catches the conflict and
      // goes on, and on PostgreSQL it keeps the surrounding transaction usable after a 23P01.
      await db.run(`SAVEPOINT ${SAVEPOINT}`);
      try {
        await insertChecked(db, rows, now, replacingHolder, limits);
      } catch (error) {
        try {
          await db.run(`ROLLBACK TO SAVEPOINT ${SAVEPOINT}`);
          await db.run(`RELEASE SAVEPOINT ${SAVEPOINT}`);
        } catch {
          // The connection failed: the original error says more, and the transaction is lost anyway.
        }
        if (isOverlapViolation(error)) {
          throw new ReservationConflictError('a participant is already reserved at that time', {
            cause: error,
          });
        }
        throw error;
      }
      await db.run(`RELEASE SAVEPOINT ${SAVEPOINT}`);
    },
    liveIn: async (accountIds, window, now) =>
      withoutEmptyTags(
        await reservations.manyIn(
          accountIds,
          // `+start_ms` keeps planners on (account_id, end_ms): a member's past bookings all start
          // before the window, so the start index would read every one of them (SQLite: 3 ms
          // instead of 0.1 ms for 10 members with 100 past bookings each; issue 28).
          (list) => `SELECT * FROM reservations WHERE account_id IN (${list})
           AND end_ms > ? AND +start_ms < ? AND (kind = 'booking' OR expires_at > ?)`,
          { after: [window.start, window.end, now] },
        ),
      ),
    async releaseLink(linkId, kinds) {
      if (kinds.length === 0) return;
      await db.run(`DELETE FROM reservations WHERE link_id = ? AND kind IN (${placeholders(kinds.length)})`, [
        linkId,
        ...kinds,
      ]);
    },
    async releaseHolds(linkId, holderKey) {
      await db.run(`DELETE FROM reservations WHERE link_id = ? AND kind = 'hold' AND holder_key = ?`, [
        linkId,
        holderKey,
      ]);
    },
    async pruneEndedBefore(before, limit) {
      return db.run(
        'DELETE FROM reservations WHERE id IN (SELECT id FROM reservations WHERE end_ms < ? ORDER BY end_ms LIMIT ?)',
        [before, limit],
      );
    },
    byLink: async (linkId) =>
      withoutEmptyTags(
        await reservations.many(
          `SELECT * FROM reservations WHERE link_id = ? AND kind = 'booking' ORDER BY start_ms, account_id`,
          [linkId],
        ),
      ),
  };
}
