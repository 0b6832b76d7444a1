/** The outbox of callbacks and CalDAV writes, and the record of each delivery attempt. */
import type { DeliveryAttemptRecord, OutboxRecord, OutboxRepo } from '../../../../ports/store.ts';
import { placeholders, type SqlExecutor, type SqlValue } from '../executor.ts';
import { int, intOrNull, oneOf, rowsOf, table, text, textOrNull } from './table.ts';

const OUTBOX = table<OutboxRecord>('outbox', {
  id: text,
  deliveryId: text,
  applicationId: text,
  kind: oneOf('callback|caldav_write'),
  target: text,
  payload: text,
  status: oneOf('pending|delivered|failed'),
  attempts: int,
  nextAttemptAt: int,
  leaseUntil: intOrNull,
  leaseOwner: textOrNull,
  lastError: textOrNull,
  createdAt: int,
  finishedAt: intOrNull,
});

const ATTEMPTS = table<DeliveryAttemptRecord>('delivery_attempts', {
  outboxId: text,
  attempt: int,
  at: int,
  statusCode: intOrNull,
  error: textOrNull,
  durationMs: int,
});

export function outboxRepo(db: SqlExecutor): OutboxRepo {
  const { insert, one, many } = rowsOf(db, OUTBOX);
  const attempts = rowsOf(db, ATTEMPTS);
  return {
    insert,
    byId: (id) => one('SELECT * FROM outbox WHERE id = ?', [id]),
    async claimDue(owner, now, leaseUntil, limit) {
      const due = `SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= ?
                     AND (lease_until IS NULL OR lease_until <= ?) ORDER BY next_attempt_at, id LIMIT ?`;
      // PostgreSQL: SKIP LOCKED lets N processes claim disjoint rows without waiting on each other.
      // SQLite: one writer at a time, so the plain sub-select inside the write transaction suffices.
      const lock = db.dialect === 'postgres' ? ' FOR UPDATE SKIP LOCKED' : '';
      return many(
        `UPDATE outbox SET lease_owner = ?, lease_until = ? WHERE id IN (${due}${lock}) RETURNING *`,
        [owner, leaseUntil, now, now, limit],
      );
    },
    async finishAttempt(id, owner, result) {
      const changed = await db.run(
        `UPDATE outbox SET status = ?, attempts = attempts + 1, next_attempt_at = ?, last_error = ?, finished_at = ?,
           lease_owner = NULL, lease_until = NULL WHERE id = ? AND lease_owner = ?`,
        [result.status, result.nextAttemptAt, result.lastError, result.finishedAt, id, owner],
      );
      if (changed === 0) return false;
      await attempts.insert(result.attempt);
      return true;
    },
    async release(id, owner) {
      await db.run(
        'UPDATE outbox SET lease_owner = NULL, lease_until = NULL WHERE id = ? AND lease_owner = ?',
        [id, owner],
      );
    },
    async list(filter) {
      const where: string[] = [];
      const params: SqlValue[] = [];
      if (filter.applicationId !== undefined) {
        where.push('application_id = ?');
        params.push(filter.applicationId);
      }
      if (filter.status !== undefined) {
        where.push('status = ?');
        params.push(filter.status);
      }
      const clause = where.length === 0 ? '' : `WHERE ${where.join(' AND ')}`;
      return many(`SELECT * FROM outbox ${clause} ORDER BY created_at, id LIMIT ?`, [
        ...params,
        filter.limit,
      ]);
    },
    attempts: (id) =>
      attempts.many('SELECT * FROM delivery_attempts WHERE outbox_id = ? ORDER BY attempt', [id]),
    async replay(id, now, applicationId) {
      const scoped = applicationId === undefined ? '' : ' AND application_id = ?';
      const params: SqlValue[] = ['pending', now, id];
      if (applicationId !== undefined) params.push(applicationId);
      const changed = await db.run(
        `UPDATE outbox SET status = ?, next_attempt_at = ?, finished_at = NULL WHERE id = ? AND status <> 'delivered'${scoped}`,
        params,
      );
      return changed > 0;
    },
    async pruneDeliveredBefore(before, limit) {
      const ids = (
        await db.all<{ id: string }>(
          `SELECT id FROM outbox WHERE status = 'delivered' AND finished_at < ? ORDER BY finished_at LIMIT ?`,
          [before, limit],
        )
      ).map((row) => row.id);
      if (ids.length === 0) return 0;
      await db.run(`DELETE FROM delivery_attempts WHERE outbox_id IN (${placeholders(ids.length)})`, ids);
      return db.run(
        `DELETE FROM outbox WHERE id IN (${placeholders(ids.length)}) AND status = 'delivered'`,
        ids,
      );
    },
    async backlog() {
      const [row] = await db.all<{ n: unknown; oldest: unknown }>(
        "SELECT COUNT(*) AS n, MIN(created_at) AS oldest FROM outbox WHERE status = 'pending'",
        [],
      );
      const oldest = row?.oldest;
      return {
        pending: Number(row?.n ?? 0),
        oldestCreatedAt: oldest === null || oldest === undefined ? null : Number(oldest),
      };
    },
  };
}
