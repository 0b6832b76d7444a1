/** One hold per link and "None of these times work" once per link (issue 12; migration 0004). */
import type { LinkGuardRepo, LinkHoldRecord } from '../../../../ports/store.ts';
import type { SqlExecutor } from '../executor.ts';
import { int, rowsOf, table, text } from './table.ts';

const HOLDS = table<LinkHoldRecord>('link_holds', {
  linkId: text,
  holderKey: text,
  optionKey: text,
  expiresAt: int,
});

export function linkGuardsRepo(db: SqlExecutor): LinkGuardRepo {
  const holds = rowsOf(db, HOLDS);
  return {
    async putHold(hold) {
      await db.run(HOLDS.upsert(['linkId'], ['holderKey', 'optionKey', 'expiresAt']), HOLDS.values(hold));
    },
    hold: (linkId) => holds.one('SELECT * FROM link_holds WHERE link_id = ?', [linkId]),
    async clearHold(linkId, holderKey) {
      await db.run('DELETE FROM link_holds WHERE link_id = ? AND holder_key = ?', [linkId, holderKey]);
    },
    async markNoTimesSuitable(linkId, at, notified) {
      const inserted = await db.run(
        'INSERT INTO link_no_times_suitable (link_id, at, notified) VALUES (?, ?, ?) ON CONFLICT (link_id) DO NOTHING',
        [linkId, at, notified ? 1 : 0],
      );
      return inserted > 0;
    },
    async noTimesSuitable(linkId) {
      const rows = await db.all<{ notified: unknown }>(
        'SELECT notified FROM link_no_times_suitable WHERE link_id = ?',
        [linkId],
      );
      return rows[0] === undefined ? undefined : { notified: Number(rows[0].notified) === 1 };
    },
  };
}
