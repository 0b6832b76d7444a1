/** Push notification channels and their pending changes (SPEC 8d, migration 0010). */
import type { ChannelFilters, ChannelRecord, ChannelRepo } from '../../../../ports/channels.ts';
import { placeholders, type SqlExecutor } from '../executor.ts';
import { int, intOrNull, json, rowsOf, table, text } from './table.ts';

const CHANNELS = table<ChannelRecord>('channels', {
  id: text,
  applicationId: text,
  accountId: text,
  callbackUrl: text,
  filters: json<ChannelFilters>(),
  createdAt: int,
  lastNotifiedAt: intOrNull,
});

/** The earlier of the stored and the new change time (portable: no LEAST/MIN(a, b) difference). */
const KEEP_EARLIEST = `ON CONFLICT (channel_id) DO UPDATE SET changes_since = CASE
  WHEN excluded.changes_since < channel_changes.changes_since THEN excluded.changes_since
  ELSE channel_changes.changes_since END`;

/**
 * Records a change at `at` to events of these calendars for every channel that watches one of them.
 * Shared by the channels repository and the events repository (which calls it on every write).
 */
export async function recordChannelChanges(
  db: SqlExecutor,
  calendarIds: readonly string[],
  at: number,
  managed: boolean,
): Promise<void> {
  if (calendarIds.length === 0) return;
  // Channel ids in order, so two transactions lock their pending rows in the same order.
  await db.run(
    `INSERT INTO channel_changes (channel_id, changes_since)
       SELECT DISTINCT ch.id, CAST(? AS BIGINT) FROM channels ch JOIN calendars ca ON ca.account_id = ch.account_id
        WHERE ca.id IN (${placeholders(calendarIds.length)})
          ${managed ? '' : 'AND ch.only_managed = 0'}
          AND (ch.calendar_filtered = 0 OR EXISTS (SELECT 1 FROM channel_calendars cc
                 WHERE cc.channel_id = ch.id AND cc.calendar_id = ca.id))
        ORDER BY ch.id
     ${KEEP_EARLIEST}`,
    [at, ...calendarIds],
  );
}

export function channelsRepo(db: SqlExecutor): ChannelRepo {
  const { one, many, manyIn } = rowsOf(db, CHANNELS);
  return {
    async insertWithin(channel, max) {
      // PostgreSQL: the account row's lock queues concurrent creates, so the count below is exact.
      // SQLite: one writer at a time already.
      if (db.dialect === 'postgres') {
        await db.all('SELECT id FROM accounts WHERE id = ? FOR UPDATE', [channel.accountId]);
      }
      const rows = await db.all<{ n: unknown }>('SELECT COUNT(*) AS n FROM channels WHERE account_id = ?', [
        channel.accountId,
      ]);
      if (Number(rows[0]?.n ?? 0) >= max) return false;
      const calendarIds = channel.filters.calendar_ids;
      await db.run(
        `INSERT INTO channels (id, application_id, account_id, callback_url, calendar_filtered, only_managed,
           filters, created_at, last_notified_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          channel.id,
          channel.applicationId,
          channel.accountId,
          channel.callbackUrl,
          calendarIds === undefined ? 0 : 1,
          channel.filters.only_managed === true ? 1 : 0,
          JSON.stringify(channel.filters),
          channel.createdAt,
          channel.lastNotifiedAt,
        ],
      );
      for (const calendarId of new Set(calendarIds ?? [])) {
        await db.run('INSERT INTO channel_calendars (channel_id, calendar_id) VALUES (?, ?)', [
          channel.id,
          calendarId,
        ]);
      }
      return true;
    },
    byId: (id) => one('SELECT * FROM channels WHERE id = ?', [id]),
    byAccount: (accountId) =>
      many('SELECT * FROM channels WHERE account_id = ? ORDER BY created_at, id', [accountId]),
    async delete(id) {
      await db.run('DELETE FROM channel_changes WHERE channel_id = ?', [id]);
      await db.run('DELETE FROM channel_calendars WHERE channel_id = ?', [id]);
      return (await db.run('DELETE FROM channels WHERE id = ?', [id])) > 0;
    },
    noteChanges: (calendarIds, at, managed) => recordChannelChanges(db, calendarIds, at, managed),
    async takeDue(now, notifiedBefore, limit) {
      // PostgreSQL: SKIP LOCKED lets several processes take disjoint changes without waiting.
      const lock = db.dialect === 'postgres' ? ' FOR UPDATE OF cc SKIP LOCKED' : '';
      const due = await db.all<{ channel_id: unknown; changes_since: unknown }>(
        `SELECT cc.channel_id, cc.changes_since FROM channel_changes cc JOIN channels ch ON ch.id = cc.channel_id
          WHERE cc.changes_since <= ? AND (ch.last_notified_at IS NULL OR ch.last_notified_at <= ?)
          ORDER BY cc.changes_since, cc.channel_id LIMIT ?${lock}`,
        [now, notifiedBefore, limit],
      );
      if (due.length === 0) return [];
      const ids = due.map((row) => String(row.channel_id));
      const list = placeholders(ids.length);
      await db.run(`DELETE FROM channel_changes WHERE channel_id IN (${list})`, ids);
      await db.run(`UPDATE channels SET last_notified_at = ? WHERE id IN (${list})`, [now, ...ids]);
      const channels = new Map(
        (await manyIn(ids, (l) => `SELECT * FROM channels WHERE id IN (${l})`)).map((c) => [c.id, c]),
      );
      return due.flatMap((row) => {
        const channel = channels.get(String(row.channel_id));
        return channel === undefined ? [] : [{ channel, changesSince: Number(row.changes_since) }];
      });
    },
  };
}
