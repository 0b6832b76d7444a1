/** Weekly availability rules of accounts. */
import type { AvailabilityRuleRecord, AvailabilityRuleRepo } from '../../../../ports/store.ts';
import type { SqlExecutor } from '../executor.ts';
import { json, jsonOrNull, rowsOf, table, text } from './table.ts';

const RULES = table<AvailabilityRuleRecord>('availability_rules', {
  accountId: text,
  ruleId: text,
  tzid: text,
  calendarIds: jsonOrNull(),
  weeklyPeriods: json(),
});

const UPSERT = RULES.upsert(['accountId', 'ruleId'], ['tzid', 'calendarIds', 'weeklyPeriods']);

export function rulesRepo(db: SqlExecutor): AvailabilityRuleRepo {
  const rules = rowsOf(db, RULES);
  return {
    async upsert(record) {
      await db.run(UPSERT, RULES.values(record));
    },
    byId: (accountId, ruleId) =>
      rules.one('SELECT * FROM availability_rules WHERE account_id = ? AND rule_id = ?', [accountId, ruleId]),
    byAccount: (accountId) =>
      rules.many('SELECT * FROM availability_rules WHERE account_id = ? ORDER BY rule_id', [accountId]),
    byAccounts: (accountIds) =>
      rules.manyIn(
        accountIds,
        (list) =>
          `SELECT * FROM availability_rules WHERE account_id IN (${list}) ORDER BY account_id, rule_id`,
      ),
    async delete(accountId, ruleId) {
      const sql = 'DELETE FROM availability_rules WHERE account_id = ? AND rule_id = ?';
      return (await db.run(sql, [accountId, ruleId])) > 0;
    },
  };
}
