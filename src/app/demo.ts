/**
 * The demo `npm start` creates on an empty database: an application, a recruiter and three
 * engineers with native calendars and a few busy events, so a sequencing link can be tried at once.
 */
import { createApplicationCalendar } from './accounts.ts';
import { createApplication } from './applications.ts';
import type { AppContext } from './context.ts';

export type DemoSetup = {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly recruiter: { sub: string; calendarId: string; accessToken: string };
  readonly engineers: { sub: string; calendarId: string }[];
};

const HOUR = 3_600_000;

export async function createDemo(ctx: AppContext): Promise<DemoSetup | null> {
  const existing = await ctx.store.read((repos) => repos.applications.list());
  if (existing.length > 0) return null;
  const app = await createApplication(ctx, 'Demo application');
  const application = await ctx.store.read((repos) => repos.applications.byId(app.applicationId));
  if (application === undefined) return null;
  const recruiter = await createApplicationCalendar(ctx, application, 'demo-recruiter', {
    name: 'Riley Recruiter',
    tzid: 'Europe/London',
  });
  const engineers: DemoSetup['engineers'] = [];
  for (const [i, name] of ['Ada Engineer', 'Grace Engineer', 'Linus Engineer'].entries()) {
    const engineer = await createApplicationCalendar(ctx, application, `demo-engineer-${i + 1}`, {
      name,
      tzid: 'Europe/London',
    });
    engineers.push({ sub: engineer.account.id, calendarId: engineer.calendar.id });
  }
  // A few busy hours tomorrow so the offered times visibly skip them.
  const dayStart = Math.floor(ctx.clock.now() / (24 * HOUR)) * 24 * HOUR + 24 * HOUR;
  await ctx.store.transaction(async (repos) => {
    const busy = [
      { calendarId: recruiter.calendar.id, start: dayStart + 10 * HOUR, end: dayStart + 11 * HOUR },
      { calendarId: engineers[0]!.calendarId, start: dayStart + 9 * HOUR, end: dayStart + 13 * HOUR },
      { calendarId: engineers[1]!.calendarId, start: dayStart + 12 * HOUR, end: dayStart + 15 * HOUR },
    ];
    for (const [i, b] of busy.entries()) {
      await repos.events.upsert({
        calendarId: b.calendarId,
        eventId: `demo-busy-${i}`,
        eventUid: ctx.ids.newId('evt'),
        summary: 'Busy',
        startMs: b.start,
        endMs: b.end,
        allDay: false,
        transparency: 'opaque',
        status: 'confirmed',
        deleted: false,
        data: {},
        createdAt: ctx.clock.now(),
        updatedAt: ctx.clock.now(),
      });
    }
  });
  return {
    clientId: app.clientId,
    clientSecret: app.clientSecret,
    recruiter: {
      sub: recruiter.account.id,
      calendarId: recruiter.calendar.id,
      accessToken: recruiter.accessToken,
    },
    engineers,
  };
}
