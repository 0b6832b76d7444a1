/**
 * Holds and bookings. No participant is reserved twice at once: on SQLite (one writer) the check
 * before each insert is the whole guarantee; on PostgreSQL an exclusion constraint backs it.
 */
import type { ReservationRecord, ReservationRepo } from '../../../../ports/store.ts';
import { ReservationConflictError } from '../../../../ports/store.ts';
import { placeholders, type SqlExecutor } from '../executor.ts';
import { int, intOrNull, oneOf, rowsOf, table, text, textOrNull } from './table.ts';

const RESERVATIONS = table<ReservationRecord>('reservations', {
  id: text,
  linkId: text,
  accountId: text,
  startMs: int,
  endMs: int,
  kind: oneOf('booking|hold'),
  expiresAt: intOrNull,
  holderKey: textOrNull,
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

async function insertChecked(
  db: SqlExecutor,
  rows: readonly ReservationRecord[],
  now: number,
  replacingHolder: string | null,
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
}

export function reservationsRepo(db: SqlExecutor): ReservationRepo {
  const reservations = rowsOf(db, RESERVATIONS);
  return {
    async insertAll(rows, now, replacingHolder) {
      if (rows.length === 0) return;
      // A savepoint makes the batch all-or-nothing even when the caller catches the conflict and
      // goes on, and on PostgreSQL it keeps the surrounding transaction usable after a 23P01.
      await db.run(`SAVEPOINT ${SAVEPOINT}`);
      try {
        await insertChecked(db, rows, now, replacingHolder);
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
    liveIn: (accountIds, window, now) =>
      reservations.manyIn(
        accountIds,
        (list) => `SELECT * FROM reservations WHERE account_id IN (${list})
           AND end_ms > ? AND start_ms < ? AND (kind = 'booking' OR expires_at > ?)`,
        { after: [window.start, window.end, now] },
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
    byLink: (linkId) =>
      reservations.many(
        `SELECT * FROM reservations WHERE link_id = ? AND kind = 'booking' ORDER BY start_ms, account_id`,
        [linkId],
      ),
  };
}
