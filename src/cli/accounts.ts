/** `rtseq accounts list`: the accounts of every application (or one), with their calendars. */
import type { Config } from '../config/config.ts';
import { DomainError } from '../domain/errors.ts';
import { formatUtc } from '../domain/time/format.ts';
import type { Args } from './args.ts';
import { withContext } from './context.ts';

export async function runAccountCommand(
  config: Config,
  args: Args,
  out: (text: string) => void,
): Promise<boolean> {
  if (args.sub !== 'list') return false;
  const clientId = args.optional('client-id');
  const accounts = await withContext(
    config,
    async (ctx) => {
      const all = await ctx.store.read((repos) => repos.applications.list());
      const applications = clientId === undefined ? all : all.filter((a) => a.clientId === clientId);
      if (clientId !== undefined && applications.length === 0)
        throw new DomainError('not_found', `No application ${clientId}`);
      const rows = [];
      for (const application of applications) {
        const accounts = await ctx.store.read((repos) => repos.accounts.listByApplication(application.id));
        const calendars = await ctx.store.read((repos) =>
          repos.calendars.byAccounts(accounts.map((a) => a.id)),
        );
        for (const account of accounts)
          rows.push({
            client_id: application.clientId,
            sub: account.id,
            name: account.name,
            created: formatUtc(account.createdAt),
            calendars: calendars
              .filter((c) => c.accountId === account.id)
              .map((c) => ({ calendar_id: c.id, name: c.name, kind: c.kind })),
          });
      }
      return rows;
    },
    { access: 'read' },
  );
  if (args.json) out(JSON.stringify({ accounts }));
  else {
    for (const a of accounts)
      out(
        `${a.sub}  ${a.client_id}  ${a.created}  ${a.name}  calendars: ${a.calendars.map((c) => c.calendar_id).join(', ')}`,
      );
    if (accounts.length === 0) out('No accounts.');
  }
  return true;
}
