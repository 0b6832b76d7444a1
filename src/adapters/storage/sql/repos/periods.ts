/** Available periods of accounts (managed availability). */
import type { AvailablePeriodRecord, AvailablePeriodRepo } from '../../../../ports/store.ts';
import { placeholders, type SqlExecutor, type SqlValue } from '../executor.ts';
import { int, rowsOf, table, text } from './table.ts';

const PERIODS = table<AvailablePeriodRecord>('available_periods', {
  accountId: text,
  periodId: text,
  startMs: int,
  endMs: int,
});

const UPSERT = PERIODS.upsert(['accountId', 'periodId'], ['startMs', 'endMs']);

export function periodsRepo(db: SqlExecutor): AvailablePeriodRepo {
  const periods = rowsOf(db, PERIODS);
  return {
    async upsert(record) {
      await db.run(UPSERT, PERIODS.values(record));
    },
    async delete(accountId, periodId) {
      const sql = 'DELETE FROM available_periods WHERE account_id = ? AND period_id = ?';
      return (await db.run(sql, [accountId, periodId])) > 0;
    },
    deleteAll: (accountId) => db.run('DELETE FROM available_periods WHERE account_id = ?', [accountId]),
    async page(accountId, window, offset, limit) {
      const where = window === null ? 'account_id = ?' : 'account_id = ? AND end_ms > ? AND start_ms < ?';
      const params: SqlValue[] = window === null ? [accountId] : [accountId, window.start, window.end];
      const total = await periods.count(`SELECT COUNT(*) AS n FROM available_periods WHERE ${where}`, params);
      const items = await periods.many(
        `SELECT * FROM available_periods WHERE ${where} ORDER BY start_ms, period_id LIMIT ? OFFSET ?`,
        [...params, limit, offset],
      );
      return { items, total };
    },
    byAccounts: (accountIds, window) =>
      periods.manyIn(
        accountIds,
        (list) =>
          `SELECT * FROM available_periods WHERE account_id IN (${list}) AND end_ms > ? AND start_ms < ?`,
        { after: [window.start, window.end] },
      ),
    async accountsWithAny(accountIds) {
      if (accountIds.length === 0) return [];
      const rows = await db.all<{ account_id: unknown }>(
        `SELECT DISTINCT account_id FROM available_periods WHERE account_id IN (${placeholders(accountIds.length)})`,
        accountIds,
      );
      return rows.map((row) => String(row.account_id));
    },
  };
}
