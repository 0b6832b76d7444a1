/**
 * `rtseq calendars connect-caldav|connect-ics|list`: the use cases of `POST /v1/external_calendars/*`
 * and `GET /v1/external_calendars` (the source status).
 */
import {
  type ConnectedAccount,
  connectCaldavAccount,
  connectIcsFeed,
} from '../app/calendars/external-accounts.ts';
import { type ExternalCalendarStatus, listExternalCalendars } from '../app/calendars/source-status.ts';
import type { Config } from '../config/config.ts';
import { DomainError } from '../domain/errors.ts';
import { formatUtc } from '../domain/time/format.ts';
import { externalCalendarStatusToWire } from '../http/wire/external-calendars.ts';
import { type Args, UsageError } from './args.ts';
import { withContext } from './context.ts';

/** Where CLI problems are reported: the flags, not the wire names. */
const CLI_PATHS = {
  serverUrl: '--url',
  username: '--username',
  password: '--password',
  url: '--url',
  sub: '--sub',
  applicationCalendarId: '--application-calendar-id',
};

/**
 * Same use cases as `POST /v1/external_calendars/*`. With --json prints the tokens and calendars
 * in the API's field names (not the whole API body: no linking_profile, fewer calendar fields).
 */
export async function runCalendarCommand(
  config: Config,
  args: Args,
  out: (text: string) => void,
): Promise<boolean> {
  const sub = args.sub;
  if (sub === 'list') {
    await listCalendars(config, args, out);
    return true;
  }
  if (sub !== 'connect-caldav' && sub !== 'connect-ics') return false;
  const clientId = args.required('client-id');
  const url = args.required('url');
  const name = args.optional('name')?.trim() || null;
  const choice = { sub: null, applicationCalendarId: null, name, tzid: null };
  const result = await withContext(config, async (ctx): Promise<ConnectedAccount> => {
    const application = await ctx.store.read((repos) => repos.applications.byClientId(clientId));
    if (application === undefined) throw new UsageError(`No application with client_id ${clientId}`);
    try {
      return sub === 'connect-caldav'
        ? await connectCaldavAccount(
            ctx,
            application,
            {
              ...choice,
              serverUrl: url,
              username: args.required('username'),
              password: args.required('password', process.env.RTSEQ_CALDAV_PASSWORD),
            },
            CLI_PATHS,
          )
        : await connectIcsFeed(ctx, application, { ...choice, url }, CLI_PATHS);
    } catch (error) {
      // The generic "request is invalid" says nothing; the problems say what to fix.
      if (error instanceof DomainError && error.problems.length > 0)
        throw new UsageError(error.problems.map((p) => `${p.path}: ${p.description}`).join('\n'));
      throw error;
    }
  });
  if (args.json) {
    out(
      JSON.stringify({
        sub: result.account.id,
        access_token: result.accessToken,
        refresh_token: result.refreshToken,
        token_type: 'bearer',
        calendars: result.calendars.map((c) => ({
          calendar_id: c.id,
          calendar_name: c.name,
          calendar_readonly: c.readOnly,
          provider_name: c.kind,
        })),
      }),
    );
  } else {
    out(
      `sub:           ${result.account.id}\naccess_token:  ${result.accessToken}\nrefresh_token: ${result.refreshToken}`,
    );
    for (const c of result.calendars)
      out(`calendar:      ${c.id}  ${c.kind}${c.readOnly ? ' (read-only)' : ''}  ${c.name}`);
  }
  return true;
}

/** Every external calendar of one application with its last read; --json prints the API's body. */
async function listCalendars(config: Config, args: Args, out: (text: string) => void): Promise<void> {
  const clientId = args.required('client-id');
  const account = args.optional('sub');
  const items = await withContext(
    config,
    async (ctx) => {
      const application = await ctx.store.read((repos) => repos.applications.byClientId(clientId));
      if (application === undefined) throw new UsageError(`No application with client_id ${clientId}`);
      try {
        return await listExternalCalendars(
          ctx,
          application,
          { ...(account === undefined ? {} : { sub: account }), limit: 1000 },
          '--sub',
        );
      } catch (error) {
        if (error instanceof DomainError && error.problems.length > 0)
          throw new UsageError(error.problems.map((p) => `${p.path}: ${p.description}`).join('\n'));
        throw error;
      }
    },
    { access: 'read' },
  );
  if (args.json) {
    out(JSON.stringify({ external_calendars: items.map(externalCalendarStatusToWire) }));
    return;
  }
  for (const item of items) for (const line of statusLines(item)) out(line);
  if (items.length === 0) out('No external calendars.');
}

function statusLines(item: ExternalCalendarStatus): string[] {
  const { calendar, lastRead: read } = item;
  const lines = [
    `${calendar.id}  ${calendar.kind.padEnd(6)} ${calendar.accountId}  ${item.origin ?? '(source unreadable)'}  ${calendar.name}`,
  ];
  if (read === null) return [...lines, '  not read yet'];
  const window = `${formatUtc(read.windowStart)} to ${formatUtc(read.windowEnd)}`;
  lines.push(
    read.ok
      ? `  last read ${formatUtc(read.readAt)}: ok, ${read.busyCount} busy intervals from ${window}`
      : `  last read ${formatUtc(read.readAt)}: failed: ${read.reason}`,
  );
  for (const note of read.ignored) lines.push(`  ignored: ${note}`);
  return lines;
}
