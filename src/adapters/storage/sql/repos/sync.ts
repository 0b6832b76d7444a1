/** Synced Google and Microsoft 365 calendars (SPEC 8c): sync state, the busy copy, written-event ids. */
import type { SyncedCalendarRecord, SyncRepo } from '../../../../ports/sync.ts';
import { placeholders, type SqlExecutor } from '../executor.ts';
import { int, intOrNull, oneOf, rowsOf, table, text, textOrNull } from './table.ts';

const SYNCED = table<SyncedCalendarRecord>('synced_calendars', {
  calendarId: text,
  profileId: text,
  provider: oneOf('google|office365'),
  remoteId: text,
  cursor: textOrNull,
  coveredStart: intOrNull,
  coveredEnd: intOrNull,
  syncedAt: intOrNull,
  dueAt: int,
  leaseUntil: int,
  failure: textOrNull,
  watchId: textOrNull,
  watchResourceId: textOrNull,
  watchSecretHash: textOrNull,
  watchExpiresAt: intOrNull,
});

/** Rows of one multi-row INSERT of busy copies (well under both drivers' parameter limits). */
const BUSY_INSERT_CHUNK = 200;

export function syncRepo(db: SqlExecutor): SyncRepo {
  const synced = rowsOf(db, SYNCED);
  return {
    insert: (record) => synced.insert(record),
    byCalendar: (calendarId) =>
      synced.one('SELECT * FROM synced_calendars WHERE calendar_id = ?', [calendarId]),
    byCalendars: (calendarIds) =>
      synced.manyIn(calendarIds, (list) => `SELECT * FROM synced_calendars WHERE calendar_id IN (${list})`),
    byProfile: (profileId) =>
      synced.many('SELECT * FROM synced_calendars WHERE profile_id = ? ORDER BY calendar_id', [profileId]),
    byWatch: (watchId) => synced.one('SELECT * FROM synced_calendars WHERE watch_id = ?', [watchId]),
    due: (now, renewBefore, limit) =>
      synced.many(
        `SELECT * FROM synced_calendars WHERE lease_until <= ? AND (due_at <= ? OR watch_expires_at < ?)
         ORDER BY due_at LIMIT ?`,
        [now, now, renewBefore, limit],
      ),
    async claim(calendarId, now, until) {
      const changed = await db.run(
        'UPDATE synced_calendars SET lease_until = ? WHERE calendar_id = ? AND lease_until <= ?',
        [until, calendarId, now],
      );
      return changed === 1;
    },
    async release(calendarId) {
      await db.run('UPDATE synced_calendars SET lease_until = 0 WHERE calendar_id = ?', [calendarId]);
    },
    async makeDue(calendarId, at) {
      await db.run('UPDATE synced_calendars SET due_at = ? WHERE calendar_id = ? AND due_at > ?', [
        at,
        calendarId,
        at,
      ]);
    },
    async applySync(write) {
      if (write.full) await db.run('DELETE FROM synced_busy WHERE calendar_id = ?', [write.calendarId]);
      if (write.removed.length > 0) {
        for (let i = 0; i < write.removed.length; i += BUSY_INSERT_CHUNK) {
          const keys = write.removed.slice(i, i + BUSY_INSERT_CHUNK);
          await db.run(
            `DELETE FROM synced_busy WHERE calendar_id = ? AND event_key IN (${placeholders(keys.length)})`,
            [write.calendarId, ...keys],
          );
        }
      }
      for (let i = 0; i < write.upserts.length; i += BUSY_INSERT_CHUNK) {
        const chunk = write.upserts.slice(i, i + BUSY_INSERT_CHUNK);
        await db.run(
          `INSERT INTO synced_busy (calendar_id, event_key, start_ms, end_ms) VALUES ${chunk
            .map(() => '(?, ?, ?, ?)')
            .join(', ')}
           ON CONFLICT (calendar_id, event_key) DO UPDATE SET start_ms = excluded.start_ms, end_ms = excluded.end_ms`,
          chunk.flatMap((u) => [write.calendarId, u.key, u.busy.start, u.busy.end]),
        );
      }
      await db.run(
        `UPDATE synced_calendars SET cursor = ?, covered_start = ?, covered_end = ?, synced_at = ?,
           due_at = ?, lease_until = 0, failure = NULL WHERE calendar_id = ?`,
        [
          write.cursor,
          write.covered.start,
          write.covered.end,
          write.syncedAt,
          write.nextDueAt,
          write.calendarId,
        ],
      );
    },
    async recordFailure(calendarId, reason, nextDueAt) {
      await db.run(
        'UPDATE synced_calendars SET failure = ?, due_at = ?, lease_until = 0 WHERE calendar_id = ?',
        [reason, nextDueAt, calendarId],
      );
    },
    async resetCopy(calendarId) {
      await db.run('DELETE FROM synced_busy WHERE calendar_id = ?', [calendarId]);
      await db.run('UPDATE synced_calendars SET cursor = NULL WHERE calendar_id = ?', [calendarId]);
    },
    async setWatch(calendarId, watch) {
      await db.run(
        `UPDATE synced_calendars SET watch_id = ?, watch_resource_id = ?, watch_secret_hash = ?,
           watch_expires_at = ? WHERE calendar_id = ?`,
        [
          watch?.id ?? null,
          watch?.resourceId ?? null,
          watch?.secretHash ?? null,
          watch?.expiresAt ?? null,
          calendarId,
        ],
      );
    },
    async busyIn(calendarIds, window) {
      if (calendarIds.length === 0) return [];
      const rows = await db.all<{ calendar_id: string; start_ms: number | string; end_ms: number | string }>(
        `SELECT calendar_id, start_ms, end_ms FROM synced_busy
         WHERE calendar_id IN (${placeholders(calendarIds.length)}) AND end_ms > ? AND start_ms < ?
         ORDER BY start_ms`,
        [...calendarIds, window.start, window.end],
      );
      return rows.map((row) => ({
        calendarId: row.calendar_id,
        busy: { start: Number(row.start_ms), end: Number(row.end_ms) },
      }));
    },
    async forgetProfile(profileId) {
      const where = 'calendar_id IN (SELECT calendar_id FROM synced_calendars WHERE profile_id = ?)';
      await db.run(`DELETE FROM synced_busy WHERE ${where}`, [profileId]);
      await db.run(`DELETE FROM provider_events WHERE ${where}`, [profileId]);
      await db.run('DELETE FROM synced_calendars WHERE profile_id = ?', [profileId]);
    },
    async remoteEventId(calendarId, eventUid) {
      const [row] = await db.all<{ remote_id: string }>(
        'SELECT remote_id FROM provider_events WHERE calendar_id = ? AND event_uid = ?',
        [calendarId, eventUid],
      );
      return row?.remote_id;
    },
    async setRemoteEventId(calendarId, eventUid, remoteId) {
      if (remoteId === null) {
        await db.run('DELETE FROM provider_events WHERE calendar_id = ? AND event_uid = ?', [
          calendarId,
          eventUid,
        ]);
        return;
      }
      await db.run(
        `INSERT INTO provider_events (calendar_id, event_uid, remote_id) VALUES (?, ?, ?)
         ON CONFLICT (calendar_id, event_uid) DO UPDATE SET remote_id = excluded.remote_id`,
        [calendarId, eventUid, remoteId],
      );
    },
  };
}
