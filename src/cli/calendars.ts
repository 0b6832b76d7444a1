/** `rtseq calendars connect-caldav|connect-ics`: the use cases of `POST /v1/external_calendars/*`. */
import { type ConnectedAccount, connectCaldavAccount, connectIcsFeed } from '../app/external-accounts.ts';
import type { Config } from '../config/config.ts';
import { DomainError } from '../domain/errors.ts';
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
