/**
 * The demo (`npm start`, `rtseq demo`): an application, a recruiter and three engineers with native
 * calendars and a few busy hours tomorrow, so a sequencing link can be tried at once. Preparing it
 * again refreshes it: a new client secret (the older ones are revoked), fresh access tokens for
 * every account, and the busy hours moved to the new tomorrow.
 */
import { createApplicationCalendar } from './accounts/accounts.ts';
import { createApplication, revokeSecret, rotateSecret } from './accounts/applications.ts';
import type { AppContext } from './context.ts';

/** The demo application is the one with this name. */
export const DEMO_APPLICATION_NAME = 'Demo application';

/** Pages a demo server serves (web/demo.ts): where demo links send their callback and the browser. */
export const DEMO_PATHS = { callbacks: '/demo/callbacks', back: '/demo/back' } as const;

export type DemoAccount = {
  readonly name: string;
  readonly sub: string;
  readonly calendarId: string;
  readonly accessToken: string;
  readonly refreshToken: string;
};

export type DemoSetup = {
  readonly applicationId: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** True when this call created the application; false when it refreshed an existing one. */
  readonly created: boolean;
  readonly recruiter: DemoAccount;
  readonly engineers: readonly DemoAccount[];
};

const HOUR = 3_600_000;
const ZONE = 'Europe/London';
const ENGINEERS = ['Ada Engineer', 'Grace Engineer', 'Linus Engineer'];

export async function findDemoApplication(ctx: AppContext) {
  const applications = await ctx.store.read((repos) => repos.applications.list());
  return applications.find((a) => a.name === DEMO_APPLICATION_NAME);
}

/**
 * Creates or refreshes the demo. `when: 'empty'` (npm start) creates it only on a database without
 * applications and refreshes an existing demo; `'always'` (`rtseq demo`) creates it beside any
 * other applications. Null when there is nothing to do.
 */
export async function prepareDemo(ctx: AppContext, when: 'empty' | 'always'): Promise<DemoSetup | null> {
  const existing = await findDemoApplication(ctx);
  let credentials: { applicationId: string; clientId: string; clientSecret: string };
  if (existing === undefined) {
    if (when === 'empty' && (await ctx.store.read((repos) => repos.applications.list())).length > 0)
      return null;
    credentials = await createApplication(ctx, DEMO_APPLICATION_NAME);
  } else {
    // Secrets are shown once, when made: a fresh one to print, and the ones printed before revoked.
    const fresh = await rotateSecret(ctx, existing.clientId);
    const older = await ctx.store.read((repos) => repos.applications.activeSecrets(existing.id));
    for (const secret of older.filter((s) => s.id !== fresh.secretId))
      await revokeSecret(ctx, existing.clientId, secret.id);
    credentials = {
      applicationId: existing.id,
      clientId: existing.clientId,
      clientSecret: fresh.clientSecret,
    };
  }
  const application = await ctx.store.read((repos) => repos.applications.byId(credentials.applicationId));
  if (application === undefined) return null;
  const account = async (key: string, name: string): Promise<DemoAccount> => {
    const made = await createApplicationCalendar(ctx, application, key, { name, tzid: ZONE });
    return {
      name,
      sub: made.account.id,
      calendarId: made.calendar.id,
      accessToken: made.accessToken,
      refreshToken: made.refreshToken,
    };
  };
  const recruiter = await account('demo-recruiter', 'Riley Recruiter');
  const engineers: DemoAccount[] = [];
  for (const [i, name] of ENGINEERS.entries()) engineers.push(await account(`demo-engineer-${i + 1}`, name));
  await placeBusyHours(ctx, [recruiter, ...engineers]);
  return { ...credentials, created: existing === undefined, recruiter, engineers };
}

/** A few busy hours tomorrow (UTC) so the offered times visibly skip them; same event ids each time. */
async function placeBusyHours(ctx: AppContext, accounts: readonly DemoAccount[]): Promise<void> {
  const now = ctx.clock.now();
  const tomorrow = Math.floor(now / (24 * HOUR)) * 24 * HOUR + 24 * HOUR;
  const busy = [
    { calendarId: accounts[0]!.calendarId, start: tomorrow + 10 * HOUR, end: tomorrow + 11 * HOUR },
    { calendarId: accounts[1]!.calendarId, start: tomorrow + 9 * HOUR, end: tomorrow + 13 * HOUR },
    { calendarId: accounts[2]!.calendarId, start: tomorrow + 12 * HOUR, end: tomorrow + 15 * HOUR },
  ];
  await ctx.store.transaction(async (repos) => {
    for (const [i, b] of busy.entries()) {
      const eventId = `demo-busy-${i}`;
      const before = await repos.events.byKey(b.calendarId, eventId);
      await repos.events.upsert({
        calendarId: b.calendarId,
        eventId,
        eventUid: before?.eventUid ?? ctx.ids.newId('evt'),
        summary: 'Busy',
        startMs: b.start,
        endMs: b.end,
        allDay: false,
        transparency: 'opaque',
        status: 'confirmed',
        deleted: false,
        data: {},
        createdAt: before?.createdAt ?? now,
        updatedAt: now,
      });
    }
  });
}
