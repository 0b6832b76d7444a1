/** Real-time scheduling and sequencing links. */
import type { LinkRecord, LinkRepo } from '../../../../ports/store.ts';
import { placeholders, type SqlExecutor, type SqlValue } from '../executor.ts';
import {
  counter,
  int,
  intOrNull,
  json,
  jsonOrNull,
  oneOf,
  rowsOf,
  table,
  text,
  textOrNull,
} from './table.ts';

const LINKS = table<LinkRecord>('links', {
  id: text,
  applicationId: text,
  kind: oneOf('sequencing|scheduling'),
  tokenHash: text,
  tokenSealed: text,
  status: oneOf('open|completed|disabled|rescheduling|cancelled'),
  request: json(),
  createdAt: int,
  expiresAt: int,
  completedAt: intOrNull,
  booked: jsonOrNull(),
  displayMessage: textOrNull,
  rescheduleSteps: jsonOrNull(),
  cancelledAt: intOrNull,
  cancelReason: textOrNull,
  version: counter,
  rescheduleBy: {
    read: (v) => (v === 'application' || v === 'invitee' ? v : null),
    write: (v) => v,
  },
});

export function linksRepo(db: SqlExecutor): LinkRepo {
  const links = rowsOf(db, LINKS);
  return {
    insert: links.insert,
    byId: (applicationId, id) =>
      links.one('SELECT * FROM links WHERE application_id = ? AND id = ?', [applicationId, id]),
    byTokenHash: (hash) => links.one('SELECT * FROM links WHERE token_hash = ?', [hash]),
    list(filter) {
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
      return links.many(`SELECT * FROM links ${clause} ORDER BY created_at DESC, id DESC LIMIT ?`, [
        ...params,
        filter.limit,
      ]);
    },
    lockById: (id) =>
      links.one(`SELECT * FROM links WHERE id = ?${db.dialect === 'postgres' ? ' FOR UPDATE' : ''}`, [id]),
    async transition(id, change) {
      if (change.from.length === 0) return false;
      const sets = ['status = ?', 'version = version + 1', 'reschedule_by = ?'];
      const values: SqlValue[] = [
        change.status,
        change.status === 'rescheduling' ? (change.rescheduleBy ?? 'application') : null,
      ];
      if (change.booked !== undefined) {
        sets.push('booked = ?', 'completed_at = ?');
        values.push(JSON.stringify(change.booked), change.at);
      }
      if (change.rescheduleSteps !== undefined) {
        sets.push('reschedule_steps = ?');
        values.push(change.rescheduleSteps === null ? null : JSON.stringify(change.rescheduleSteps));
      }
      if (change.displayMessage !== undefined) {
        sets.push('display_message = ?');
        values.push(change.displayMessage);
      }
      if (change.status === 'cancelled') {
        sets.push('cancelled_at = ?', 'cancel_reason = ?');
        values.push(change.at, change.cancelReason ?? null);
      }
      const versioned = change.version === undefined ? '' : ' AND version = ?';
      const changed = await db.run(
        `UPDATE links SET ${sets.join(', ')} WHERE id = ? AND status IN (${placeholders(change.from.length)})${versioned}`,
        [...values, id, ...change.from, ...(change.version === undefined ? [] : [change.version])],
      );
      return changed > 0;
    },
  };
}
