/**
 * The demo (`npm start`, `rtseq demo`): an application, a recruiter and three engineers with native
 * calendars, working hours (weekdays 09:00–17:00 Europe/London, an availability rule each) and a
 * few busy hours on the next working day, so a sequencing link can be tried at once. Preparing it
 * again refreshes it: a new client secret (the older ones are revoked), fresh access tokens for
 * every account, and the busy hours moved to the new next working day.
 */

import { zonedWallToInstant } from '../domain/time/wall-clock.ts';
import { localParts } from '../domain/time/zones.ts';
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

/** Where the demo's people work; the link and its page show times in it. */
export const DEMO_ZONE = 'Europe/London';
const ZONE = DEMO_ZONE;
/** The availability rule every demo account has (its `availability_rule_id`). */
export const DEMO_RULE_ID = 'demo-working-hours';
const WORKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'];
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
  await ctx.store.transaction(async (repos) => {
    for (const person of [recruiter, ...engineers])
      await repos.rules.upsert({
        accountId: person.sub,
        ruleId: DEMO_RULE_ID,
        tzid: ZONE,
        calendarIds: null,
        weeklyPeriods: WORKDAYS.map((day) => ({ day, startTime: '09:00', endTime: '17:00' })),
      });
  });
  await placeBusyHours(ctx, [recruiter, ...engineers]);
  return { ...credentials, created: existing === undefined, recruiter, engineers };
}

export type LocalDate = { readonly year: number; readonly month: number; readonly day: number };

/** The next `count` working days (Monday to Friday) after the one `now` falls on, in the demo's zone. */
export function demoWorkdays(now: number, count: number): LocalDate[] {
  const today = localParts(ZONE, now);
  const days: LocalDate[] = [];
  for (let offset = 1; days.length < count && offset <= 14; offset++) {
    const date = new Date(Date.UTC(today.year, today.month - 1, today.day + offset));
    if (date.getUTCDay() === 0 || date.getUTCDay() === 6) continue;
    days.push({ year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() });
  }
  return days;
}

/** The instant of a wall-clock time on a local date in the demo's zone. */
export function demoInstant(date: LocalDate, hour: number, minute = 0): number {
  return zonedWallToInstant(ZONE, { ...date, hour, minute, second: 0 });
}

/**
 * A few busy hours on the next working day (local time), so the offered times visibly skip them;
 * same event ids each time. Every engineer keeps free working hours that day.
 */
async function placeBusyHours(ctx: AppContext, accounts: readonly DemoAccount[]): Promise<void> {
  const now = ctx.clock.now();
  const [first] = demoWorkdays(now, 1);
  const at = (hour: number, minute = 0) => demoInstant(first!, hour, minute);
  const busy = [
    { calendarId: accounts[0]!.calendarId, start: at(10), end: at(11) },
    { calendarId: accounts[1]!.calendarId, start: at(9), end: at(10, 30) },
    { calendarId: accounts[2]!.calendarId, start: at(13), end: at(15) },
    { calendarId: accounts[3]!.calendarId, start: at(11), end: at(12) },
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
